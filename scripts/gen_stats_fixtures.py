#!/usr/bin/env python3
"""Reference values for the Experiments statistics tests, computed with scipy.

Usage (from the repository root):
    python3 scripts/gen_stats_fixtures.py > Tests/ExperimentsTests/Fixtures/scipy-reference.json

Distribution values and the Welch, z and chi-square tests come from scipy; Welch degrees of
freedom, confidence intervals, the relative lift, Holm, Benjamini-Hochberg, the sequential
interval, ratio and CUPED moments are written out by hand here (from raw per-user arrays where
that gives an independent path to the sums the Swift code uses). The seed is fixed, so the
output is reproducible; scipy is a development tool only, never a runtime dependency.
"""
import json
import sys

import numpy as np
import scipy
from scipy import special, stats

SEED = 20261125
ALPHA = 0.05
rng = np.random.default_rng(SEED)


def f(x):
    """A plain float for json (numpy scalars are not serialisable)."""
    return float(x)


def distributions():
    normal_cdf = [[x, f(stats.norm.cdf(x))] for x in [-30.0, -8.0, -3.0, -1.96, -0.5, 0.0, 0.7, 2.5, 6.0]]
    normal_quantile = [
        [p, f(stats.norm.ppf(p))]
        for p in [1e-300, 1e-20, 1e-8, 0.001, 0.025, 0.1, 0.3, 0.5, 0.6, 0.9, 0.975, 0.999, 1 - 1e-10]
    ]
    dofs = [1.0, 2.0, 3.0, 4.5, 10.0, 30.0, 100.0, 1000.0, 5841.742032093565, 1e6]
    t_values = [-30.0, -4.0, -2.1, -0.3, 0.0, 0.8, 1.87, 3.5, 12.0]
    t_cdf = [[t, nu, f(stats.t.cdf(t, nu))] for nu in dofs for t in t_values]
    probabilities = [1e-10, 1e-4, 0.001, 0.025, 0.1, 0.4, 0.6, 0.9, 0.975, 0.9995]
    t_quantile = [[p, nu, f(stats.t.ppf(p, nu))] for nu in dofs for p in probabilities]
    chi_square_survival = [
        [x, k, f(stats.chi2.sf(x, k))]
        for k in [1.0, 2.0, 3.0, 9.0, 50.0]
        for x in [0.01, 0.5, 3.0, 9.0, 21.67, 40.0, 120.0]
    ]
    incomplete_beta = [
        [x, a, b, f(special.betainc(a, b, x))]
        for (a, b) in [(0.5, 0.5), (1.0, 3.0), (2.5, 0.5), (10.0, 20.0), (2920.0, 0.5), (0.5, 2920.0)]
        for x in [0.001, 0.1, 0.5, 0.9, 0.999]
    ]
    incomplete_gamma = [
        [a, x, f(special.gammainc(a, x)), f(special.gammaincc(a, x))]
        for a in [0.5, 1.0, 4.5, 25.0, 500.0]
        for x in [0.01, 1.0, 4.0, 25.0, 520.0]
    ]
    log_gamma = [[x, f(special.gammaln(x))] for x in [0.1, 0.5, 1.5, 3.0, 10.0, 100.5, 2920.0, 1e6]]
    return {
        "normalCdf": normal_cdf,
        "normalQuantile": normal_quantile,
        "tCdf": t_cdf,
        "tQuantile": t_quantile,
        "chiSquareSurvival": chi_square_survival,
        "incompleteBeta": incomplete_beta,
        "incompleteGamma": incomplete_gamma,
        "logGamma": log_gamma,
    }


def welch_dof(va, na, vb, nb):
    a, b = va / na, vb / nb
    return (a + b) ** 2 / (a**2 / (na - 1) + b**2 / (nb - 1))


def random_arm():
    count = int(rng.integers(5, 5000))
    mean = f(rng.normal(10, 5))
    variance = f(rng.uniform(0.5, 60) ** 2 / 10)
    return {"mean": mean, "variance": variance, "count": count}


