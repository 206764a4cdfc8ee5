#!/usr/bin/env python3
"""OpenBLAS sgemm through NumPy at the shapes `descent bench --gemm` times, as the same run's peer.

C = op(A)·op(B) in float32 for the layouts NN, TN, NT (NumPy hands transposed views to sgemm
without copying) at the MLP step's shapes and at 1024² and 2048²: the median of 15 timed
repetitions after 3 untimed. Prints one line per case, then one JSON object like `descent bench
--gemm`, plus the OpenBLAS kernel that ran (threadpoolctl). Threads: OPENBLAS_NUM_THREADS.
--paced, as `descent bench --gemm --paced`: wait for a line on stdin before each case and the report.
"""
import argparse
import json
import os
import statistics
import time

import numpy as np
import threadpoolctl

from paced import await_go

CASES = [("NT", 64, 128, 784), ("TN", 128, 784, 64), ("NN", 64, 784, 128)] + [
    (layout, s, s, s) for s in (1024, 2048) for layout in ("NN", "TN", "NT")
]


def openblas():
    info = [i for i in threadpoolctl.threadpool_info() if i.get("internal_api") == "openblas"]
    return info[0] if info else {}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paced", action="store_true", help="wait for a line on stdin before each case and the report")
    paced = ap.parse_args().paced
    rng = np.random.default_rng(42)
    rows = []
    blas = openblas()
    for layout, m, n, k in CASES:
        if paced:
            await_go(f"the case {layout} {m}×{n}×{k}")
        a = rng.uniform(-1, 1, (k, m) if layout[0] == "T" else (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, k) if layout[1] == "T" else (k, n)).astype(np.float32)
        c = np.empty((m, n), np.float32)
        opa = a.T if layout[0] == "T" else a
        opb = b.T if layout[1] == "T" else b
        flops = 2.0 * m * n * k
        reps = 1 if flops > 1e9 else int(2e8 / flops) + 1
        times = []
        for s in range(-3, 15):
            t0 = time.perf_counter()
            for _ in range(reps):
                np.matmul(opa, opb, out=c)
            if s >= 0:
                times.append((time.perf_counter() - t0) / reps)
        med = statistics.median(times)
        print(f"sgemm {layout} m={m} n={n} k={k} threads={blas.get('num_threads')}  median {med * 1e3:.3f} ms"
              f"  {flops / med / 1e9:.1f} GFLOP/s", flush=True)
        rows.append({"layout": layout, "m": m, "n": n, "k": k, "ms": round(med * 1e3, 4),
                     "gflops": round(flops / med / 1e9, 2)})
    if paced:
        await_go("the report")
    print(json.dumps({"backend": "openblas", "threads": blas.get("num_threads"),
                      "kernel": blas.get("architecture"), "version": blas.get("version"), "gemm": rows}))


if __name__ == "__main__":
    main()
