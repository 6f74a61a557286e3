"""Print metrics as JSON lines for `phenobook log` (Python 3, standard library only).

    npx phenobook log --project ID --name lr0.01 -- python3 log_metrics.py

Copy `log_config` and `log` into your training script: every call prints one line,
`{"step": 100, "train_loss": 0.31, "test_acc": 0.52}`, that phenobook log stores; everything
else your script prints passes through to the terminal unchanged.
"""
import json
import math
import sys
import time


def log_config(**config):
    """Hyperparameters, once (merged into the run's config)."""
    print(json.dumps({"config": config}), flush=True)


def log(step, **metrics):
    """One evaluation: the optimizer step it follows and metric values by name."""
    print(json.dumps({"step": int(step), **{k: float(v) for k, v in metrics.items()}}), flush=True)


if __name__ == "__main__":
    # A stand-in for training, so the helper can be tried as it is:
    #   python3 log_metrics.py [POINTS] [SECONDS_BETWEEN_POINTS]
    points = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    interval = float(sys.argv[2]) if len(sys.argv) > 2 else 0.2
    log_config(lr=0.01, seed=0, points=points)
    print("training started", flush=True)
    for i in range(points):
        step = 10 * i
        log(step, train_loss=2.3 * math.exp(-i / 5), test_loss=2.3 * math.exp(-i / 12), test_acc=1 - math.exp(-i / 8))
        time.sleep(interval)
    print("training finished", flush=True)
