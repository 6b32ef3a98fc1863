#!/usr/bin/env python3
"""Reference values from GrowthBook's statistics engine, gbstats 0.8.0 (PyPI).

Usage (from the repository root; gbstats 0.8.0 needs numpy<2 and pandas<2, hence its own venv):
    python3 -m venv .venv-gbstats
    .venv-gbstats/bin/pip install gbstats==0.8.0
    .venv-gbstats/bin/python scripts/gen_gbstats_fixtures.py > Tests/ExperimentsTests/Fixtures/gbstats-reference.json

.venv-gbstats/ is listed in .gitignore and must never be committed. gbstats, numpy and scipy are
development tools only, never runtime dependencies. The seed is fixed, so the output is
reproducible. Sections:

  bayesian          EffectBayesianABTest (relative) on mean, proportion, ratio and CUPED sums,
                    plus the cases where gbstats returns its default output.
  sequentialPValue  "gbstats": SequentialTwoSidedTTest on mean sums; "pooled": the project's
                    pooled z of a mean metric computed from raw per-user arrays, with the
                    always-valid p-value (eq. 155 of Waudby-Smith et al.) and critical value.
  capping           winsorised per-user values (percentile cap pooled over both arms, as
                    PostgreSQL's PERCENTILE_CONT; or an absolute cap) and gbstats results on them.
  quantile          GrowthBook quantile metrics: raw events, the SQL-side inputs of
                    QuantileStatistic / QuantileClusteredStatistic as GrowthBook's
                    SqlIntegration.ts builds them (Postgres flavour), and gbstats results.

Anchors from gbstats' own test suite are asserted, as is (p < alpha) == (|z| > c) for every
pooled case and the closed-form Bayesian risk against gbstats' truncated-normal risk.
"""
import json
import sys
from importlib.metadata import version

import numpy as np
from scipy.stats import norm

from gbstats.bayesian.tests import EffectBayesianABTest, EffectBayesianConfig, GaussianPrior
from gbstats.frequentist.tests import (
    FrequentistConfig,
    SequentialConfig,
    SequentialTwoSidedTTest,
    TwoSidedTTest,
)
from gbstats.models.statistics import (
    ProportionStatistic,
    QuantileClusteredStatistic,
    QuantileStatistic,
    RatioStatistic,
    RegressionAdjustedStatistic,
    SampleMeanStatistic,
    compute_theta,
)

SEED = 20261207
rng = np.random.default_rng(SEED)

# GrowthBook's N* grid for quantile bounds (SqlIntegration.ts N_STAR_VALUES): 100 * 2^k, k = 0..19.
N_STAR_VALUES = [100 * 2**k for k in range(20)]


def f(x):
    """A plain float for json (numpy scalars are not serialisable)."""
    return float(x)


def mean_sums(values):
    v = np.asarray(values, dtype=np.int64)
    return {"n": int(len(v)), "sum": f(v.sum()), "sumSquares": f((v * v).sum())}


def mean_stat(a):
    return SampleMeanStatistic(n=a["n"], sum=a["sum"], sum_squares=a["sumSquares"])


def closed_form_risk(mu, sigma):
    """E[max(X,0)], E[max(-X,0)] for X ~ N(mu, sigma^2): a cross-check of gbstats' truncnorm path."""
    z = mu / sigma
    pos = mu * norm.cdf(z) + sigma * norm.pdf(z)
    neg = -mu * norm.cdf(-z) + sigma * norm.pdf(z)
    return pos, neg


def bayes_result(stat_a, stat_b, alpha=0.05, inverse=False, prior=None):
    prior = prior or GaussianPrior()
    config = EffectBayesianConfig(alpha=alpha, inverse=inverse, prior_effect=prior)
    r = EffectBayesianABTest(stat_a, stat_b, config).compute_result()
    out = {
        "chanceToWin": f(r.chance_to_win),
        "riskControl": f(r.risk[0]),
        "riskTreatment": f(r.risk[1]),
        "ciLower": f(r.ci[0]),
        "ciUpper": f(r.ci[1]),
        "mean": f(r.uplift.mean),
        "stddev": f(r.uplift.stddev),
    }
    if r.error_message is not None:
        out["errorMessage"] = r.error_message
    else:
        pos, neg = closed_form_risk(r.uplift.mean, r.uplift.stddev)
        if inverse:
            pos, neg = neg, pos
        for mine, theirs in [(pos, r.risk[0]), (neg, r.risk[1])]:
            assert abs(mine - theirs) <= 1e-9 * max(1.0, abs(mine)) + 1e-15, (mine, theirs)
    return out


