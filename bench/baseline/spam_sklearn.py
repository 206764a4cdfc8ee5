#!/usr/bin/env python3
"""Peer of `./descent spam`: scikit-learn's HashingVectorizer + SGDClassifier on the SpamAssassin corpus.

HashingVectorizer(n_features=2**20, ngram_range=(1, 2)) (signed, L2-normalised: the defaults), then
SGDClassifier(loss='log_loss') trained with partial_fit for 5 epochs over the training rows, on the
corpus's split rule (row i is a test row iff i % 5 == 4). Prints featurize and train documents/s,
test accuracy, F1 (spam) and ROC AUC; the last line is one JSON object with the keys of
`./descent spam`.

    /usr/bin/python3 bench/baseline/spam_sklearn.py [--data FILE] [--threads 1|2] [--epochs 5]

sklearn featurizes on one thread (HashingVectorizer.transform); with --threads 2 the documents are
split in two halves featurized in two processes (joblib), as sklearn's out-of-core example suggests.
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score


def default_data():
    here = os.path.dirname(os.path.abspath(__file__))
    for d in [here] + [os.path.abspath(os.path.join(here, *[".."] * k)) for k in range(1, 5)]:
        f = os.path.join(d, "shared", "data", "spamassassin", "spamassassin.jsonl.gz")
        if os.path.exists(f):
            return f
    sys.exit("no spamassassin.jsonl.gz found; pass --data")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=None)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=5)
    a = ap.parse_args()
    path = a.data or default_data()
    texts, labels = [], []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            texts.append(o["text"])
            labels.append(1 if o["label"] == "spam" else 0)
    y = np.array(labels)
    hv = HashingVectorizer(n_features=2**20, ngram_range=(1, 2))
    t0 = time.perf_counter()
    if a.threads <= 1:
        X = hv.transform(texts)
    else:
        from joblib import Parallel, delayed
        chunks = np.array_split(np.arange(len(texts)), a.threads)
        parts = Parallel(n_jobs=a.threads)(delayed(hv.transform)([texts[i] for i in c]) for c in chunks)
        X = sp.vstack(parts).tocsr()
    featurize = time.perf_counter() - t0
    test = np.arange(len(texts)) % 5 == 4
    Xtr, ytr, Xte, yte = X[~test], y[~test], X[test], y[test]
    clf = SGDClassifier(loss="log_loss", random_state=42)
    t1 = time.perf_counter()
    for _ in range(a.epochs):
        clf.partial_fit(Xtr, ytr, classes=[0, 1])
    train = time.perf_counter() - t1
    score = clf.decision_function(Xte)
    pred = (score > 0).astype(int)
    r = {
        "featurize_docs_per_s": len(texts) / featurize,
        "train_docs_per_s": Xtr.shape[0] * a.epochs / train,
        "test_accuracy": accuracy_score(yte, pred),
        "test_f1": f1_score(yte, pred),
        "test_auc": roc_auc_score(yte, score),
        "threads": a.threads,
    }
    print(f"sklearn: featurize {featurize:.3f} s ({r['featurize_docs_per_s']:.0f} docs/s), "
          f"train {a.epochs} epochs {train:.3f} s ({r['train_docs_per_s']:.0f} docs/s)")
    print(f"test accuracy {r['test_accuracy']:.4f}, F1 {r['test_f1']:.4f}, ROC AUC {r['test_auc']:.4f}")
    print(json.dumps(r))


if __name__ == "__main__":
    main()
