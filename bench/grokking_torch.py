#!/usr/bin/python3
"""PyTorch CPU reference for the grokking-mlp experiment (docs/experiments.md section 1).

Same data split and initial weights as experiments/grokking-mlp.experiment.ts (the seeded sfc32
generator of experiments/rng.ts is ported below), same model, loss, optimizer and evaluation
schedule. Prints one JSON object on stdout.

    /usr/bin/python3 bench/grokking_torch.py --steps 1500 --seed 0 [--p 59 --width 256 ...]

--formulation onehot (default) is the reference code's one-hot input through nn.Linear;
--formulation gather indexes rows of W1^T instead (the same math as our wasm implementation).
--curve adds every evaluation to the JSON (for comparing curves with the TypeScript run).
--jsonl prints its config, then every evaluation as it happens, as the JSON lines `phenobook log`
records (`phenobook log --project ID --name grokking -- /usr/bin/python3 bench/grokking_torch.py
--jsonl`); --eval-sleep S pauses after each evaluation (a slow run to watch in the app).
"""
import argparse
import json
import math
import os
import sys
import time

# One thread unless asked otherwise; the BLAS reads these when torch is imported.
_threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv[:-1] else "1"
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, _threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

M32 = 0xFFFFFFFF


# ----------------------------------------------------------------------------------------------
# Port of experiments/rng.ts (sfc32 seeded through splitmix32; Box-Muller normals; Fisher-Yates)

def _splitmix32(x):
    z = (x + 0x9E3779B9) & M32
    z = ((z ^ (z >> 16)) * 0x21F0AAAD) & M32
    z = ((z ^ (z >> 15)) * 0x735A2D97) & M32
    return (z ^ (z >> 15)) & M32


def _hash_string(text):
    h = 0x811C9DC5
    for ch in text:
        h ^= ord(ch)
        h = (h * 0x01000193) & M32
    return h


class Rng:
    def __init__(self, seed, stream=""):
        lo = seed & M32
        hi = (seed >> 32) & M32
        k = _splitmix32(lo ^ _splitmix32(hi ^ _splitmix32(_hash_string(stream))))
        k = _splitmix32(k)
        self.a = k
        k = _splitmix32(k)
        self.b = k
        k = _splitmix32(k)
        self.c = k
        self.d = 1
        self.spare = None
        for _ in range(12):
            self.next_uint32()

    def next_uint32(self):
        a, b, c, d = self.a, self.b, self.c, self.d
        t = (a + b + d) & M32
        self.d = (d + 1) & M32
        self.a = b ^ (b >> 9)
        self.b = (c + (c << 3)) & M32
        c = ((c << 21) | (c >> 11)) & M32
        self.c = (c + t) & M32
        return t

    def next(self):
        return self.next_uint32() / 4294967296.0

    def int(self, n):
        limit = 2**32 - (2**32 % n)
        while True:
            x = self.next_uint32()
            if x < limit:
                return x % n

    def normal(self):
        if self.spare is not None:
            z, self.spare = self.spare, None
            return z
        u1 = 1.0 - self.next()
        u2 = self.next()
        r = math.sqrt(-2.0 * math.log(u1))
        theta = 2.0 * math.pi * u2
        self.spare = r * math.sin(theta)
        return r * math.cos(theta)


def permutation(rng, n):
    out = list(range(n))
    for i in range(n - 1, 0, -1):
        j = rng.int(i + 1)
        out[i], out[j] = out[j], out[i]
    return out


def train_size(p, frac):
    return min(p * p - 1, max(1, math.floor(frac * p * p + 1e-9)))


def make_split(p, frac, seed):
    order = permutation(Rng(seed, "grokking-mlp/split"), p * p)
    n = train_size(p, frac)
    return order[:n], order[n:]


def init_weights(p, width, seed, init_scale):
    rng = Rng(seed, "grokking-mlp/init")
    std = init_scale * 0.5 / np.cbrt(2.0 * width)
    w1 = np.array([std * rng.normal() for _ in range(width * 2 * p)], dtype=np.float32).reshape(width, 2 * p)
    w2 = np.array([std * rng.normal() for _ in range(p * width)], dtype=np.float32).reshape(p, width)
    return w1, w2