def ttest_result(stat_a, stat_b, alpha=0.05):
    test = TwoSidedTTest(stat_a, stat_b, FrequentistConfig(alpha=alpha))
    r = test.compute_result()
    out = {
        "expected": f(r.expected),
        "ciLower": f(r.ci[0]),
        "ciUpper": f(r.ci[1]),
        "pValue": f(r.p_value),
    }
    if r.error_message is None:
        out["variance"] = f(test.variance)
        out["dof"] = f(test.dof)
    else:
        out["errorMessage"] = r.error_message
    return out


def prior_json(p):
    return {"mean": f(p.mean), "variance": f(p.variance), "proper": bool(p.proper)}


# ---------------------------------------------------------------------------------------------
# 1. Bayesian


def revenue(n, zero_share, scale, whale_share=0.0):
    """Non-negative integer amounts (fen): zeros, lognormal purchases, the odd whale."""
    v = np.round(rng.lognormal(np.log(scale), 0.9, n)).astype(np.int64)
    v[rng.random(n) < zero_share] = 0
    whales = rng.random(n) < whale_share
    v[whales] = rng.integers(20 * scale, 200 * scale, whales.sum())
    return v


def ratio_arm(n, rate, lift=1.0):
    sessions = rng.poisson(3.0, n) + 1
    clicks = rng.binomial(sessions, min(0.95, rate * lift))
    return {
        "n": int(n),
        "numeratorSum": f(clicks.sum()),
        "numeratorSumSquares": f((clicks * clicks).sum()),
        "denominatorSum": f(sessions.sum()),
        "denominatorSumSquares": f((sessions * sessions).sum()),
        "sumProducts": f((clicks * sessions).sum()),
    }


def ratio_stat(a):
    return RatioStatistic(
        n=a["n"],
        m_statistic=SampleMeanStatistic(n=a["n"], sum=a["numeratorSum"], sum_squares=a["numeratorSumSquares"]),
        d_statistic=SampleMeanStatistic(n=a["n"], sum=a["denominatorSum"], sum_squares=a["denominatorSumSquares"]),
        m_d_sum_of_products=a["sumProducts"],
    )


def cuped_arm(n, lift):
    pre = rng.poisson(rng.gamma(2.0, 3.0, n))
    post = rng.poisson(np.maximum(0.1, 0.7 * pre + 1.5) * lift)
    return {
        "n": int(n),
        "postSum": f(post.sum()),
        "postSumSquares": f((post * post).sum()),
        "preSum": f(pre.sum()),
        "preSumSquares": f((pre * pre).sum()),
        "sumProducts": f((post * pre).sum()),
    }


def cuped_stat(a, theta=0.0):
    return RegressionAdjustedStatistic(
        n=a["n"],
        post_statistic=SampleMeanStatistic(n=a["n"], sum=a["postSum"], sum_squares=a["postSumSquares"]),
        pre_statistic=SampleMeanStatistic(n=a["n"], sum=a["preSum"], sum_squares=a["preSumSquares"]),
        post_pre_sum_of_products=a["sumProducts"],
        theta=theta,
    )


