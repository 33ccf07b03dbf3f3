#!/usr/bin/env python3
"""Writes src/test/resources/dev/spikevae/metrics/inception_score_cases.npz: class probabilities and the Inception
Score numpy/scipy give them under the published splitting (docs/metrics.md), for InceptionScoreTest.

For each of `splits` consecutive groups of N // splits rows: p(y) is the group's mean row, the score of the group is
exp(mean_i KL(p(y|x_i) || p(y))) with scipy.stats.entropy (which normalises both rows to sum 1 and counts 0 log 0 as
0); the result is the mean and the population standard deviation of the group scores.

    python3 tools/make_is_fixture.py      (Debian: python3-numpy, python3-scipy)
"""
import os

import numpy as np
from scipy.stats import entropy

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "dev", "spikevae", "metrics",
                   "inception_score_cases.npz")


def score(preds, splits):
    n = preds.shape[0]
    group_scores = []
    for k in range(splits):
        part = preds[k * (n // splits):(k + 1) * (n // splits), :]
        py = np.mean(part, axis=0)
        group_scores.append(np.exp(np.mean([entropy(part[i, :], py) for i in range(part.shape[0])])))
    return np.mean(group_scores), np.std(group_scores)


def softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def main():
    rng = np.random.default_rng(7)
    cases = {}
    # confident, varied predictions over 1000 classes: a high score
    cases["sharp"] = (softmax(rng.normal(size=(32, 1000)) * 6), 4)
    # flat predictions: a score near 1
    cases["flat"] = (softmax(rng.normal(size=(20, 1000)) * 0.05), 5)
    # few classes, exact zeros in some rows, a group size that does not divide N (50 // 3 = 16, two rows unused)
    p = softmax(rng.normal(size=(50, 10)) * 3)
    p[::7, 3] = 0
    cases["zeros"] = (p, 3)
    out = {}
    for name, (preds, splits) in cases.items():
        mean, std = score(preds.astype(np.float64), splits)
        out[name + ".probs"] = preds
        out[name + ".splits"] = np.array(float(splits))
        out[name + ".mean"] = np.array(mean)
        out[name + ".std"] = np.array(std)
        print(f"{name}: {preds.shape} splits={splits} IS={mean!r} std={std!r}")
    np.savez_compressed(OUT, **out)
    print("wrote", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
