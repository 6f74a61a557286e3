"""PyTorch timing twin of the grokking-transformer experiment (teddykoker/grokking `train.py`) for
`npm run bench`.

The same run, one CPU thread: every equation x o y = c (mod p), x in [0, p), y in [1, p), read as
[x, o, y, =], split by a seeded permutation; the repo's decoder (nn.Embedding, blocks of
ln_1 -> nn.MultiheadAttention with the causal mask -> residual -> MLP d -> 4d -> d with GELU, final
LayerNorm, head without bias), cross-entropy on the last position, Adam (AdamW when weight decay > 0)
with LambdaLR linear warm-up, batches drawn epoch by epoch from a fresh shuffle (the last one
shorter); the whole train and test sets scored (loss, accuracy, parameter L2) at step 0, every
`eval_every` steps and at the end, in chunks of `eval_chunk` rows. The init is torch's own draw
(timing only; the work per step is the same).

Prints one JSON object:
    {"torch", "parameters", "steps", "evals", "seconds", "trainSeconds", "firstEvalSeconds", "stepsPerSecond"}
`seconds` from building the data to the last evaluation (python start-up and `import torch`
excluded), `firstEvalSeconds` up to the end of the step-0 evaluation.

    /usr/bin/python3 bench/grokking_transformer_torch.py --steps 100 --eval-every 100
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

# The decoder and optimizer are the parity reference's own: only the data and timing are this file's.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "experiments", "grokking-transformer"))
from reference_torch import Decoder, last_position_loss, optimizer_for  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--modulus", type=int, default=97)
    ap.add_argument("--operation", choices=["mul", "add", "div"], default="mul")
    ap.add_argument("--train-fraction", type=float, default=0.5)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--batch-size", type=int, default=512)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--weight-decay", type=float, default=1.0)
    ap.add_argument("--warmup-steps", type=int, default=10)
    ap.add_argument("--beta1", type=float, default=0.9)
    ap.add_argument("--beta2", type=float, default=0.98)
    ap.add_argument("--eps", type=float, default=1e-8)
    ap.add_argument("--d-model", type=int, default=128)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--eval-chunk", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)

    started = time.perf_counter()
    p = args.modulus
    xy = torch.cartesian_prod(torch.arange(p), torch.arange(1, p))
    x, y = xy[:, 0], xy[:, 1]
    if args.operation == "mul":
        c = (x * y) % p
    elif args.operation == "add":
        c = (x + y) % p
    else:
        c = (x * torch.tensor([pow(int(v), p - 2, p) for v in y])) % p
    tokens = torch.stack([x, torch.full_like(x, p + 1), y, torch.full_like(x, p)], dim=1)
    n = len(c)
    n_train = min(n - 1, max(1, int(args.train_fraction * n + 1e-9)))
    order = torch.randperm(n)
    train_idx, test_idx = order[:n_train], order[n_train:]
    sets = [(tokens[i], c[i]) for i in (train_idx, test_idx)]
    batch = min(args.batch_size, n_train)

    model = Decoder(args.d_model, args.layers, args.heads, p + 2)
    opt, sched = optimizer_for(model, args.lr, (args.beta1, args.beta2), args.eps, args.weight_decay, args.warmup_steps)

    def evaluate():
        with torch.no_grad():
            out = []
            for toks, labels in sets:
                loss = correct = 0.0
                for lo in range(0, len(labels), args.eval_chunk):
                    logits = model(toks[lo : lo + args.eval_chunk].T)[-1]
                    lab = labels[lo : lo + args.eval_chunk]
                    loss += F.cross_entropy(logits, lab, reduction="sum").item()
                    correct += (logits.argmax(-1) == lab).sum().item()
                out.append((loss / len(labels), correct / len(labels)))
            out.append(torch.cat([q.flatten() for q in model.parameters()]).double().norm().item())
        return out

    train_seconds = 0.0
    first_eval = None
    evals = 0
    perm = None
    for step in range(args.steps + 1):
        if step % args.eval_every == 0 or step == args.steps:
            evaluate()
            evals += 1
            if first_eval is None:
                first_eval = time.perf_counter() - started
        if step == args.steps:
            break
        per_epoch = -(-n_train // batch)
        k = step % per_epoch
        if k == 0:
            perm = torch.randperm(n_train)
        idx = train_idx[perm[k * batch : (k + 1) * batch]]
        toks, labels = tokens[idx], c[idx]
        t0 = time.perf_counter()
        loss, _ = last_position_loss(model, toks, labels)
        model.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        train_seconds += time.perf_counter() - t0
    seconds = time.perf_counter() - started
    print(json.dumps({
        "torch": torch.__version__,
        "parameters": sum(q.numel() for q in model.parameters()),
        "steps": args.steps,
        "evals": evals,
        "seconds": seconds,
        "trainSeconds": train_seconds,
        "firstEvalSeconds": first_eval,
        "stepsPerSecond": args.steps / train_seconds,
    }))


if __name__ == "__main__":
    main()