def bayesian():
    improper = GaussianPrior()
    proper0 = GaussianPrior(mean=0, variance=0.09, proper=True)
    proper_pos = GaussianPrior(mean=0.05, variance=0.04, proper=True)
    proper_neg = GaussianPrior(mean=-0.1, variance=0.25, proper=True)
    cases = []

    def add(kind, control, treatment, make, alpha, inverse, prior, extra=None):
        case = {"kind": kind, "alpha": alpha, "inverse": inverse, "prior": prior_json(prior)}
        if extra:
            case.update(extra)
        case["control"], case["treatment"] = control, treatment
        sa, sb = make(control), make(treatment)
        case["expected"] = bayes_result(sa, sb, alpha, inverse, prior)
        cases.append(case)

    # mean: the gbstats test suite's classic numbers, then simulated revenue
    classic_a = {"n": 3407, "sum": 1396.87, "sumSquares": 52377.9767}
    classic_b = {"n": 3461, "sum": 2422.7, "sumSquares": 134698.29}
    add("mean", classic_a, classic_b, mean_stat, 0.05, False, improper)
    add("mean", classic_a, classic_b, mean_stat, 0.05, True, improper)
    add("mean", classic_a, classic_b, mean_stat, 0.05, False, proper0)
    add("mean", classic_a, classic_b, mean_stat, 0.1, True, proper_pos)
    for (n_a, n_b, lift, alpha, inverse, prior) in [
        (800, 820, 1.06, 0.05, False, proper_neg),
        (150, 140, 0.85, 0.1, False, improper),
        (2500, 2450, 1.0, 0.05, True, proper0),
    ]:
        a = mean_sums(revenue(n_a, 0.6, 3000, 0.01))
        b = mean_sums(revenue(n_b, 0.6, int(3000 * lift), 0.01))
        add("mean", a, b, mean_stat, alpha, inverse, prior)

    # anchors: the gbstats 0.8.0 test suite's published (5-decimal) numbers
    assert round(cases[0]["expected"]["mean"], 5) == 0.70732 and round(cases[0]["expected"]["stddev"], 5) == 0.37879
    add("proportion", {"n": 100, "sum": 49.0}, {"n": 100, "sum": 51.0},
        lambda s: ProportionStatistic(n=s["n"], sum=s["sum"]), 0.05, False, improper)
    anchor = cases[-1]["expected"]
    assert [round(anchor[k], 5) for k in ("chanceToWin", "riskControl", "riskTreatment", "ciLower", "ciUpper")] == [
        0.60918, 0.0814, 0.04058, -0.24779, 0.32943]

    # proportion: variance p(1-p), no n-1 correction
    for (n_a, p_a, n_b, p_b, alpha, inverse, prior) in [
        (5000, 0.10, 5000, 0.11, 0.05, False, improper),
        (1200, 0.32, 1180, 0.29, 0.05, True, improper),
        (300, 0.05, 320, 0.08, 0.1, False, proper0),
        (10000, 0.021, 9950, 0.0235, 0.05, False, proper_pos),
        (760, 0.5, 800, 0.52, 0.1, True, proper_neg),
        (2200, 0.91, 2150, 0.93, 0.05, False, improper),
    ]:
        a = {"n": n_a, "sum": f(rng.binomial(n_a, p_a))}
        b = {"n": n_b, "sum": f(rng.binomial(n_b, p_b))}
        add("proportion", a, b, lambda s: ProportionStatistic(n=s["n"], sum=s["sum"]), alpha, inverse, prior)

    # ratio: m and d SampleMeanStatistic over the same users
    for (n_a, n_b, rate, lift, alpha, inverse, prior) in [
        (900, 910, 0.2, 1.1, 0.05, False, improper),
        (3000, 2980, 0.35, 0.97, 0.05, True, improper),
        (250, 260, 0.1, 1.25, 0.1, False, proper0),
        (1500, 1520, 0.5, 1.02, 0.05, True, proper_pos),
        (600, 590, 0.15, 1.0, 0.1, False, proper_neg),
    ]:
        add("ratio", ratio_arm(n_a, rate), ratio_arm(n_b, rate, lift), ratio_stat, alpha, inverse, prior)

    # CUPED: theta = compute_theta over both arms (gbstats recomputes and overwrites it anyway)
    for (n_a, n_b, lift, alpha, inverse, prior) in [
        (1000, 1010, 1.05, 0.05, False, improper),
        (400, 380, 0.9, 0.05, True, improper),
        (2500, 2520, 1.01, 0.1, False, proper0),
        (700, 720, 1.12, 0.05, False, proper_pos),
        (1800, 1750, 1.0, 0.1, True, proper_neg),
        (120, 130, 1.2, 0.05, False, proper0),
    ]:
        a, b = cuped_arm(n_a, 1.0), cuped_arm(n_b, lift)
        theta = f(compute_theta(cuped_stat(a), cuped_stat(b)))
        add("cuped", a, b, lambda s: cuped_stat(s, theta), alpha, inverse, prior, {"theta": theta})

    # default outputs (errorMessage is gbstats' message; checks run in this order:
    # control mean 0 -> no units -> zero/negative variance)
    edge = []
    zero_ctrl = {"n": 500, "sum": 0.0, "sumSquares": 0.0}
    some = mean_sums(revenue(500, 0.6, 3000))
    for (label, a, b) in [
        ("control mean 0", zero_ctrl, some),
        ("control n 0", {"n": 0, "sum": 0.0, "sumSquares": 0.0}, some),
        ("treatment n 0", some, {"n": 0, "sum": 0.0, "sumSquares": 0.0}),
        ("treatment zero variance", some, {"n": 400, "sum": 2000.0, "sumSquares": 10000.0}),
        ("treatment n 1", some, {"n": 1, "sum": 700.0, "sumSquares": 490000.0}),
    ]:
        case = {"kind": "mean", "label": label, "alpha": 0.05, "inverse": False, "prior": prior_json(improper),
                "control": a, "treatment": b}
        case["expected"] = bayes_result(mean_stat(a), mean_stat(b))
        assert "errorMessage" in case["expected"], label
        edge.append(case)
    for (label, a, b) in [("proportion all converted", {"n": 300, "sum": 30.0}, {"n": 250, "sum": 250.0})]:
        case = {"kind": "proportion", "label": label, "alpha": 0.05, "inverse": False, "prior": prior_json(improper),
                "control": a, "treatment": b}
        case["expected"] = bayes_result(ProportionStatistic(n=a["n"], sum=a["sum"]),
                                        ProportionStatistic(n=b["n"], sum=b["sum"]))
        assert "errorMessage" in case["expected"], label
        edge.append(case)
    return {"cases": cases, "defaultOutput": edge}


