"""Timing twin of docs/examples/experiments/mnist1d-cnn.ts for `npm run bench` (cnn.bench.ts).

The same model — Conv1d(1→C, 5, stride 2, padding 2), ReLU, Conv1d(C→C, 3, 2, 1), ReLU,
Conv1d(C→C, 3, 2, 1), ReLU, Flatten, Linear(5C→10) — on data of the same shapes (4,000 × 40 train,
1,000 test; random, since only time is compared), Adam, CrossEntropyLoss, batches of `batch`,
`steps` steps, full train and test evaluation at step 0, every `evalEvery` steps and at the end,
one thread. Prints one JSON object:

    {"torch", "steps", "seconds", "trainSeconds", "stepsPerSecond"}

    /usr/bin/python3 bench/mnist1d_cnn_torch.py STEPS EVAL_EVERY [CHANNELS] [BATCH]
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402

torch.set_num_threads(1)
steps = int(sys.argv[1])
eval_every = int(sys.argv[2])
channels = int(sys.argv[3]) if len(sys.argv) > 3 else 25
batch = int(sys.argv[4]) if len(sys.argv) > 4 else 100

t0 = time.perf_counter()
g = torch.Generator().manual_seed(0)
x_train = torch.randn(4000, 1, 40, generator=g)
y_train = torch.randint(0, 10, (4000,), generator=g)
x_test = torch.randn(1000, 1, 40, generator=g)
y_test = torch.randint(0, 10, (1000,), generator=g)
model = nn.Sequential(
    nn.Conv1d(1, channels, 5, stride=2, padding=2), nn.ReLU(),
    nn.Conv1d(channels, channels, 3, stride=2, padding=1), nn.ReLU(),
    nn.Conv1d(channels, channels, 3, stride=2, padding=1), nn.ReLU(),
    nn.Flatten(), nn.Linear(5 * channels, 10),
)
opt = torch.optim.Adam(model.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()


def evaluate():
    with torch.no_grad():
        for x, y in ((x_train, y_train), (x_test, y_test)):
            out = model(x)
            loss_fn(out, y).item()
            (out.argmax(1) == y).float().mean().item()


train_seconds = 0.0
evaluate()
cursor = 0
perm = torch.randperm(4000, generator=g)
for step in range(steps):
    if cursor + batch > 4000:
        perm = torch.randperm(4000, generator=g)
        cursor = 0
    idx = perm[cursor:cursor + batch]
    cursor += batch
    t = time.perf_counter()
    opt.zero_grad()
    loss_fn(model(x_train[idx]), y_train[idx]).backward()
    opt.step()
    train_seconds += time.perf_counter() - t
    if (step + 1) % eval_every == 0 or step + 1 == steps:
        evaluate()
seconds = time.perf_counter() - t0
print(json.dumps({"torch": torch.__version__, "steps": steps, "seconds": seconds, "trainSeconds": train_seconds, "stepsPerSecond": steps / train_seconds}))