def welch_cases(n=12):
    cases = []
    for _ in range(n):
        a, b = random_arm(), random_arm()
        va, na, vb, nb = a["variance"], a["count"], b["variance"], b["count"]
        dof = welch_dof(va, na, vb, nb)
        t, p = stats.ttest_ind_from_stats(
            b["mean"], np.sqrt(vb), nb, a["mean"], np.sqrt(va), na, equal_var=False
        )
        critical = stats.t.ppf(1 - ALPHA / 2, dof)
        estimate = b["mean"] - a["mean"]
        se = np.sqrt(va / na + vb / nb)
        rel = (b["mean"] - a["mean"]) / abs(a["mean"])
        rel_se = np.sqrt(vb / (a["mean"] ** 2 * nb) + b["mean"] ** 2 * va / (a["mean"] ** 4 * na))
        cases.append({
            "control": a,
            "treatment": b,
            "degreesOfFreedom": f(dof),
            "absolute": {
                "estimate": f(estimate), "standardError": f(se), "statistic": f(t), "pValue": f(p),
                "lower": f(estimate - critical * se), "upper": f(estimate + critical * se),
            },
            "relative": {
                "estimate": f(rel), "standardError": f(rel_se), "statistic": f(rel / rel_se),
                "pValue": f(2 * stats.t.sf(abs(rel / rel_se), dof)),
                "lower": f(rel - critical * rel_se), "upper": f(rel + critical * rel_se),
            },
        })
    return cases


def proportion_cases(n=10):
    cases = []
    for _ in range(n):
        na, nb = int(rng.integers(50, 20000)), int(rng.integers(50, 20000))
        base = rng.uniform(0.02, 0.6)
        xa = int(rng.binomial(na, base))
        xb = int(rng.binomial(nb, base * rng.uniform(0.9, 1.15)))
        pa, pb = xa / na, xb / nb
        pooled = (xa + xb) / (na + nb)
        z = (pb - pa) / np.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
        se = np.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb)
        critical = stats.norm.ppf(1 - ALPHA / 2)
        cases.append({
            "control": {"successes": xa, "count": na},
            "treatment": {"successes": xb, "count": nb},
            "statistic": f(z), "pValue": f(2 * stats.norm.sf(abs(z))), "standardError": f(se),
            "lower": f(pb - pa - critical * se), "upper": f(pb - pa + critical * se),
        })
    return cases


def sample_ratio_cases():
    cases = []
    for weights in [[0.5, 0.5], [0.5, 0.5], [0.2, 0.3, 0.5], [0.25, 0.25, 0.25, 0.25], [0.1, 0.9]]:
        total = int(rng.integers(1000, 100000))
        skew = rng.uniform(0.97, 1.03, size=len(weights))
        probabilities = np.array(weights) * skew
        counts = rng.multinomial(total, probabilities / probabilities.sum())
        expected = np.array(weights) * counts.sum()
        statistic, p = stats.chisquare(counts, expected)
        cases.append({"counts": [int(c) for c in counts], "weights": weights,
                      "chiSquare": f(statistic), "pValue": f(p)})
    return cases


def holm(p):
    m = len(p)
    order = np.argsort(p, kind="stable")
    adjusted = np.empty(m)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[index]))
        adjusted[index] = running
    return [f(x) for x in adjusted]


def benjamini_hochberg(p):
    m = len(p)
    order = np.argsort(p, kind="stable")
    adjusted = np.empty(m)
    running = 1.0
    for rank in range(m - 1, -1, -1):
        index = order[rank]
        running = min(running, m * p[index] / (rank + 1))
        adjusted[index] = running
    return [f(x) for x in adjusted]


def multiple_comparison_cases():
    lists = [
        [0.01, 0.04, 0.03, 0.005],
        [0.2, 0.001, 0.5, 0.04, 0.04, 0.9],
        [f(x) for x in rng.uniform(0, 0.2, size=8)],
        [0.6],
    ]
    return [{"pValues": p, "holm": holm(p), "benjaminiHochberg": benjamini_hochberg(p)} for p in lists]


def sequential_cases(n=5):
    cases = []
    for _ in range(n):
        a, b = random_arm(), random_arm()
        tuning = float(rng.choice([1000.0, 5000.0, 20000.0]))
        total = a["count"] + b["count"]
        rel = (b["mean"] - a["mean"]) / abs(a["mean"])
        variance = b["variance"] / (a["mean"] ** 2 * b["count"]) + b["mean"] ** 2 * a["variance"] / (
            a["mean"] ** 4 * a["count"])
        rho = np.sqrt((-2 * np.log(ALPHA) + np.log(-2 * np.log(ALPHA) + 1)) / tuning)
        width = np.sqrt(variance * total) * np.sqrt(
            2 * (total * rho**2 + 1) * np.log(np.sqrt(total * rho**2 + 1) / ALPHA) / (total * rho) ** 2)
        cases.append({"control": a, "treatment": b, "tuningSampleSize": tuning,
                      "estimate": f(rel), "lower": f(rel - width), "upper": f(rel + width)})
    return cases


