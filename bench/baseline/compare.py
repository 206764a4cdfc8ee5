#!/usr/bin/env python3
"""Descent against its peers, in one run on this machine: the issue-16 table.

Measures, with 1 and 2 threads, in alternating rounds (every workload once per round, so a noisy
neighbour slows all of them alike), and prints medians and ratios:

- the `descent bench` workload (MLP 784-128-10, batch 64, SGD lr 0.1 momentum 0.9, 5 timed epochs
  on MNIST-10k) in Descent (`./descent bench`), in NumPy over OpenBLAS with its NATIVE kernel
  (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset in that command alone; when OpenBLAS does not
  know the processor and falls back to a pre-AVX2 kernel such as Prescott, the strongest kernel
  for the processor's flags is forced instead: see best_kernel) and with the machine's setting,
  and in PyTorch's CPU build;
- sgemm in the three layouts at the MLP step's shapes and at 1024² and 2048²: Descent's backend
  (`./descent bench --gemm`) against OpenBLAS (through NumPy) native and with the machine's setting.

It prints which OpenBLAS kernel each setting ran (threadpoolctl) and where the targets of issue 16
land. Needs /usr/bin/python3 with python3-numpy, python3-threadpoolctl and python3-torch (apt).

Usage: /usr/bin/python3 bench/baseline/compare.py [--rounds 3] [--threads 1 2] [--json out.json]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
PY = "/usr/bin/python3"
MACHINE = dict(os.environ)
NATIVE = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}


def last_json(cmd, env, cwd=ROOT):
    """Runs cmd and returns the JSON object on its last line of output."""
    p = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def with_threads(env, t):
    e = dict(env)
    e["OPENBLAS_NUM_THREADS"] = str(t)
    e["OMP_NUM_THREADS"] = str(t)
    return e


def kernel(env):
    code = ("import json, numpy, threadpoolctl; i=[x for x in threadpoolctl.threadpool_info()"
            " if x.get('internal_api')=='openblas']; print(json.dumps(i[0] if i else {}))")
    info = last_json([PY, "-c", code], env)
    return f"{info.get('architecture', '?')} (OpenBLAS {info.get('version', '?')})"


# OpenBLAS's kernels from the strongest down, with the cpuinfo flags each needs.
KERNELS = [("Cooperlake", {"avx512f", "avx512_bf16"}), ("SkylakeX", {"avx512f"}), ("Haswell", {"avx2", "fma"})]
# What OpenBLAS falls back to for a processor its CPU table does not list.
FALLBACKS = {"Prescott", "Core2", "Nehalem", "Katmai", "Coppermine", "Northwood", "Banias", "Unknown"}


def best_kernel():
    """The native environment: OpenBLAS's own pick, unless that is a fallback below the processor.

    OpenBLAS 0.3.21 picks Prescott (SSE3) on processors newer than its table (Emerald Rapids,
    family 6 model 207, for one); NumPy then runs at a fraction of the machine's speed, which would
    make a weak peer. Returns (env, description)."""
    picked = kernel(NATIVE)
    if picked.split()[0] not in FALLBACKS:
        return NATIVE, picked
    try:
        with open("/proc/cpuinfo") as f:
            flags = set(next(l for l in f if l.startswith("flags")).split(":", 1)[1].split())
    except (OSError, StopIteration):
        return NATIVE, picked
    for name, needs in KERNELS:
        if needs <= flags:
            env = dict(NATIVE, OPENBLAS_CORETYPE=name)
            return env, f"{kernel(env)}, forced: OpenBLAS's own pick was {picked}, a fallback for a processor it does not know"
    return NATIVE, picked


def workloads(t, native):
    """(table, name, command, env) for thread count t; native: the environment of best_kernel."""
    descent = [os.path.join(ROOT, "descent"), "bench", "--threads", str(t)]
    return [
        ("mlp", "descent", descent, MACHINE),
        ("mlp", "numpy (native kernel)", [PY, os.path.join(HERE, "numpy_mlp.py")], with_threads(native, t)),
        ("mlp", "numpy (machine setting)", [PY, os.path.join(HERE, "numpy_mlp.py")], with_threads(MACHINE, t)),
        ("mlp", "pytorch cpu", [PY, os.path.join(HERE, "torch_mlp.py"), "--threads", str(t)], MACHINE),
        ("gemm", "descent", descent + ["--gemm"], MACHINE),
        ("gemm", "openblas (native kernel)", [PY, os.path.join(HERE, "numpy_gemm.py")], with_threads(native, t)),
        ("gemm", "openblas (machine setting)", [PY, os.path.join(HERE, "numpy_gemm.py")], with_threads(MACHINE, t)),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--json", help="also write every measurement here")
    a = ap.parse_args()
    subprocess.run([os.path.join(ROOT, "descent"), "--version"], cwd=ROOT, capture_output=True)  # build once
    native_env, native = best_kernel()
    print(f"OpenBLAS kernel: native {native}; machine setting {kernel(MACHINE)}"
          f" (OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')})")
    mlp = {}  # (name, t) -> [samples/s]
    gemm = {}  # (name, t, case) -> [gflops]
    for r in range(a.rounds):
        for t in a.threads:
            for table, name, cmd, env in workloads(t, native_env):
                out = last_json(cmd, env)
                if table == "mlp":
                    mlp.setdefault((name, t), []).append(out["samples_per_s"])
                else:
                    for c in out["gemm"]:
                        key = (name, t, f"{c['layout']} {c['m']}×{c['n']}×{c['k']}")
                        gemm.setdefault(key, []).append(c["gflops"])
        print(f"round {r + 1}/{a.rounds} done", flush=True)
    med = statistics.median
    names = [w[1] for w in workloads(1, native_env) if w[0] == "mlp"]
    print("\nMLP training, samples/s (median of rounds); last columns: descent ÷ peer")
    print(f"{'':26}" + "".join(f"{f'{t} thr':>12}" for t in a.threads) + "".join(f"{f'÷ {t} thr':>10}" for t in a.threads))
    for n in names:
        row = f"{n:26}" + "".join(f"{med(mlp[(n, t)]):12.0f}" for t in a.threads)
        row += "".join(f"{med(mlp[('descent', t)]) / med(mlp[(n, t)]):10.2f}" for t in a.threads)
        print(row)
    cases = sorted({k[2] for k in gemm}, key=lambda c: [k[2] for k in gemm].index(c))
    print("\nsgemm GFLOP/s (median of rounds); ratio = descent ÷ openblas native")
    for t in a.threads:
        print(f"{t} thread(s): {'case':18}{'descent':>10}{'native':>10}{'machine':>10}{'ratio':>8}")
        for c in cases:
            d, nat, mach = (med(gemm[(n, t, c)]) for n in
                            ("descent", "openblas (native kernel)", "openblas (machine setting)"))
            print(f"{'':13}{c:18}{d:10.1f}{nat:10.1f}{mach:10.1f}{d / nat:8.2f}")
    print("\nissue 16 targets:")
    for t in a.threads:
        r = med(mlp[("descent", t)]) / med(mlp[("numpy (native kernel)", t)])
        print(f"  bench ≥ 1.3× numpy native, {t} thr: {r:.2f}× {'met' if r >= 1.3 else 'MISSED'}")
        worst = min(med(gemm[("descent", t, c)]) / med(gemm[("openblas (native kernel)", t, c)])
                    for c in cases if "1024" in c or "2048" in c)
        print(f"  sgemm 1024²/2048² ≥ 90 % of native, {t} thr: worst {worst:.0%} {'met' if worst >= 0.9 else 'MISSED'}")
        c = "NT 64×128×784"
        f = med(gemm[("descent", t, c)]) / med(gemm[("openblas (native kernel)", t, c)])
        print(f"  forward X·Wᵀ 64×128×784 ≥ 85 %, {t} thr: {f:.0%} {'met' if f >= 0.85 else 'MISSED'}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"mlp": {f"{k[0]}|{k[1]}": v for k, v in mlp.items()},
                       "gemm": {f"{k[0]}|{k[1]}|{k[2]}": v for k, v in gemm.items()}}, f, indent=1)


if __name__ == "__main__":
    main()
