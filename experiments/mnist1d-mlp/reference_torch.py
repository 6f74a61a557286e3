"""PyTorch reference for the MNIST-1D MLP experiments (double-descent, init-scale).

Trains nn.Sequential(Linear, ReLU, ..., Linear) from exactly the initial parameters, data and batch
order that the TypeScript run used (written by `exportReference` in ./reference.ts into DIR), with
torch.optim.SGD / torch.optim.AdamW and nn.CrossEntropyLoss / nn.MSELoss (reduction 'mean'), and
prints one JSON line per evaluation with the same metric names. Used by the acceptance scripts'
`--torch` option to check that the hand-written TensorFlow.js training matches PyTorch semantics.

    /usr/bin/python3 experiments/mnist1d-mlp/reference_torch.py DIR
"""
import json
import sys
import time

import numpy as np
import torch
from torch import nn


class Reference:
    """The run as the TypeScript side exported it to `folder`: its data, batch order, model at θ₀,
    loss and optimizer, rebuilt in PyTorch. bench/mnist1d_mlp_torch.py times the same object."""

    def __init__(self, folder):
        meta = json.load(open(f"{folder}/meta.json"))
        sizes = meta["sizes"]
        length = sizes[0]
        read = lambda name, dtype: np.fromfile(f"{folder}/{name}", dtype=dtype)  # noqa: E731
        self.x_train = torch.from_numpy(read("x_train.f32", np.float32).reshape(-1, length))
        self.y_train = torch.from_numpy(read("y_train.i32", np.int32).astype(np.int64))
        self.x_test = torch.from_numpy(read("x_test.f32", np.float32).reshape(-1, length))
        self.y_test = torch.from_numpy(read("y_test.i32", np.int32).astype(np.int64))
        self.order = torch.from_numpy(read("order.i32", np.int32).astype(np.int64))
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
        self.model = nn.Sequential(*layers)

        classes = sizes[-1]
        if meta["loss"] == "cross-entropy":
            criterion = nn.CrossEntropyLoss()
            self.loss_of = lambda out, y: criterion(out, y)
        else:
            criterion = nn.MSELoss()
            self.loss_of = lambda out, y: criterion(out, nn.functional.one_hot(y, classes).float())
        opt = meta["optimizer"]
        if opt["name"] == "sgd":
            self.optimizer = torch.optim.SGD(self.model.parameters(), lr=opt["lr"], momentum=opt["momentum"])
        else:
            self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=opt["lr"], weight_decay=opt["weightDecay"])
        self.steps, self.every, self.batch = meta["steps"], meta["evalEvery"], meta["batchSize"]
        self.batches_per_epoch = -(-len(self.y_train) // self.batch)

    def evaluates_at(self, step):
        """Full train and test sets at step 0, every `evalEvery` steps and at the end."""
        return step % self.every == 0 or step == self.steps

    def evaluate(self):
        with torch.no_grad():
            values = {}
            for name, x, y in (("train", self.x_train, self.y_train), ("test", self.x_test, self.y_test)):
                out = self.model(x)
                values[f"{name}Loss"] = self.loss_of(out, y).item()
                values[f"{name}Acc"] = (out.argmax(1) == y).float().mean().item()
            flat = torch.cat([p.detach().flatten() for p in self.model.parameters()]).double()
            values["l2"] = flat.norm().item()
        return values

    def train_step(self, step):
        """One optimizer step on the batch the TypeScript run drew at `step` (epoch by epoch from `order`)."""
        n = len(self.y_train)
        epoch, k = divmod(step, self.batches_per_epoch)
        idx = self.order[epoch * n + k * self.batch : epoch * n + min(n, (k + 1) * self.batch)]
        self.optimizer.zero_grad()
        self.loss_of(self.model(self.x_train[idx]), self.y_train[idx]).backward()
        self.optimizer.step()


def main(folder):
    torch.set_num_threads(1)
    ref = Reference(folder)
    started = time.time()
    for step in range(ref.steps + 1):
        if ref.evaluates_at(step):
            print(json.dumps({"step": step, "values": ref.evaluate()}), flush=True)
        if step == ref.steps:
            break
        ref.train_step(step)
    print(json.dumps({"seconds": time.time() - started}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