# ---------------------------------------------------------------------------------------------
# 2. Sequential p-values


def rho_of(alpha, tuning):
    return np.sqrt((-2 * np.log(alpha) + np.log(-2 * np.log(alpha) + 1)) / tuning)


def sequential_gbstats():
    cases = []
    datasets = []
    for (n_a, n_b, lift) in [(3000, 2950, 1.25), (4000, 4100, 1.1), (600, 620, 1.0)]:
        datasets.append((mean_sums(revenue(n_a, 0.5, 2000)), mean_sums(revenue(n_b, 0.5, int(2000 * lift)))))
    # anchor from the gbstats 0.8.0 test suite (expected 0.50336, ci [-0.55844, 1.56516], p 1)
    classic = ({"n": 3000, "sum": 1396.87, "sumSquares": 52377.9767}, {"n": 3461, "sum": 2422.7, "sumSquares": 134698.29})
    grid = [(classic, 1000.0, 0.05)]
    grid += [((a, b), tuning, alpha) for a, b in datasets for tuning in [5000.0, 1000.0] for alpha in [0.05, 0.1]]
    for (a, b), tuning, alpha in grid:
        test = SequentialTwoSidedTTest(
            mean_stat(a), mean_stat(b), SequentialConfig(alpha=alpha, sequential_tuning_parameter=tuning)
        )
        r = test.compute_result()
        assert r.error_message is None
        if not cases:
            assert [round(x, 5) for x in (r.expected, r.ci[0], r.ci[1], r.p_value)] == [
                0.50336, -0.55844, 1.56516, 1.0]
        cases.append({
            "alpha": alpha,
            "tuningSampleSize": tuning,
            "control": a,
            "treatment": b,
            "expected": {
                "pointEstimate": f(r.expected),
                "variance": f(test.variance),
                "rho": f(test.rho),
                "pValue": f(r.p_value),
                "ciLower": f(r.ci[0]),
                "ciUpper": f(r.ci[1]),
            },
        })
    return cases


def pooled_mean_z(xa, xb):
    """Pooled z of a mean metric (Y = 1) straight from the per-user arrays."""
    n_a, n_b = len(xa), len(xb)
    n = n_a + n_b
    r_a, r_b = xa.sum() / n_a, xb.sum() / n_b
    pooled = (xa.sum() + xb.sum()) / n
    e = np.concatenate([xa, xb]).astype(float) - pooled
    v = n_a * n_b / n * (1 / n_a + 1 / n_b) ** 2 * (e * e).sum() / (n - 1)
    return (r_b - r_a) / np.sqrt(v)


