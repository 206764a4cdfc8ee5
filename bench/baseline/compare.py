#!/usr/bin/env python3
"""Descent against its peers, in one run on this machine: the issue-16 table.

Measures, with 1 and 2 threads, in alternating rounds (every workload once per round, so a noisy
neighbour slows all of them alike), and prints medians and ratios: the ratio of the medians (the
issue's measure) and, beside it, the median and range of the ratios within each round (Descent
against the peer measured just before or after it), which a slow drift of the machine's speed
between rounds does not move:

- the `descent bench` workload (MLP 784-128-10, batch 64, SGD lr 0.1 momentum 0.9, 5 timed epochs
  on MNIST-10k) in Descent (`./descent bench`), in NumPy over OpenBLAS with its NATIVE kernel
  (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset in that command alone; when OpenBLAS does not
  know the processor and falls back to a pre-AVX2 kernel such as Prescott, the strongest kernel
  for the processor's flags is forced instead: see best_kernel) and with the machine's setting,
  and in PyTorch's CPU build; Descent and NumPy-native run side by side with --paced, taking turns
  epoch by epoch (see paced_pair), which gives a third ratio, epoch by epoch;
- the CNN of `descent cnn` (`./descent bench --model cnn`) against the same network in PyTorch's CPU
  build (torch_bench.py --model cnn), each alone, unless --no-cnn;
- sgemm in the three layouts at the MLP step's shapes and at 1024² and 2048²: Descent's backend
  (`./descent bench --gemm`) against OpenBLAS (through NumPy) native (these two side by side with
  --paced, taking turns case by case) and with the machine's setting.

It prints which OpenBLAS kernel each setting ran (threadpoolctl) and where the targets of issue 16
land. Descent's bench and NumPy-native's MLP each run twice a round: paced, taking turns with the
other, and alone; the bench target compares like with like (alone with alone, paced with paced) and
is judged by the lower ratio (on a 2-core Zen 4 guest both ran their two threads up to ~20 % slower
paced than alone). Where the machine's setting already runs the native kernel, its row is
NumPy-native alone, and the sgemm targets are judged against the faster of the paced and lone
OpenBLAS. Needs /usr/bin/python3 with python3-numpy, python3-threadpoolctl and python3-torch (apt).

Usage: /usr/bin/python3 bench/baseline/compare.py [--rounds 3] [--threads 1 2] [--json out.json] [--no-cnn]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from paced import PROMPT

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


IDLE_PAUSE_S = 0.3  # before each turn of paced_pair


def paced_pair(runs, results=("epoch ",)):
    """Runs the commands of runs, [(cmd, env)], at once, each with --paced, and lets them take turns:
    both finish their warm-up, then each timed part (an epoch, or a --gemm case) of the first runs
    right next to the same part of the second (who goes first alternates), and never while the other
    is computing. A drift of the machine's speed over seconds then falls on both parts of a pair
    alike. results: how the line reporting a timed part starts. Returns each command's JSON report
    and its result lines."""
    procs = []
    for cmd, env in runs:
        err = tempfile.TemporaryFile(mode="w+")
        procs.append((subprocess.Popen(cmd + ["--paced"], env=env, cwd=ROOT, stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=err, text=True), err, cmd))

    def fail(i, why):
        p, err, cmd = procs[i]
        p.kill()
        err.seek(0)
        sys.exit(f"{why}: {' '.join(cmd)}\n{err.read()[-2000:]}")

    def until(i, *starts):
        while True:
            line = procs[i][0].stdout.readline()
            if not line:
                fail(i, f"output ended before a line starting with {starts}")
            if line.startswith(starts):
                return line

    def go(i):
        # an idle pause first: OpenBLAS's threads spin for up to 2^28 cycles (~0.1 s) after a call
        # before they sleep, and would take a core from the other side's epoch
        time.sleep(IDLE_PAUSE_S)
        procs[i][0].stdin.write("go\n")
        procs[i][0].stdin.flush()

    lines = [[] for _ in procs]
    tails = [None] * len(procs)  # from the line after the last timed part on: the report
    for i in range(len(procs)):
        until(i, PROMPT)
    e = 0
    while None in tails:
        for i in (range(len(procs)) if e % 2 == 0 else reversed(range(len(procs)))):
            if tails[i] is not None:
                continue
            go(i)
            line = until(i, *results, "test accuracy", "{")
            if line.startswith(results):
                lines[i].append(line)
                until(i, PROMPT)
            else:  # that go was the test pass's: the report follows
                procs[i][0].stdin.close()
                tails[i] = line + procs[i][0].stdout.read()
        e += 1
    reports = []
    for i, (p, err, cmd) in enumerate(procs):
        if p.wait() != 0:
            fail(i, f"failed ({p.returncode})")
        reports.append(json.loads(tails[i].strip().splitlines()[-1]))
    return reports, lines


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
    """(table, name, command, env) for thread count t; native: the environment of best_kernel. The
    "paced" pair runs together, epoch by epoch (paced_pair), and goes to the MLP table; the "paced
    gemm" pair runs together case by case, and goes to the sgemm table."""
    descent = [os.path.join(ROOT, "descent"), "bench", "--threads", str(t)]
    numpy_mlp = [PY, os.path.join(HERE, "numpy_mlp.py")]
    # Descent and NumPy-native each run alone too ("mlp" table), so that each is compared with the
    # other in the same conditions: alone with alone, paced with paced
    alone = [("mlp", "descent (alone)", descent, MACHINE),
             ("mlp", "numpy (machine setting)", numpy_mlp, with_threads(MACHINE, t))]
    if native != MACHINE:
        alone.append(("mlp", "numpy (native kernel), alone", numpy_mlp, with_threads(native, t)))
    return [
        ("paced", "descent", descent, MACHINE),
        ("paced", "numpy (native kernel)", numpy_mlp, with_threads(native, t)),
        *alone,
        ("mlp", "pytorch cpu", [PY, os.path.join(HERE, "torch_bench.py"), "--threads", str(t)], MACHINE),
        # the CNN target: `descent bench --model cnn` and the same network in PyTorch, each alone
        ("cnn", "descent", descent + ["--model", "cnn", "--epochs", str(CNN_EPOCHS)], MACHINE),
        ("cnn", "pytorch cpu", [PY, os.path.join(HERE, "torch_bench.py"), "--model", "cnn", "--threads", str(t),
                                "--epochs", str(CNN_EPOCHS)], MACHINE),
        ("paced gemm", "descent", descent + ["--gemm"], MACHINE),
        ("paced gemm", "openblas (native kernel)", [PY, os.path.join(HERE, "numpy_gemm.py")],
         with_threads(native, t)),
        ("gemm", "openblas (machine setting)", [PY, os.path.join(HERE, "numpy_gemm.py")], with_threads(MACHINE, t)),
    ]


