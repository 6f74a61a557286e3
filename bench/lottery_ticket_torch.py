"""PyTorch timing twin of the lottery-ticket experiment (experiments/lottery-ticket) for `npm run bench`.

The same run, one CPU thread: the residual MLP h1 = relu(L1 x); h = h1 + relu(L2 h1); out = L3 h
(nn.Linear, PyTorch-default init), mean cross-entropy, torch.optim.Adam (fresh state per training),
sequential batches (rows [s*b mod n, ... + b), cut short at the end of the set); round 0 trains the
dense net, then each round prunes `prune_fraction` of each layer's remaining weights by magnitude,
resets the survivors to theta0 and trains the ticket, and (with controls) a random mask with the
same per-layer counts from theta0 and the ticket's mask from a fresh init. Pruned weights stay 0 by
masking the gradient (as ours does). The ticket is scored on the whole train and test sets every
`eval_every` steps and at its end; the controls at their end.

Timing only: the data are random numbers of MNIST-1D's shape (4,000 x 40 train, 1,000 test, 10
classes) and the init is torch's own draw, so the curves are not ours; the work per step is.

Prints one JSON object: {"torch", "steps", "seconds", "trainSeconds", "stepsPerSecond", "roundSeconds"}
with `roundSeconds` the time from the start to the end of each round (cumulative).

    /usr/bin/python3 bench/lottery_ticket_torch.py --rounds 5 --steps-per-round 300 --eval-every 50
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402


class ResidualMlp(nn.Module):
    def __init__(self, inputs, width, classes):
        super().__init__()
        self.l1 = nn.Linear(inputs, width)
        self.l2 = nn.Linear(width, width)
        self.l3 = nn.Linear(width, classes)

    def forward(self, x):
        h1 = F.relu(self.l1(x))
        h = h1 + F.relu(self.l2(h1))
        return self.l3(h)


WEIGHTS = ("l1.weight", "l2.weight", "l3.weight")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=13)
    ap.add_argument("--steps-per-round", type=int, default=1000)
    ap.add_argument("--prune-fraction", type=float, default=0.2)
    ap.add_argument("--width", type=int, default=100)
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--batch-size", type=int, default=100)
    ap.add_argument("--controls", type=int, default=1)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n-train", type=int, default=4000)
    ap.add_argument("--n-test", type=int, default=1000)
    ap.add_argument("--inputs", type=int, default=40)
    ap.add_argument("--classes", type=int, default=10)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)

    started = time.perf_counter()
    x_train = torch.randn(args.n_train, args.inputs)
    y_train = torch.randint(0, args.classes, (args.n_train,))
    x_test = torch.randn(args.n_test, args.inputs)
    y_test = torch.randint(0, args.classes, (args.n_test,))
    n, b, T = args.n_train, args.batch_size, args.steps_per_round

    def state_of(model):
        return {k: v.detach().clone() for k, v in model.state_dict().items()}

    theta0 = state_of(ResidualMlp(args.inputs, args.width, args.classes))
    fresh0 = None
    train_seconds = 0.0
    steps_done = 0

    def score(model):
        with torch.no_grad():
            out = []
            for x, y in ((x_train, y_train), (x_test, y_test)):
                logits = model(x)
                out.append((F.cross_entropy(logits, y, reduction="sum").item(), (logits.argmax(1) == y).sum().item()))
            out.append(torch.cat([p.flatten() for p in model.parameters()]).double().norm().item())
        return out

    def train(start, mask, curve, round_):
        nonlocal train_seconds, steps_done
        model = ResidualMlp(args.inputs, args.width, args.classes)
        with torch.no_grad():
            model.load_state_dict(start)
            for name, p in model.named_parameters():
                if name in mask:
                    p.mul_(mask[name])
        masks = [(p, mask[name]) for name, p in model.named_parameters() if name in mask]
        opt = torch.optim.Adam(model.parameters(), lr=args.lr)
        for s in range(T + 1):
            last = s == T
            if curve and (last or (s % args.eval_every == 0 and (s > 0 or round_ == 0))):
                score(model)
            elif last:
                score(model)
            if last:
                return state_of(model)
            lo = (s * b) % n
            hi = min(n, lo + b)
            t0 = time.perf_counter()
            opt.zero_grad()
            F.cross_entropy(model(x_train[lo:hi]), y_train[lo:hi]).backward()
            for p, m in masks:
                p.grad.mul_(m)
            opt.step()
            train_seconds += time.perf_counter() - t0
            steps_done += 1

    def prune(trained, mask):
        out = {}
        for name in WEIGHTS:
            m = mask[name].clone()
            alive = m.flatten().nonzero().flatten()
            drop = max(0, min(len(alive) - 1, round(args.prune_fraction * len(alive))))
            if drop > 0:
                mags = trained[name].flatten()[alive].abs()
                order = torch.argsort(mags, stable=True)
                m.view(-1)[alive[order[:drop]]] = 0
            out[name] = m
        return out

    def random_like(mask, round_):
        g = torch.Generator().manual_seed(args.seed * 1000 + round_)
        out = {}
        for name in WEIGHTS:
            kept = int(mask[name].sum().item())
            m = torch.zeros(mask[name].numel())
            m[torch.randperm(m.numel(), generator=g)[:kept]] = 1
            out[name] = m.view_as(mask[name])
        return out

    mask = {name: torch.ones_like(theta0[name]) for name in WEIGHTS}
    ticket = None
    round_seconds = []
    for r in range(args.rounds + 1):
        if r > 0:
            mask = prune(ticket, mask)
        ticket = train(theta0, mask, True, r)
        if args.controls and r > 0:
            train(theta0, random_like(mask, r), False, r)
            if fresh0 is None:
                fresh0 = state_of(ResidualMlp(args.inputs, args.width, args.classes))
            train(fresh0, mask, False, r)
        round_seconds.append(time.perf_counter() - started)
    seconds = time.perf_counter() - started
    print(json.dumps({
        "torch": torch.__version__,
        "steps": steps_done,
        "seconds": seconds,
        "trainSeconds": train_seconds,
        "stepsPerSecond": steps_done / train_seconds,
        "roundSeconds": round_seconds,
    }))


if __name__ == "__main__":
    main()