def always_valid(z, n, alpha, tuning):
    rho = rho_of(alpha, tuning)
    st2 = z * z * n
    tr2p1 = n * rho**2 + 1
    evalue = np.exp(rho**2 * st2 / (2 * tr2p1)) / np.sqrt(tr2p1)
    p = min(1.0, 1 / evalue)
    c = np.sqrt(n) * np.sqrt(2 * tr2p1 / (n**2 * rho**2) * np.log(np.sqrt(tr2p1) / alpha))
    return p, c


def counts(n, mean, dispersion=None):
    if dispersion is None:
        return rng.poisson(mean, n).astype(np.int64)
    return rng.negative_binomial(dispersion, dispersion / (dispersion + mean), n).astype(np.int64)


def pooled_case(xa, xb, alpha, tuning, label=None):
    n = len(xa) + len(xb)
    z = pooled_mean_z(xa, xb)
    p, c = always_valid(z, n, alpha, tuning)
    significant = bool(abs(z) > c)
    assert (p < alpha) == significant, (p, alpha, z, c)
    case = {}
    if label:
        case["label"] = label
    case.update({
        "alpha": alpha,
        "tuningSampleSize": tuning,
        "control": {"n": int(len(xa)), "sumX": f(xa.sum()), "sumXSquares": f((xa * xa).sum())},
        "treatment": {"n": int(len(xb)), "sumX": f(xb.sum()), "sumXSquares": f((xb * xb).sum())},
        "z": f(z),
        "pValue": f(p),
        "critical": f(c),
        "significant": significant,
    })
    return case, z, c


def near_boundary(xa, xb, alpha, tuning, side):
    """Add +1 to treatment users one by one until |z|/c lands just below (side<0) or above 1."""
    xb = xb.copy()
    order = rng.permutation(len(xb))
    for k in range(len(xb) + 1):
        n = len(xa) + len(xb)
        z = pooled_mean_z(xa, xb)
        _, c = always_valid(z, n, alpha, tuning)
        ratio = abs(z) / c
        if (side < 0 and 0.99 <= ratio < 1.0) or (side > 0 and 1.0 < ratio <= 1.01):
            return xb
        if k < len(xb):
            xb[order[k % len(xb)]] += 1
    raise RuntimeError("no boundary case found")


def sequential_pooled():
    cases = []
    specs = [
        # (n_a, n_b, mean, dispersion or None for Poisson, lift, alpha, tuning)
        (50, 55, 3.0, None, 1.0, 0.05, 5000.0),
        (200, 190, 1.2, 0.8, 1.3, 0.05, 5000.0),
        (800, 820, 2.5, 2.0, 1.1, 0.05, 1000.0),
        (3000, 2950, 0.6, 0.5, 1.15, 0.05, 5000.0),
        (1500, 1500, 4.0, None, 1.04, 0.1, 5000.0),
        (2500, 2600, 1.0, 1.0, 0.92, 0.1, 1000.0),
        (100, 3000, 2.0, None, 1.0, 0.05, 5000.0),
        (1000, 980, 8.0, 3.0, 1.2, 0.05, 10000.0),
    ]
    for (n_a, n_b, mean, disp, lift, alpha, tuning) in specs:
        xa, xb = counts(n_a, mean, disp), counts(n_b, mean * lift, disp)
        cases.append(pooled_case(xa, xb, alpha, tuning)[0])
    for (n_a, n_b, mean, disp, alpha, tuning, side) in [
        (2000, 2000, 1.5, 1.0, 0.05, 5000.0, -1),
        (2000, 2000, 1.5, 1.0, 0.05, 5000.0, +1),
        (2800, 2900, 3.0, None, 0.1, 1000.0, -1),
        (2800, 2900, 3.0, None, 0.1, 1000.0, +1),
    ]:
        xa, xb = counts(n_a, mean, disp), counts(n_b, mean, disp)
        xb = near_boundary(xa, xb, alpha, tuning, side)
        case, z, c = pooled_case(xa, xb, alpha, tuning, "boundary below" if side < 0 else "boundary above")
        assert 0.99 <= abs(z) / c <= 1.01
        cases.append(case)
    return cases


