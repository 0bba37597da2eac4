"""Accuracy at equal privacy, over seeds (stdlib only).

The study measures each mechanism on its own ε grid: a privacy figure x(ε)
(median N_w, or an attack's success from attack.csv) once, and downstream
accuracy once per seed. To compare mechanisms at equal privacy, each seed's
accuracy is interpolated along the mechanism's ε curve to where x reaches a
target, and the seeds give a mean ± sd. Used by summarize_evaluation.py and
plot_evaluation.py; tested in Tools/tests.
"""
from __future__ import annotations

import csv
import math
from pathlib import Path

# The privacy measures read from attack.csv: the Bayes-optimal attack's success
# under each prior, and the shadow-data attack's recovery rate.
MEASURES = {
    "asr:uniform": "Bayes-optimal ASR, uniform prior",
    "asr:zipf": "Bayes-optimal ASR, Zipf prior",
    "shadow": "shadow-data attack recovery",
}


def fnum(text):
    """A finite float from a CSV cell, else None."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def same_eps(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def read_rows(path: Path) -> list[dict]:
    if not Path(path).is_file():
        return []
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def attack_curves(rows: list[dict]) -> dict[str, dict[str, list[tuple[float, float]]]]:
    """{measure: {mechanism: [(ε, value)] sorted by ε}} from attack.csv rows.

    asr under prior P becomes measure "asr:P"; shadow_recovery becomes "shadow"
    (it does not depend on the prior, so the first row with a value is kept
    for each (mechanism, ε)). Rows whose status is not "ok" are left out."""
    curves: dict[str, dict[str, list]] = {}

    def add(measure, mech, eps, value):
        points = curves.setdefault(measure, {}).setdefault(mech, [])
        if value is not None and not any(same_eps(e, eps) for e, _ in points):
            points.append((eps, value))

    for row in rows:
        eps = fnum(row.get("epsilon"))
        if row.get("status") != "ok" or eps is None:
            continue
        mech = row["mechanism"]
        add(f"asr:{row.get('prior', '')}", mech, eps, fnum(row.get("asr")))
        add("shadow", mech, eps, fnum(row.get("shadow_recovery")))
    for by_mech in curves.values():
        for mech in list(by_mech):
            by_mech[mech].sort()
            if not by_mech[mech]:
                del by_mech[mech]
    return {m: c for m, c in curves.items() if c}


def accuracy_by_seed(rows: list[dict]) -> dict[str, dict]:
    """Per dataset: {"baseline": {seed: accuracy}, "test_docs": n,
    "mechanisms": {mechanism: {seed: [(ε, accuracy)]}}} from utility.csv rows
    (status "ok" only; a missing seed column counts as seed "1")."""
    data: dict[str, dict] = {}
    for row in rows:
        entry = data.setdefault(row["dataset"], {"baseline": {}, "test_docs": None, "mechanisms": {}})
        entry["test_docs"] = entry["test_docs"] or fnum(row.get("test_docs"))
        seed = row.get("seed") or "1"
        acc = fnum(row.get("accuracy"))
        if row.get("status") == "baseline" or row["mechanism"] == "none":
            if acc is not None:
                entry["baseline"][seed] = acc
            continue
        eps = fnum(row.get("epsilon"))
        if row.get("status") == "ok" and eps is not None and acc is not None:
            entry["mechanisms"].setdefault(row["mechanism"], {}).setdefault(seed, []).append((eps, acc))
    for entry in data.values():
        for seeds in entry["mechanisms"].values():
            for points in seeds.values():
                points.sort()
    return data


def along_curve(points: list[tuple[float, float, float]], target: float):
    """y where x reaches target, walking the (ε, x, y) points in ε order: linear in x
    on the first pair of consecutive points whose x values bracket target (a
    segment with equal x gives the mean of its two y); None when no pair does
    (never extrapolated). A single point exactly at target gives its y."""
    pts = sorted(points)
    for (_, x0, y0), (_, x1, y1) in zip(pts, pts[1:]):
        if min(x0, x1) <= target <= max(x0, x1):
            return (y0 + y1) / 2 if x1 == x0 else y0 + (y1 - y0) * (target - x0) / (x1 - x0)
    hits = [y for _, x, y in pts if x == target]
    return hits[0] if len(pts) == 1 and hits else None


def mean_sd(values: list[float]):
    """(mean, sample sd, n); sd is None below two values, mean None for none."""
    n = len(values)
    if n == 0:
        return None, None, 0
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else None
    return mean, sd, n


def at_equal(curve: list[tuple[float, float]], seeds: dict[str, list[tuple[float, float]]],
             target: float):
    """Accuracy at privacy = target: (mean, sd, n) over the seeds whose curve reaches it.

    curve: [(ε, privacy figure)] of the mechanism; seeds: {seed: [(ε, accuracy)]}.
    An accuracy joins the curve at the same ε; ε without a privacy figure are left out."""
    values = []
    for points in seeds.values():
        joined = []
        for eps, acc in points:
            x = next((v for e, v in curve if same_eps(e, eps)), None)
            if x is not None:
                joined.append((eps, x, acc))
        y = along_curve(joined, target)
        if y is not None:
            values.append(y)
    return mean_sd(values)


def compare(cell, reference):
    """(difference, noise, verdict) of two (mean, sd, n) cells: verdict "above",
    "below" or "within" (|difference| ≤ noise), where noise is two standard
    errors of a difference of two means, 2·√(sd₁²/n₁ + sd₂²/n₂). None when either
    cell lacks a mean or has fewer than two seeds (no noise estimate)."""
    (m1, s1, n1), (m2, s2, n2) = cell, reference
    if m1 is None or m2 is None or s1 is None or s2 is None:
        return None
    diff = m1 - m2
    noise = 2 * math.sqrt(s1 ** 2 / n1 + s2 ** 2 / n2)
    verdict = "within" if abs(diff) <= noise else "above" if diff > 0 else "below"
    return diff, noise, verdict


def fmt_cell(cell) -> str:
    """'81.2 ± 0.4 %' (percent), '81.2 %' for one seed, '–' for none."""
    mean, sd, _ = cell
    if mean is None:
        return "–"
    return f"{100 * mean:.1f} %" if sd is None else f"{100 * mean:.1f} ± {100 * sd:.1f} %"


def table_at(curves: dict, seeds: dict, targets) -> dict:
    """{(target, mechanism): (mean, sd, n)} for every mechanism with seeds."""
    return {(t, m): at_equal(curves.get(m, []), seeds[m], t) for t in targets for m in seeds}


def comparisons(table: dict, reference: str) -> list[tuple]:
    """(target, mechanism, difference, noise, verdict) of every cell against the
    reference's cell at the same target, where both have a noise estimate."""
    out = []
    for (t, m), cell in sorted(table.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        if m == reference or (t, reference) not in table:
            continue
        result = compare(cell, table[(t, reference)])
        if result:
            out.append((t, m, *result))
    return out


def classify(rows: list[tuple]) -> dict[str, list[str]]:
    """Mechanisms grouped by their comparisons' verdicts: "better" (some above,
    none below, and at least as many above as within noise), "worse" (the mirror),
    "same" (all within noise), "mostly-same" (beyond noise in one direction only,
    at fewer points than within), "mixed" (above at some points, below at others)."""
    groups = {"better": [], "worse": [], "same": [], "mostly-same": [], "mixed": []}
    for m in sorted({r[1] for r in rows}):
        verdicts = [r[4] for r in rows if r[1] == m]
        up, down, within = (verdicts.count(v) for v in ("above", "below", "within"))
        if up and down:
            groups["mixed"].append(m)
        elif up >= max(within, 1) or down >= max(within, 1):
            groups["better" if up else "worse"].append(m)
        elif up or down:
            groups["mostly-same"].append(m)
        else:
            groups["same"].append(m)
    return groups


def describe(rows: list[tuple], mechanism: str, what: str = "ASR") -> str:
    """'tem: 2 of 5 points above, 0 below, 3 within (−0.4 to +2.1 pp, at ASR 0.1–0.5)'."""
    mine = [r for r in rows if r[1] == mechanism]
    counts = {v: sum(r[4] == v for r in mine) for v in ("above", "below", "within")}
    diffs = [100 * r[2] for r in mine]
    targets = [r[0] for r in mine]
    return (f"{mechanism}: {counts['above']} of {len(mine)} points above, {counts['below']} below, "
            f"{counts['within']} within noise ({min(diffs):+.1f} to {max(diffs):+.1f} pp, "
            f"at {what} {min(targets):g}–{max(targets):g})")
