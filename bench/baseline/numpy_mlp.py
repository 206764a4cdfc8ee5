#!/usr/bin/env python3
"""The `descent bench` workload in NumPy (float32, OpenBLAS sgemm), as a peer measured in the same run.

MLP 784-128(ReLU)-10, softmax cross-entropy, batch 64 (last batch smaller), SGD lr 0.1 momentum 0.9
(PyTorch's rule: buf = m*buf + g, p -= lr*buf), shuffled every epoch, on MNIST-10k (8,000 train /
2,000 test rows, pixels / 255). Untimed warm-up epochs first, then timed epochs; samples/s = training
rows / median epoch time. Each step does what a descent step does: gather the batch, forward, loss,
backward into every parameter gradient, update. Prints one JSON line like `descent bench`.

Usage: OPENBLAS_NUM_THREADS=1 python3 numpy_mlp.py [--data DIR] [--epochs 5] [--warmup 3] [--paced]
(compare.py runs it with 1 and 2 threads, with the native OpenBLAS kernel and with the machine setting;
--paced as `descent bench --paced`: wait for a line on stdin before each timed epoch and the test pass).
"""
import argparse
import json
import os
import statistics
import time

import numpy as np

from paced import await_go


def idx(path):
    with open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(folder):
    def part(images, labels):
        x = idx(os.path.join(folder, images)).reshape(-1, 784).astype(np.float32) / np.float32(255)
        return np.ascontiguousarray(x), idx(os.path.join(folder, labels)).astype(np.int64)

    return part("train-images.idx3-ubyte", "train-labels.idx1-ubyte"), part(
        "test-images.idx3-ubyte", "test-labels.idx1-ubyte"
    )


class Mlp:
    """Weights stored out x in (as descent and torch.nn.Linear), He-uniform init, zero biases."""

    def __init__(self, seed):
        rng = np.random.default_rng(seed)
        self.w1 = rng.uniform(-1, 1, (128, 784)).astype(np.float32) * np.float32(np.sqrt(6 / 784))
        self.b1 = np.zeros(128, np.float32)
        self.w2 = rng.uniform(-1, 1, (10, 128)).astype(np.float32) * np.float32(np.sqrt(6 / 128))
        self.b2 = np.zeros(10, np.float32)
        self.params = [self.w1, self.b1, self.w2, self.b2]
        self.bufs = [np.zeros_like(p) for p in self.params]
        self.first = True

    def step(self, x, y, lr, momentum):
        n = x.shape[0]
        z1 = x @ self.w1.T + self.b1
        h = np.maximum(z1, 0)
        logits = h @ self.w2.T + self.b2
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        p = e / e.sum(axis=1, keepdims=True)
        rows = np.arange(n)
        loss = float(-np.log(p[rows, y]).mean())
        d = p
        d[rows, y] -= 1
        d /= n
        grads = [None, None, d.T @ h, d.sum(axis=0)]
        dz = (d @ self.w2) * (z1 > 0)
        grads[0] = dz.T @ x
        grads[1] = dz.sum(axis=0)
        for p_, b, g in zip(self.params, self.bufs, grads):
            if self.first:
                b[...] = g
            else:
                b *= momentum
                b += g
            p_ -= lr * b
        self.first = False
        return loss

    def predict(self, x):
        return (np.maximum(x @ self.w1.T + self.b1, 0) @ self.w2.T + self.b2).argmax(axis=1)


def epoch(model, x, y, order, batch, lr):
    total = 0.0
    for s in range(0, len(order), batch):
        idx_ = order[s : s + batch]
        total += model.step(x[idx_], y[idx_], np.float32(lr), np.float32(0.9)) * len(idx_)
    return total / len(order)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "..", "shared", "data", "mnist10k"))
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--paced", action="store_true", help="wait for a line on stdin before each timed epoch and the test pass")
    a = ap.parse_args()
    (x, y), (xt, yt) = load(a.data)
    rng = np.random.default_rng(a.seed)
    warm = Mlp(a.seed + 1)
    for _ in range(a.warmup):
        epoch(warm, x, y, rng.permutation(len(x)), a.batch_size, 0.1)
    model = Mlp(a.seed)
    seconds, loss = [], float("nan")
    for e in range(a.epochs):
        if a.paced:
            await_go(f"epoch {e + 1}")
        order = rng.permutation(len(x))
        t0 = time.perf_counter()
        loss = epoch(model, x, y, order, a.batch_size, 0.1)
        seconds.append(time.perf_counter() - t0)
        print(f"epoch {e + 1}/{a.epochs}  {seconds[-1]:.4f} s  {len(x) / seconds[-1]:.0f} samples/s  train loss {loss:.4f}", flush=True)
    if a.paced:
        await_go("the test pass")
    median = statistics.median(seconds)
    report = {
        "backend": "numpy",
        "device": "OpenBLAS via NumPy " + np.__version__,
        "threads": int(os.environ.get("OPENBLAS_NUM_THREADS", "0")) or os.cpu_count(),
        "epoch_s_median": round(median, 6),
        "samples_per_s": round(len(x) / median, 1),
        "train_loss": round(loss, 6),
        "test_accuracy": round(float((model.predict(xt) == yt).mean()), 4),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