# ---------------------------------------------------------------------------------------------
# 3. Capping


def percentile_cont(values, p):
    """PostgreSQL PERCENTILE_CONT: linear interpolation between order statistics (h = (n-1)p)."""
    return float(np.quantile(np.asarray(values, dtype=float), p, method="linear"))


def heavy_tail(n, zero_share, whales):
    v = np.round(rng.lognormal(np.log(1500), 1.0, n)).astype(np.int64)
    v[rng.random(n) < zero_share] = 0
    idx = rng.choice(n, whales, replace=False)
    v[idx] = rng.integers(500_000, 5_000_000, whales)
    return v


def capping():
    cases = []
    specs = [
        (100, 110, 0.7, 1, 1, {"percentile": 0.9, "ignoreZeros": False}, 1.0),
        (400, 420, 0.8, 2, 1, {"percentile": 0.95, "ignoreZeros": False}, 1.1),
        (1500, 1480, 0.85, 1, 2, {"percentile": 0.99, "ignoreZeros": False}, 1.05),
        (600, 590, 0.9, 1, 1, {"percentile": 0.9, "ignoreZeros": True}, 1.2),
        (1000, 1020, 0.75, 2, 2, {"percentile": 0.95, "ignoreZeros": True}, 0.95),
        (250, 240, 0.6, 1, 0, {"percentile": 0.99, "ignoreZeros": True}, 1.15),
        (800, 790, 0.7, 1, 2, {"valueFen": 20000}, 1.1),
        (1200, 1250, 0.8, 2, 1, {"valueFen": 5000}, 1.0),
    ]
    for (n_a, n_b, zero_share, whales_a, whales_b, spec, lift) in specs:
        xa = heavy_tail(n_a, zero_share, whales_a)
        xb = heavy_tail(n_b, zero_share, whales_b)
        xb = np.round(xb * lift).astype(np.int64)
        pooled = np.concatenate([xa, xb])
        if "valueFen" in spec:
            cap = float(spec["valueFen"])
        else:
            base = pooled[pooled != 0] if spec["ignoreZeros"] else pooled
            cap = percentile_cont(base, spec["percentile"])
        ca, cb = np.minimum(xa.astype(float), cap), np.minimum(xb.astype(float), cap)
        capped_a = {"n": int(n_a), "sum": f(ca.sum()), "sumSquares": f((ca * ca).sum())}
        capped_b = {"n": int(n_b), "sum": f(cb.sum()), "sumSquares": f((cb * cb).sum())}
        cases.append({
            "cap": spec,
            "control": {"values": [int(v) for v in xa], "uncapped": mean_sums(xa)},
            "treatment": {"values": [int(v) for v in xb], "uncapped": mean_sums(xb)},
            "expected": {
                "capValue": cap,
                "control": capped_a,
                "treatment": capped_b,
                "bayesian": bayes_result(mean_stat(capped_a), mean_stat(capped_b)),
                "tTest": ttest_result(mean_stat(capped_a), mean_stat(capped_b)),
                "uncappedTTest": ttest_result(mean_stat(mean_sums(xa)), mean_stat(mean_sums(xb))),
            },
        })
    return cases


# ---------------------------------------------------------------------------------------------
# 4. Quantile metrics


TIPS = np.array([0, 100, 200, 300, 500, 600, 800, 1000, 1200, 1500, 2000, 3000, 5000, 8800, 10000])
TIP_WEIGHTS = np.array([6, 10, 12, 8, 14, 5, 8, 10, 4, 6, 6, 4, 3, 2, 2], dtype=float)


def tip_values(size, shift):
    """Tip amounts in fen with many ties; shift moves weight towards larger tips."""
    w = TIP_WEIGHTS * np.exp(shift * np.arange(len(TIPS)) / len(TIPS))
    v = rng.choice(TIPS, size=size, p=w / w.sum())
    odd = rng.random(size) < 0.15  # some free-form amounts, still multiples of 50
    v[odd] = 50 * rng.integers(1, 300, odd.sum())
    return v.astype(np.int64)


def quantile_events(users, events_mean, shift, zero_user_share):
    """[[userIndex, value], ...]; some users have no events at all."""
    per_user = rng.poisson(events_mean, users)
    per_user[rng.random(users) < zero_user_share] = 0
    rows = []
    for u, k in enumerate(per_user):
        for v in tip_values(int(k), shift):
            rows.append([int(u), int(v)])
    return rows


