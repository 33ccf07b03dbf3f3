#!/usr/bin/env python3
"""Writes src/test/resources/dev/spikevae/metrics/frechet_cases.npz: Gaussian statistics pairs and their Frechet
distance computed with numpy/scipy, the values FrechetDistanceTest checks the Java implementation against.

The distance follows the evaluation protocol of docs/metrics.md: ||mu1 - mu2||^2 + tr(S1) + tr(S2)
- 2 tr(sqrtm(S1 S2)) with scipy.linalg.sqrtm; when the root is not finite, 1e-6 is added to both diagonals and
the root taken again; a complex root contributes its real part. Run once (Debian: python3-numpy, python3-scipy):

    python3 tools/make_frechet_fixtures.py
"""
import os

import numpy as np
from scipy import linalg

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "dev", "spikevae", "metrics",
                   "frechet_cases.npz")


def frechet(mu1, s1, mu2, s2, eps=1e-6):
    root, _ = linalg.sqrtm(s1.dot(s2), disp=False)
    fallback = 0
    if not np.isfinite(root).all():
        fallback = 1
        offset = np.eye(s1.shape[0]) * eps
        root = linalg.sqrtm((s1 + offset).dot(s2 + offset))
    if np.iscomplexobj(root):
        root = root.real
    d = mu1 - mu2
    return float(d.dot(d) + np.trace(s1) + np.trace(s2) - 2 * np.trace(root)), fallback


def stats(features):
    return features.mean(axis=0), np.cov(features, rowvar=False)


def main():
    rng = np.random.default_rng(20261202)
    cases = {}

    def add(name, mu1, s1, mu2, s2):
        value, fallback = frechet(mu1, s1, mu2, s2)
        cases[name + ".mu1"] = mu1
        cases[name + ".sigma1"] = s1
        cases[name + ".mu2"] = mu2
        cases[name + ".sigma2"] = s2
        cases[name + ".distance"] = np.array(value)
        cases[name + ".fallback"] = np.array(float(fallback))
        print(f"{name}: d={mu1.shape[0]} distance={value!r} fallback={fallback}")

    # Small, well conditioned, different means and covariances.
    a = rng.normal(size=(200, 4))
    b = rng.normal(size=(300, 4)) @ rng.normal(size=(4, 4)) + 0.5
    add("small", *stats(a), *stats(b))
    # The FAD size: 64 features from 5,120 samples, correlated.
    mix1 = rng.normal(size=(64, 64)) / 8
    mix2 = mix1 + rng.normal(size=(64, 64)) / 40
    add("d64", *stats(rng.normal(size=(5120, 64)) @ mix1), *stats(rng.normal(size=(5120, 64)) @ mix2 + 0.1))
    # Near-singular: fewer samples than features, so sigma1 has rank 39 of 64.
    add("rank_deficient", *stats(rng.normal(size=(40, 64)) @ mix1), *stats(rng.normal(size=(4000, 64)) @ mix2))
    # Both singular (rank 10 of 32) on the same low-dimensional subspace.
    basis = rng.normal(size=(10, 32))
    add("both_singular", *stats(rng.normal(size=(500, 10)) @ basis), *stats(rng.normal(size=(600, 10)) @ basis + 0.01))
    # Near-identical distributions: a distance close to zero.
    base = rng.normal(size=(3000, 16)) @ rng.normal(size=(16, 16))
    add("near_identical", *stats(base), *stats(base + rng.normal(size=base.shape) * 1e-3))
    # Ill-conditioned: eigenvalues spread over 12 orders of magnitude.
    q, _ = np.linalg.qr(rng.normal(size=(24, 24)))
    s1 = q @ np.diag(np.logspace(-10, 2, 24)) @ q.T
    s2 = q.T @ np.diag(np.logspace(2, -10, 24)) @ q
    add("ill_conditioned", rng.normal(size=24), (s1 + s1.T) / 2, rng.normal(size=24), (s2 + s2.T) / 2)

    np.savez(OUT, **cases)
    print("wrote", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
