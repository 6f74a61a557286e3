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


def main(folder):
    torch.set_num_threads(1)
    meta = json.load(open(f"{folder}/meta.json"))
    sizes = meta["sizes"]
    length = sizes[0]
    read = lambda name, dtype: np.fromfile(f"{folder}/{name}", dtype=dtype)
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
        loss_of = lambda out, y: criterion(out, y)
    else:
        criterion = nn.MSELoss()
        loss_of = lambda out, y: criterion(out, nn.functional.one_hot(y, classes).float())
    opt = meta["optimizer"]
    if opt["name"] == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=opt["lr"], momentum=opt["momentum"])
    else:
        optimizer = torch.optim.AdamW(model.parameters(), lr=opt["lr"], weight_decay=opt["weightDecay"])

    def evaluate(step):
        with torch.no_grad():
            values = {}
            for name, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
                out = model(x)
                values[f"{name}Loss"] = loss_of(out, y).item()
                values[f"{name}Acc"] = (out.argmax(1) == y).float().mean().item()
            flat = torch.cat([p.detach().flatten() for p in model.parameters()]).double()
            values["l2"] = flat.norm().item()
        print(json.dumps({"step": step, "values": values}), flush=True)

    steps, every, batch, n = meta["steps"], meta["evalEvery"], meta["batchSize"], len(y_train)
    batches_per_epoch = -(-n // batch)
    started = time.time()
    for step in range(steps + 1):
        if step % every == 0 or step == steps:
            evaluate(step)
        if step == steps:
            break
        epoch, k = divmod(step, batches_per_epoch)
        idx = order[epoch * n + k * batch : epoch * n + min(n, (k + 1) * batch)]
        optimizer.zero_grad()
        loss_of(model(x_train[idx]), y_train[idx]).backward()
        optimizer.step()
    print(json.dumps({"seconds": time.time() - started}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