def quantile_bound_levels(nu, n_star):
    z = norm.ppf(0.975)  # GrowthBook fixes alpha = 0.05 for the grid
    se = np.sqrt(nu * (1 - nu) / n_star)
    return max(nu - z * se, 0.00000001), min(nu + z * se, 0.99999999)


def choose_n_star(n):
    """Largest N* strictly below n; the smallest (100) when none is."""
    best = N_STAR_VALUES[0]
    for s in N_STAR_VALUES:
        if s < n and s > best:
            best = s
    return best


def quantile_arm(kind, users, rows, nu, ignore_zeros):
    """The query-side inputs GrowthBook computes for one variation (Postgres: PERCENTILE_CONT)."""
    ev_user = np.array([r[0] for r in rows], dtype=np.int64)
    ev_val = np.array([r[1] for r in rows], dtype=np.int64)
    if ignore_zeros:  # zero-valued events become NULL before anything else
        keep = ev_val != 0
        ev_user, ev_val = ev_user[keep], ev_val[keep]
    n_events = np.bincount(ev_user, minlength=users)  # COUNT(value) per user (non-NULL events)
    out = {}
    if kind == "unit":
        sums = np.bincount(ev_user, weights=ev_val, minlength=users)
        # without ignoreZeros: SUM(COALESCE(value,0)) -> users without events are 0 and count;
        # with ignoreZeros: SUM(value) is NULL for users without (non-zero) events -> dropped
        values = sums[n_events > 0] if ignore_zeros else sums
        n = int(len(values))
    else:
        values = ev_val.astype(float)
        n = int(len(values))
    q = percentile_cont(values, nu)
    n_star = choose_n_star(n)
    lo_level, hi_level = quantile_bound_levels(nu, n_star)
    out.update({
        "quantileN": n,
        "nStar": n_star,
        "lowerLevel": f(lo_level),
        "upperLevel": f(hi_level),
        "quantile": q,
        "quantileLower": percentile_cont(values, lo_level),
        "quantileUpper": percentile_cont(values, hi_level),
    })
    if out["quantileLower"] == out["quantileUpper"]:
        # gbstats-0.8.0-era GrowthBook keeps the collapsed pair (variance_init 0 -> the 1e-5 floor
        # when n >= 100, or the default output when also n < 1000). Newer GrowthBook (2025+,
        # quantile-bounds-from-query-response.ts) walks down to the largest smaller N* whose
        # bounds differ; recorded here for reference only, not used below.
        k = N_STAR_VALUES.index(n_star)
        for kk in range(k - 1, -1, -1):
            lo_l, hi_l = quantile_bound_levels(nu, N_STAR_VALUES[kk])
            lo, hi = percentile_cont(values, lo_l), percentile_cont(values, hi_l)
            if lo != hi:
                out["newerGrowthBookFallback"] = {"nStar": N_STAR_VALUES[kk], "quantileLower": lo, "quantileUpper": hi}
                break
    if kind == "event":
        # per user: value = #events with value <= quantile, n_events = #non-NULL events;
        # sums run over ALL exposed users (users = COUNT(*), including users without events)
        below = np.bincount(ev_user, weights=(ev_val <= q).astype(float), minlength=users)
        out.update({
            "nClusters": int(users),
            "mainSum": f(below.sum()),
            "mainSumSquares": f((below * below).sum()),
            "denominatorSum": f(n_events.sum()),
            "denominatorSumSquares": f((n_events * n_events).sum()),
            "mainDenominatorSumProduct": f((below * n_events).sum()),
        })
        assert out["denominatorSum"] == n
    return out


def quantile_stat(kind, s, nu):
    common = dict(n=s["quantileN"], n_star=s["nStar"], nu=nu, quantile_hat=s["quantile"],
                  quantile_lower=s["quantileLower"], quantile_upper=s["quantileUpper"])
    if kind == "unit":
        return QuantileStatistic(**common)
    return QuantileClusteredStatistic(
        **common,
        main_sum=s["mainSum"], main_sum_squares=s["mainSumSquares"],
        denominator_sum=s["denominatorSum"], denominator_sum_squares=s["denominatorSumSquares"],
        main_denominator_sum_product=s["mainDenominatorSumProduct"], n_clusters=s["nClusters"],
    )


