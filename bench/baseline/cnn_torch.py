#!/usr/bin/python3
"""PyTorch peer of `./descent cnn`: the same network, data, batch, optimizer, schedule and epochs.

conv 5x5x16 -> ReLU -> max-pool 2 -> conv 5x5x32 -> ReLU -> max-pool 2 -> flatten -> linear 10,
softmax cross-entropy, SGD lr 0.05 momentum 0.9, batches of 64, linear warmup over the first tenth
of the steps then cosine decay, on MNIST-10k (IDX files, pixels / 255). Prints samples/s of the
training loop (the forward/backward/step over all epochs, evaluation excluded) and the test
accuracy, for each thread count asked for.

    /usr/bin/python3 bench/baseline/cnn_torch.py [--data ../shared/data/mnist10k] [--epochs 6] [--threads 1,2]
"""
import argparse
import math
import struct
import time

import numpy as np
import torch
from torch import nn

from torch_bench import cnn


def idx(path):
    with open(path, "rb") as f:
        magic, = struct.unpack(">I", f.read(4))
        dims = [struct.unpack(">I", f.read(4))[0] for _ in range(magic & 0xFF)]
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="../shared/data/mnist10k")
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--threads", default="1,2")
    a = p.parse_args()
    xtr = torch.tensor(idx(a.data + "/train-images.idx3-ubyte"), dtype=torch.float32).div_(255).reshape(-1, 1, 28, 28)
    ytr = torch.tensor(idx(a.data + "/train-labels.idx1-ubyte"), dtype=torch.int64)
    xte = torch.tensor(idx(a.data + "/test-images.idx3-ubyte"), dtype=torch.float32).div_(255).reshape(-1, 1, 28, 28)
    yte = torch.tensor(idx(a.data + "/test-labels.idx1-ubyte"), dtype=torch.int64)
    n = xtr.shape[0]
    steps_per_epoch = (n + a.batch_size - 1) // a.batch_size
    total = a.epochs * steps_per_epoch
    warmup = max(1, total // 10)

    def lr_at(t):  # Descent's warmup(w).then(cosine(total - w)), times the base rate
        if t < warmup:
            return a.lr * t / warmup
        return a.lr * 0.5 * (1 + math.cos(math.pi * (t - warmup) / (total - warmup)))

    for threads in [int(t) for t in a.threads.split(",")]:
        torch.set_num_threads(threads)
        torch.manual_seed(42)
        model = cnn()
        opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum)
        loss_fn = nn.CrossEntropyLoss()
        g = torch.Generator().manual_seed(42)
        step, seconds = 0, 0.0
        for epoch in range(a.epochs):
            order = torch.randperm(n, generator=g)
            start = time.perf_counter()
            for i in range(steps_per_epoch):
                rows = order[i * a.batch_size:(i + 1) * a.batch_size]
                for group in opt.param_groups:
                    group["lr"] = lr_at(step)
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(xtr[rows]), ytr[rows])
                loss.backward()
                opt.step()
                step += 1
            seconds += time.perf_counter() - start
        with torch.no_grad():
            acc = (model(xte).argmax(1) == yte).float().mean().item()
        print(f"torch {torch.__version__}, {threads} thread{'s' if threads > 1 else ''}: "
              f"{a.epochs} epochs in {seconds:.2f} s, {a.epochs * n / seconds:,.0f} samples/s, "
              f"test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
