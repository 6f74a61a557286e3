"""Timing twin of experiments/mnist1d-mlp/reference_torch.py for `npm run bench` (presets.bench.ts).

Reads the folder that `exportReference` (experiments/mnist1d-mlp/reference.ts) writes, through
that reference's own `Reference` (the run's exact data, initial parameters and batch order; the same
nn.Sequential, optimizer and loss, one thread, the same evaluation cadence). Unlike the parity
reference it times the optimizer steps apart from the evaluations and prints one JSON object
instead of the curve:

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

import torch  # noqa: E402

# The model, data and optimizer are the parity reference's own: only the timing is this file's.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "experiments", "mnist1d-mlp"))
from reference_torch import Reference  # noqa: E402


def main(folder):
    torch.set_num_threads(1)
    started = time.perf_counter()
    ref = Reference(folder)
    train_seconds = 0.0
    first_eval = None
    evals = 0
    values = None
    for step in range(ref.steps + 1):
        if ref.evaluates_at(step):
            values = ref.evaluate()
            evals += 1
            if first_eval is None:
                first_eval = time.perf_counter() - started
        if step == ref.steps:
            break
        t0 = time.perf_counter()
        ref.train_step(step)
        train_seconds += time.perf_counter() - t0
    seconds = time.perf_counter() - started
    print(json.dumps({
        "torch": torch.__version__,
        "steps": ref.steps,
        "evals": evals,
        "seconds": seconds,
        "trainSeconds": train_seconds,
        "firstEvalSeconds": first_eval,
        "stepsPerSecond": ref.steps / train_seconds,
        "final": values,
    }))


if __name__ == "__main__":
    main(sys.argv[1])