CNN_EPOCHS = 3  # timed epochs of each CNN run (after their warm-up)


def add_gemm(gemm, name, t, report):
    """Appends each case's GFLOP/s of a --gemm report to gemm[(name, t, case)]."""
    for c in report["gemm"]:
        gemm.setdefault((name, t, f"{c['layout']} {c['m']}×{c['n']}×{c['k']}"), []).append(c["gflops"])


def spread(values):
    """values as "median [lowest–highest]"."""
    q = sorted(values)
    return f"{statistics.median(q):.2f} [{q[0]:.2f}–{q[-1]:.2f}]"


def paired(ours, peer):
    """The ratios ours[r] / peer[r] of the rounds, as spread gives them."""
    return spread(x / y for x, y in zip(ours, peer))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--json", help="also write every measurement here")
    ap.add_argument("--no-cnn", action="store_true", help="leave out the CNN against PyTorch (about a third of the time)")
    a = ap.parse_args()
    subprocess.run([os.path.join(ROOT, "descent"), "--version"], cwd=ROOT, capture_output=True)  # build once
    native_env, native = best_kernel()
    print(f"OpenBLAS kernel: native {native}; machine setting {kernel(MACHINE)}"
          f" (OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')})")
    mlp = {}  # (name, t) -> [samples/s]
    gemm = {}  # (name, t, case) -> [gflops]
    cnn = {}  # (name, t) -> [samples/s]
    epochs = {}  # t -> [numpy-native epoch seconds ÷ descent's, for each pair of epochs]
    for r in range(a.rounds):
        for t in a.threads:
            work = workloads(t, native_env)
            names, runs = zip(*[(name, (cmd, env)) for table, name, cmd, env in work if table == "paced"])
            reports, lines = paced_pair(list(runs))
            for name, out in zip(names, reports):
                mlp.setdefault((name, t), []).append(out["samples_per_s"])
            seconds = [[float(l.split()[2]) for l in ls] for ls in lines]  # "epoch 1/5  0.0871 s ..."
            epochs.setdefault(t, []).extend(n / d for d, n in zip(*seconds))
            names, runs = zip(*[(name, (cmd, env)) for table, name, cmd, env in work if table == "paced gemm"])
            reports, _ = paced_pair(list(runs), results=("gemm ", "sgemm "))
            for name, out in zip(names, reports):
                add_gemm(gemm, name, t, out)
            for table, name, cmd, env in work:
                if table.startswith("paced") or (table == "cnn" and a.no_cnn):
                    continue
                out = last_json(cmd, env)
                if table == "mlp":
                    mlp.setdefault((name, t), []).append(out["samples_per_s"])
                elif table == "cnn":
                    cnn.setdefault((name, t), []).append(out["samples_per_s"])
                else:
                    add_gemm(gemm, name, t, out)
        print(f"round {r + 1}/{a.rounds} done", flush=True)
    med = statistics.median
    tables = {w[1]: w[0] for w in workloads(1, native_env) if w[0] in ("paced", "mlp")}
    names = list(tables)

    def ours(n):
        """Descent measured as the peer n was: paced beside NumPy-native, or alone."""
        return "descent" if tables[n] == "paced" else "descent (alone)"

    print("\nMLP training, samples/s (median of rounds); last columns: descent ÷ peer (ratio of the medians),"
          " Descent measured as the peer was (paced beside the other, or alone)")
    print(f"{'':30}" + "".join(f"{f'{t} thr':>12}" for t in a.threads) + "".join(f"{f'÷ {t} thr':>10}" for t in a.threads))
    for n in names:
        row = f"{n:30}" + "".join(f"{med(mlp[(n, t)]):12.0f}" for t in a.threads)
        if not n.startswith("descent"):
            row += "".join(f"{med(mlp[(ours(n), t)]) / med(mlp[(n, t)]):10.2f}" for t in a.threads)
        print(row)
    print("descent ÷ peer within each round: median [lowest–highest] of the rounds")
    for n in names:
        if not n.startswith("descent"):
            print(f"{n:30}" + "".join(f"  {t} thr {paired(mlp[(ours(n), t)], mlp[(n, t)])}" for t in a.threads))
    print("descent ÷ numpy (native kernel), epoch by epoch (each pair of epochs back to back): median [range]")
    for t in a.threads:
        print(f"{'':30}  {t} thr {spread(epochs[t])} of {len(epochs[t])} pairs")
    cases = sorted({k[2] for k in gemm}, key=lambda c: [k[2] for k in gemm].index(c))
    print("\nsgemm GFLOP/s (median of rounds); ratio = descent ÷ openblas native; within rounds: median [range]")
    for t in a.threads:
        print(f"{t} thread(s): {'case':18}{'descent':>10}{'native':>10}{'machine':>10}{'ratio':>8}  within rounds")
        for c in cases:
            d, nat, mach = (gemm[(n, t, c)] for n in
                            ("descent", "openblas (native kernel)", "openblas (machine setting)"))
            print(f"{'':13}{c:18}{med(d):10.1f}{med(nat):10.1f}{med(mach):10.1f}{med(d) / med(nat):8.2f}"
                  f"  {paired(d, nat)}")
    if cnn:
        print(f"\nCNN training (`descent bench --model cnn`, {CNN_EPOCHS} timed epochs after the warm-up), samples/s"
              " (median of rounds); descent ÷ pytorch: ratio of the medians, and within rounds")
        for t in a.threads:
            d, p = cnn[("descent", t)], cnn[("pytorch cpu", t)]
            print(f"  {t} thr: descent {med(d):8.0f}  pytorch cpu {med(p):8.0f}  ratio {med(d) / med(p):.2f}"
                  f"  within rounds {paired(d, p)}")
    # Where the machine's setting already runs the native kernel, the "machine setting" rows are the
    # same peer measured alone (not taking turns with Descent): each sgemm target is judged against
    # the faster of the two, so a peer slowed by the pairing cannot make a target look met.
    same = native_env == MACHINE
    print("\nissue 16 targets (ratio of the medians; within rounds: median [range] of the rounds' ratios)"
          + (":" if not same else "; the machine setting runs the native kernel, so each sgemm target is"
             " judged against the faster of the paced OpenBLAS and the same OpenBLAS alone:"))

    def strongest(table, key):
        """The measurements of the stronger native peer in table for key(name), and how it ran."""
        peers = [("paced", table[key("native kernel")])]
        if same:
            peers.append(("alone", table[key("machine setting")]))
        return max(peers, key=lambda p: med(p[1]))

    native_alone = "numpy (machine setting)" if same else "numpy (native kernel), alone"
    for t in a.threads:
        # like with like: Descent alone ÷ NumPy-native alone, Descent paced ÷ NumPy-native paced;
        # the target is judged by the lower of the two
        d, nat = mlp[("descent (alone)", t)], mlp[(native_alone, t)]
        dp, natp = mlp[("descent", t)], mlp[("numpy (native kernel)", t)]
        r, rp = med(d) / med(nat), med(dp) / med(natp)
        q = statistics.median(epochs[t])
        print(f"  bench ≥ 1.3× numpy native, {t} thr: {min(r, rp):.3f}× {'met' if min(r, rp) >= 1.3 else 'MISSED'}"
              f" (the lower of: alone ÷ alone {r:.3f}×, within rounds {paired(d, nat)};"
              f" paced ÷ paced {rp:.3f}×, within rounds {paired(dp, natp)}, epoch by epoch {q:.3f}×)")
        worst = min(med(gemm[("descent", t, c)]) / med(strongest(gemm, lambda s: (f"openblas ({s})", t, c))[1])
                    for c in cases if "1024" in c or "2048" in c)
        print(f"  sgemm 1024²/2048² ≥ 90 % of native, {t} thr: worst {worst:.0%} {'met' if worst >= 0.9 else 'MISSED'}")
        c = "NT 64×128×784"
        d = gemm[("descent", t, c)]
        how, nat = strongest(gemm, lambda s: (f"openblas ({s})", t, c))
        f = med(d) / med(nat)
        print(f"  forward X·Wᵀ 64×128×784 ≥ 85 % ({how}), {t} thr: {f:.0%} {'met' if f >= 0.85 else 'MISSED'}"
              f"; within rounds {paired(d, nat)}")
        if cnn:
            d, p = cnn[("descent", t)], cnn[("pytorch cpu", t)]
            r = med(d) / med(p)
            print(f"  CNN ≥ 2× pytorch cpu, {t} thr: {r:.3f}× {'met' if r >= 2 else 'MISSED'}; within rounds {paired(d, p)}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"mlp": {f"{k[0]}|{k[1]}": v for k, v in mlp.items()},
                       "gemm": {f"{k[0]}|{k[1]}|{k[2]}": v for k, v in gemm.items()},
                       "cnn": {f"{k[0]}|{k[1]}": v for k, v in cnn.items()},
                       "mlp_epoch_pairs": {str(t): v for t, v in epochs.items()}}, f, indent=1)


if __name__ == "__main__":
    main()
