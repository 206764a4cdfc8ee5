#!/usr/bin/env python3
"""The `descent bench` workloads in PyTorch's CPU build, as a peer measured in the same run.

--model mlp (default): MLP 784-128(ReLU)-10 (nn.Linear, PyTorch's default init), torch.optim.SGD
lr 0.1 momentum 0.9. --model cnn: `descent cnn`'s network (conv 5x5x16 -> ReLU -> max-pool 2 ->
conv 5x5x32 -> ReLU -> max-pool 2 -> flatten -> linear 10) at lr 0.05 momentum 0.9, as `descent
bench --model cnn`. Both: softmax cross-entropy (mean), batch 64 (last batch smaller), shuffled
every epoch, on MNIST-10k (8,000 train / 2,000 test rows, pixels / 255). Untimed warm-up epochs
first (separate model), then timed epochs; samples/s = training rows / median epoch time. Prints
one JSON line like `descent bench`.

Usage: /usr/bin/python3 torch_bench.py [--model mlp|cnn] [--threads 1] [--data DIR] [--epochs 5] [--warmup 3]
(Debian: apt-get install -y python3-torch).
"""
import argparse
import json
import os
import statistics
import time

import torch

from numpy_mlp import load


def epoch(model, opt, x, y, order, batch):
    loss_fn = torch.nn.CrossEntropyLoss()
    total = 0.0
    for s in range(0, len(order), batch):
        idx = order[s : s + batch]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
    return total / len(order)


def mlp():
    return torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))


def cnn():
    """`descent cnn`'s network, over 1x28x28 images."""
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(512, 10))


# --model: (the network, its learning rate, the shape of one input row)
MODELS = {"mlp": (mlp, 0.1, (784,)), "cnn": (cnn, 0.05, (1, 28, 28))}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "..", "shared", "data", "mnist10k"))
    ap.add_argument("--model", choices=sorted(MODELS), default="mlp")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    network, lr, row = MODELS[a.model]
    (x, y), (xt, yt) = load(a.data)
    x, y, xt, yt = (torch.from_numpy(v) for v in (x, y, xt, yt))
    x, xt = x.reshape(-1, *row), xt.reshape(-1, *row)
    g = torch.Generator().manual_seed(a.seed)
    torch.manual_seed(a.seed + 1)
    warm = network()
    warm_opt = torch.optim.SGD(warm.parameters(), lr=lr, momentum=0.9)
    for _ in range(a.warmup):
        epoch(warm, warm_opt, x, y, torch.randperm(len(x), generator=g), a.batch_size)
    torch.manual_seed(a.seed)
    model = network()
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    seconds, loss = [], float("nan")
    for e in range(a.epochs):
        order = torch.randperm(len(x), generator=g)
        t0 = time.perf_counter()
        loss = epoch(model, opt, x, y, order, a.batch_size)
        seconds.append(time.perf_counter() - t0)
        print(f"epoch {e + 1}/{a.epochs}  {seconds[-1]:.4f} s  {len(x) / seconds[-1]:.0f} samples/s  train loss {loss:.4f}")
    median = statistics.median(seconds)
    with torch.no_grad():
        accuracy = float((model(xt).argmax(dim=1) == yt).float().mean())
    print(
        json.dumps(
            {
                "model": a.model,
                "backend": "torch",
                "device": "PyTorch " + torch.__version__ + " CPU",
                "threads": torch.get_num_threads(),
                "epoch_s_median": round(median, 6),
                "samples_per_s": round(len(x) / median, 1),
                "train_loss": round(loss, 6),
                "test_accuracy": round(accuracy, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
