#!/usr/bin/python3
"""Training-loop throughput of a Descent run from its steps.csv, epoch by epoch (the first skipped:
mostly JIT warm-up): the time from an epoch's first step to its last, over the steps between, so
the evaluation passes between epochs are left out, as in bench/baseline/cnn_torch.py's figure.

    /usr/bin/python3 bench/baseline/steps_rate.py out/cnn/steps.csv [--batch 64]
"""
import argparse
import csv


def main():
    p = argparse.ArgumentParser()
    p.add_argument("steps_csv")
    p.add_argument("--batch", type=int, default=64)
    a = p.parse_args()
    epochs = {}
    with open(a.steps_csv) as f:
        for row in csv.DictReader(f):
            epochs.setdefault(int(row["epoch"]), []).append(float(row["seconds"]))
    for epoch, seconds in sorted(epochs.items()):
        if epoch == 1 or len(seconds) < 2:
            continue
        seconds.sort()
        per_step = (seconds[-1] - seconds[0]) / (len(seconds) - 1)
        print(f"epoch {epoch}: {per_step * 1e3:.2f} ms a step, {a.batch / per_step:,.0f} samples/s")


if __name__ == "__main__":
    main()