def paired_sums(x, y):
    return {"count": len(x), "sumX": f(x.sum()), "sumY": f(y.sum()), "sumXSquares": f((x * x).sum()),
            "sumYSquares": f((y * y).sum()), "sumXY": f((x * y).sum())}


def ratio_cases(n=4):
    cases = []
    for _ in range(n):
        count = int(rng.integers(20, 3000))
        views = rng.poisson(rng.uniform(2, 30), size=count).astype(float) + 1
        reports = rng.binomial(views.astype(int), rng.uniform(0.01, 0.3)).astype(float)
        cov = np.cov(reports, views, ddof=1)
        mx, my = reports.mean(), views.mean()
        variance = (cov[0, 0] / my**2 - 2 * mx * cov[0, 1] / my**3 + mx**2 * cov[1, 1] / my**4) / count
        cases.append({"sums": paired_sums(reports, views), "ratio": f(mx / my), "varianceOfRatio": f(variance)})
    return cases


def cuped_cases(n=3):
    cases = []
    for _ in range(n):
        arms = []
        for lift in [0.0, rng.uniform(0, 0.5)]:
            count = int(rng.integers(200, 3000))
            pre = rng.gamma(2.0, 3.0, size=count)
            post = 0.8 * pre + rng.normal(lift + 1, 2.0, size=count)
            arms.append((pre, post))
        pooled_pre = np.concatenate([arms[0][0], arms[1][0]])
        pooled_post = np.concatenate([arms[0][1], arms[1][1]])
        theta = np.cov(pooled_post, pooled_pre, ddof=1)[0, 1] / np.var(pooled_pre, ddof=1)
        adjusted = []
        for pre, post in arms:
            values = post - theta * (pre - pooled_pre.mean())
            adjusted.append({"mean": f(values.mean()), "variance": f(np.var(values, ddof=1)), "count": len(values)})
        cases.append({
            "control": paired_sums(arms[0][0], arms[0][1]),
            "treatment": paired_sums(arms[1][0], arms[1][1]),
            "theta": f(theta), "adjustedControl": adjusted[0], "adjustedTreatment": adjusted[1],
        })
    return cases


def power_cases():
    cases = []
    for users, variance, alpha, power in [(1000, 15.21, 0.05, 0.8), (3407, 38.44, 0.05, 0.9), (250, 1.0, 0.01, 0.8)]:
        z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
        mde = z * np.sqrt(2 * variance / users)
        effect = 0.45 * mde  # not an exact fraction of the MDE, so the ceiling is not decided by rounding
        cases.append({
            "usersPerArm": users, "variance": variance, "alpha": alpha, "power": power,
            "minimumDetectableEffect": f(mde), "effect": f(effect),
            "usersPerArmNeeded": int(np.ceil(2 * variance * z**2 / effect**2)),
            "achievedPower": f(stats.norm.cdf(effect / np.sqrt(2 * variance / users) - stats.norm.ppf(1 - alpha / 2))),
        })
    return cases


def pooled_z(xa, ya, xb, yb, theta):
    """z(theta) of PooledTest from per-user arrays: the control's X scaled by theta, residuals
    about the pooled ratio, their variance over all users times the re-randomisation factor."""
    x = np.concatenate([theta * xa, xb])
    y = np.concatenate([ya, yb])
    residuals = x - x.sum() / y.sum() * y
    s2 = np.var(residuals, ddof=1)
    variance = s2 * len(xa) * len(xb) / len(x) * (1 / ya.sum() + 1 / yb.sum()) ** 2
    return (xb.sum() / yb.sum() - theta * xa.sum() / ya.sum()) / np.sqrt(variance)


def pooled_interval(xa, ya, xb, yb, critical):
    """{theta >= 0: |z(theta)| <= c} by root finding on the arrays (not the Swift quadratic)."""
    from scipy.optimize import brentq
    g = lambda t: pooled_z(xa, ya, xb, yb, t) ** 2 - critical ** 2
    estimate = (xb.sum() / yb.sum()) / (xa.sum() / ya.sum())
    lower = 0.0 if g(0.0) <= 0 else brentq(g, 0.0, estimate, xtol=1e-14, rtol=1e-13)
    upper = None
    bound = estimate * 2 + 1
    while bound < 1e7:
        if g(bound) > 0:
            upper = brentq(g, estimate, bound, xtol=1e-14, rtol=1e-13) - 1
            break
        bound *= 4
    return lower - 1, upper