def quantile():
    cases = []
    specs = [
        # (kind, nu, ignoreZeros, users_a, users_b, events/user, zero-user share, shift_b)
        ("unit", 0.5, False, 400, 420, 1.6, 0.1, 1.5),     # n = 400 exactly: N* = 200 (strict <)
        ("unit", 0.9, False, 700, 650, 1.2, 0.2, 0.5),
        ("unit", 0.95, True, 900, 880, 1.0, 0.35, 1.0),
        ("unit", 0.5, True, 500, 520, 1.4, 0.3, -0.5),
        ("event", 0.5, False, 150, 160, 2.0, 0.1, 0.8),
        ("event", 0.9, False, 220, 210, 1.5, 0.15, -0.8),
        ("event", 0.95, True, 300, 310, 1.8, 0.2, 0.4),
        ("event", 0.5, False, 700, 720, 2.5, 0.05, 1.2),
    ]
    for (kind, nu, ignore_zeros, users_a, users_b, per_user, zero_share, shift_b) in specs:
        rows_a = quantile_events(users_a, per_user, 0.0, zero_share)
        rows_b = quantile_events(users_b, per_user, shift_b, zero_share)
        sa = quantile_arm(kind, users_a, rows_a, nu, ignore_zeros)
        sb = quantile_arm(kind, users_b, rows_b, nu, ignore_zeros)
        assert sa["quantileN"] >= 200 and sb["quantileN"] >= 200, (sa["quantileN"], sb["quantileN"])
        qa, qb = quantile_stat(kind, sa, nu), quantile_stat(kind, sb, nu)
        for s, q in [(sa, qa), (sb, qb)]:
            s["varianceInit"] = f(q.variance_init)
            s["variance"] = f(q.variance)
            if kind == "event":
                s["clusterVariance"] = f(q.get_cluster_variance)
        seq = SequentialTwoSidedTTest(quantile_stat(kind, sa, nu), quantile_stat(kind, sb, nu),
                                      SequentialConfig(alpha=0.05, sequential_tuning_parameter=5000))
        seq_r = seq.compute_result()
        cases.append({
            "kind": kind,
            "nu": nu,
            "ignoreZeros": ignore_zeros,
            "alpha": 0.05,
            "control": {"users": int(users_a), "events": rows_a},
            "treatment": {"users": int(users_b), "events": rows_b},
            "expected": {
                "control": sa,
                "treatment": sb,
                "tTest": ttest_result(qa, qb),
                "sequential": {"tuningSampleSize": 5000.0, "ciLower": f(seq_r.ci[0]), "ciUpper": f(seq_r.ci[1]),
                               "pValue": f(seq_r.p_value)},
            },
        })
    return cases


# ---------------------------------------------------------------------------------------------


def dumps(obj, level=0):
    """json with one-space indentation, but lists of scalars (and of short scalar lists) on one line."""
    pad, inner = " " * level, " " * (level + 1)

    def scalar(x):
        return not isinstance(x, (dict, list))

    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f"{inner}{json.dumps(k)}: {dumps(v, level + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list):
        if all(scalar(x) for x in obj) or all(isinstance(x, list) and all(scalar(y) for y in x) for x in obj):
            return json.dumps(obj, separators=(",", ":"))
        return "[\n" + ",\n".join(inner + dumps(v, level + 1) for v in obj) + "\n" + pad + "]"
    return json.dumps(obj, allow_nan=False)


def main():
    fixture = {
        "generator": ".venv-gbstats/bin/python scripts/gen_gbstats_fixtures.py > Tests/ExperimentsTests/Fixtures/gbstats-reference.json",
        "gbstatsVersion": version("gbstats"),
        "scipyVersion": version("scipy"),
        "numpyVersion": np.__version__,
        "seed": SEED,
        "bayesian": bayesian(),
        "sequentialPValue": {"gbstats": sequential_gbstats(), "pooled": sequential_pooled()},
        "capping": capping(),
        "quantile": quantile(),
    }
    sys.stdout.write(dumps(fixture) + "\n")


if __name__ == "__main__":
    main()
