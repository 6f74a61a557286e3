"""Timing twin of experiments/mnist1d-mlp/reference_torch.py for `npm run bench` (presets.bench.ts).

Reads the folder that `exportReference` (experiments/mnist1d-mlp/reference.ts) writes: the run's
exact data, initial parameters and batch order; trains the same nn.Sequential(Linear, ReLU, ...,
Linear) with torch.optim.SGD / AdamW on CrossEntropyLoss / MSELoss, one thread, with the same
evaluation cadence (full train and test sets at step 0, every `evalEvery` steps and at the end;
loss, accuracy, parameter L2 norm). Unlike the parity reference it times the optimizer steps apart
from the evaluations and prints one JSON object instead of the curve:

    {"torch", "steps", "evals", "seconds", "trainSeconds", "firstEvalSeconds", "stepsPerSecond", "final"}

`seconds` runs from reading the folder to the last evaluation (python start-up and `import torch`
excluded); `firstEvalSeconds` up to the end of the step-0 evaluation.

    /usr/bin/python3 bench/mnist1d_mlp_torch.py DIR
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402


def main(folder):
    torch.set_num_threads(1)
    started = time.perf_counter()
    meta = json.load(open(f"{folder}/meta.json"))
    sizes = meta["sizes"]
    length = sizes[0]
    read = lambda name, dtype: np.fromfile(f"{folder}/{name}", dtype=dtype)  # noqa: E731
    x_train = torch.from_numpy(read("x_train.f32", np.float32).reshape(-1, length))
    y_train = torch.from_numpy(read("y_train.i32", np.int32).astype(np.int64))
    x_test = torch.from_numpy(read("x_test.f32", np.float32).reshape(-1, length))
    y_test = torch.from_numpy(read("y_test.i32", np.int32).astype(np.int64))
    order = torch.from_numpy(read("order.i32", np.int32).astype(np.int64))
    theta = read("theta0.f32", np.float32)

    layers = []
    offset = 0
    for i in range(len(sizes) - 1):
        lin = nn.Linear(sizes[i], sizes[i + 1])
        with torch.no_grad():
            n = sizes[i] * sizes[i + 1]
            lin.weight.copy_(torch.from_numpy(theta[offset : offset + n].reshape(sizes[i + 1], sizes[i])))
            offset += n
            lin.bias.copy_(torch.from_numpy(theta[offset : offset + sizes[i + 1]]))
            offset += sizes[i + 1]
        layers.append(lin)
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)

    classes = sizes[-1]
    if meta["loss"] == "cross-entropy":
        criterion = nn.CrossEntropyLoss()
        loss_of = lambda out, y: criterion(out, y)  # noqa: E731
    else:
        criterion = nn.MSELoss()
        loss_of = lambda out, y: criterion(out, nn.functional.one_hot(y, classes).float())  # noqa: E731
    opt = meta["optimizer"]
    if opt["name"] == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=opt["lr"], momentum=opt["momentum"])
    else:
        optimizer = torch.optim.AdamW(model.parameters(), lr=opt["lr"], weight_decay=opt["weightDecay"])

    def evaluate():
        with torch.no_grad():
            values = {}
            for name, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
                out = model(x)
                values[f"{name}Loss"] = loss_of(out, y).item()
                values[f"{name}Acc"] = (out.argmax(1) == y).float().mean().item()
            flat = torch.cat([p.detach().flatten() for p in model.parameters()]).double()
            values["l2"] = flat.norm().item()
        return values

    steps, every, batch, n = meta["steps"], meta["evalEvery"], meta["batchSize"], len(y_train)
    batches_per_epoch = -(-n // batch)
    train_seconds = 0.0
    first_eval = None
    evals = 0
    values = None
    for step in range(steps + 1):
        if step % every == 0 or step == steps:
            values = evaluate()
            evals += 1
            if first_eval is None:
                first_eval = time.perf_counter() - started
        if step == steps:
            break
        epoch, k = divmod(step, batches_per_epoch)
        idx = order[epoch * n + k * batch : epoch * n + min(n, (k + 1) * batch)]
        t0 = time.perf_counter()
        optimizer.zero_grad()
        loss_of(model(x_train[idx]), y_train[idx]).backward()
        optimizer.step()
        train_seconds += time.perf_counter() - t0
    seconds = time.perf_counter() - started
    print(json.dumps({
        "torch": torch.__version__,
        "steps": steps,
        "evals": evals,
        "seconds": seconds,
        "trainSeconds": train_seconds,
        "firstEvalSeconds": first_eval,
        "stepsPerSecond": steps / train_seconds,
        "final": values,
    }))


if __name__ == "__main__":
    main(sys.argv[1])