# ----------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--p", type=int, default=59)
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--train-fraction", type=float, default=0.3)
    ap.add_argument("--weight-decay", type=float, default=1.0)
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--beta1", type=float, default=0.9)
    ap.add_argument("--beta2", type=float, default=0.98)
    ap.add_argument("--eps", type=float, default=1e-8)
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--eval-every", type=int, default=5)
    ap.add_argument("--init-scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--formulation", choices=["onehot", "gather"], default="onehot")
    ap.add_argument("--curve", action="store_true")
    ap.add_argument("--jsonl", action="store_true")
    ap.add_argument("--eval-sleep", type=float, default=0.0)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    if args.jsonl:
        config = {k: v for k, v in vars(args).items() if k not in ("jsonl", "curve", "eval_sleep", "threads")}
        print(json.dumps({"config": {"framework": "torch " + torch.__version__, **config}}), flush=True)
    started = time.perf_counter()
    started_cpu = time.process_time()
    p, width = args.p, args.width
    train_idx, test_idx = make_split(p, args.train_fraction, args.seed)
    w1, w2 = init_weights(p, width, args.seed, args.init_scale)

    def tensors(pairs):
        pairs = torch.tensor(pairs, dtype=torch.long)
        a, b = pairs // p, pairs % p
        return a, b, (a + b) % p

    tr_a, tr_b, tr_y = tensors(train_idx)
    te_a, te_b, te_y = tensors(test_idx)
    W1 = torch.nn.Parameter(torch.from_numpy(w1))  # [N, 2p], nn.Linear layout
    W2 = torch.nn.Parameter(torch.from_numpy(w2))  # [p, N]
    opt = torch.optim.AdamW([W1, W2], lr=args.lr, betas=(args.beta1, args.beta2), eps=args.eps, weight_decay=args.weight_decay)

    if args.formulation == "onehot":
        tr_x = torch.cat([F.one_hot(tr_a, p), F.one_hot(tr_b, p)], dim=1).float()
        te_x = torch.cat([F.one_hot(te_a, p), F.one_hot(te_b, p)], dim=1).float()

        def forward(x, _a, _b):
            return F.linear(F.linear(x, W1) ** 2, W2)
    else:
        tr_x = te_x = None

        def forward(_x, a, b):
            e = W1.t()
            return F.linear((e[a] + e[p + b]) ** 2, W2)

    tr_t = F.one_hot(tr_y, p).float()
    te_t = F.one_hot(te_y, p).float()

    curve = []
    first = {"train1": None, "test90": None, "test95": None}
    test_at_150 = None
    train_seconds = 0.0

    def evaluate(step, out_train):
        nonlocal test_at_150
        with torch.no_grad():
            out_test = forward(te_x, te_a, te_b)
            row = {
                "step": step,
                "trainLoss": F.mse_loss(out_train, tr_t).item(),
                "testLoss": F.mse_loss(out_test, te_t).item(),
                "trainAcc": (out_train.argmax(1) == tr_y).float().mean().item(),
                "testAcc": (out_test.argmax(1) == te_y).float().mean().item(),
            }
        if first["train1"] is None and row["trainAcc"] >= 1.0:
            first["train1"] = step
        if first["test90"] is None and row["testAcc"] >= 0.90:
            first["test90"] = step
        if first["test95"] is None and row["testAcc"] >= 0.95:
            first["test95"] = step
        if step == 150:
            test_at_150 = row["testAcc"]
        if args.curve:
            curve.append(row)
        if args.jsonl:
            print(json.dumps(row), flush=True)
            if args.eval_sleep:
                time.sleep(args.eval_sleep)

    # One training forward pass per step serves both the gradient and that step's train metrics
    # (as in the TypeScript implementation).
    for step in range(args.steps + 1):
        last = step == args.steps
        t0 = time.perf_counter()
        out = forward(tr_x, tr_a, tr_b)
        loss = F.mse_loss(out, tr_t)
        if not last:
            train_seconds += time.perf_counter() - t0
        if step % args.eval_every == 0 or last:
            evaluate(step, out.detach())
        if last:
            break
        t1 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        train_seconds += time.perf_counter() - t1

    wall = time.perf_counter() - started
    cpu = time.process_time() - started_cpu
    result = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "formulation": args.formulation,
        "steps": args.steps,
        "stepsPerSecond": args.steps / train_seconds,
        "stepsPerSecondWall": args.steps / wall,
        "trainSeconds": train_seconds,
        "wallSeconds": wall,
        "cpuSeconds": cpu,
        "firstStepTrainAcc1": first["train1"],
        "testAccAt150": test_at_150,
        "firstStepTestAcc90": first["test90"],
        "firstStepTestAcc95": first["test95"],
    }
    if args.curve:
        result["curve"] = curve
    print(json.dumps(result))


if __name__ == "__main__":
    main()