def sequential_critical(total, tuning):
    rho = np.sqrt((-2 * np.log(ALPHA) + np.log(-2 * np.log(ALPHA) + 1)) / tuning)
    return np.sqrt(total) * np.sqrt(2 * (total * rho**2 + 1) * np.log(np.sqrt(total * rho**2 + 1) / ALPHA) / (total * rho) ** 2)


def pooled_cases():
    """PooledTest on rare, skewed per-user counts (most users zero, a few heavy ones), a ratio of
    such counts over views, a proportion, and a control too sparse to bound the lift above."""
    generator = np.random.default_rng(SEED + 22)

    def skewed(count, share, mean):
        heavy = generator.random(count) < share
        return np.where(heavy, generator.negative_binomial(1, 1 / (1 + mean), size=count) + 1, 0).astype(float)

    cases = []
    shapes = [("mean", 480, 0.08, 2.0, 1.3), ("mean", 150, 0.10, 1.5, 0.9), ("mean", 12, 0.12, 1.0, 2.0),
              ("ratio", 470, 0.09, 1.5, 1.4), ("proportion", 900, 0.11, 0.0, 1.2)]
    for kind, count, share, mean, lift in shapes:
        xa = skewed(count, share, mean)
        xb = skewed(count + int(generator.integers(-20, 20)) if count > 50 else count + 1, share * lift, mean)
        if kind == "proportion":
            xa, xb = (xa > 0).astype(float), (xb > 0).astype(float)
        if xa.sum() == 0:
            xa[0] = 1.0
        if kind == "ratio":
            ya = generator.poisson(15, size=len(xa)).astype(float) + xa * 3
            yb = generator.poisson(15, size=len(xb)).astype(float) + xb * 3
        else:
            ya, yb = np.ones(len(xa)), np.ones(len(xb))
        z = pooled_z(xa, ya, xb, yb, 1.0)
        fixed = pooled_interval(xa, ya, xb, yb, stats.norm.ppf(1 - ALPHA / 2))
        critical = sequential_critical(len(xa) + len(xb), 5000.0)
        sequential = pooled_interval(xa, ya, xb, yb, critical)
        cases.append({
            "kind": kind, "control": paired_sums(xa, ya), "treatment": paired_sums(xb, yb),
            "estimate": f((xb.sum() / yb.sum()) / (xa.sum() / ya.sum()) - 1),
            "statistic": f(z), "pValue": f(2 * stats.norm.sf(abs(z))),
            "statisticAtLimit": f(pooled_z(xa, ya, xb, yb, 1.1)),
            "lower": f(fixed[0]), "upper": None if fixed[1] is None else f(fixed[1]),
            "sequentialCritical": f(critical),
            "sequentialLower": f(sequential[0]), "sequentialUpper": None if sequential[1] is None else f(sequential[1]),
        })
    # The normal p-value against scipy's permutation test on one skewed mean (the approximation
    # the pooled variance makes; the tolerance in the Swift test is for the resampling and the CLT).
    # The first draw whose p-value is near α, where the approximation matters.
    while True:
        xa, xb = skewed(400, 0.08, 2.0), skewed(400, 0.13, 2.0)
        if 0.01 < 2 * stats.norm.sf(abs(pooled_z(xa, np.ones(len(xa)), xb, np.ones(len(xb)), 1.0))) < 0.1:
            break
    permutation = stats.permutation_test(
        (xb, xa), lambda b, a: b.mean() - a.mean(), permutation_type="independent", n_resamples=20000,
        alternative="two-sided", random_state=np.random.default_rng(SEED + 23))
    z = pooled_z(xa, np.ones(len(xa)), xb, np.ones(len(xb)), 1.0)
    permutation_case = {"control": paired_sums(xa, np.ones(len(xa))), "treatment": paired_sums(xb, np.ones(len(xb))),
                        "pValue": f(2 * stats.norm.sf(abs(z))), "permutationPValue": f(permutation.pvalue)}
    return {"cases": cases, "permutation": permutation_case}


def main():
    fixture = {
        "generator": "python3 scripts/gen_stats_fixtures.py > Tests/ExperimentsTests/Fixtures/scipy-reference.json",
        "scipyVersion": scipy.__version__,
        "numpyVersion": np.__version__,
        "seed": SEED,
        "alpha": ALPHA,
        **distributions(),
        "welch": welch_cases(),
        "proportions": proportion_cases(),
        "sampleRatio": sample_ratio_cases(),
        "multipleComparisons": multiple_comparison_cases(),
        "sequential": sequential_cases(),
        "ratio": ratio_cases(),
        "cuped": cuped_cases(),
        "power": power_cases(),
        "pooled": pooled_cases(),
    }
    json.dump(fixture, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
