#!/usr/bin/env python3
"""Plot a dptext evaluation folder as PNG figures.

Run it through Tools/plot-evaluation.sh (which provides matplotlib in
Tools/.venv-eval):   Tools/plot-evaluation.sh DIR [--out PNG_DIR] [--dpi 120]

Inputs read from DIR (each is optional; a missing or malformed file is skipped
with a message on stderr, never a crash):

  deniability.csv   mechanism, epsilon, words, draws, statistic, mean, median,
                    p05, p95 — statistic is one of n_w, s_w, perplexity
                    -> n_w_vs_epsilon.png, s_w_vs_epsilon.png,
                       perplexity_vs_epsilon.png
                    (per mechanism: median with markers, 5–95 % band, mean dashed;
                    N_w may be a fraction of the m draws, as dptext evaluate
                    writes it, or a count; the legend gives m per mechanism
                    when the mechanisms were run with different m)
  utility.csv       as written by Tools/downstream_utility.py
                    -> accuracy_vs_epsilon_<dataset>.png (accuracy per mechanism,
                       clean-training baseline as a horizontal line; mechanisms
                       dptext refused are listed in the legend)
                    -> changed_vs_epsilon.png, unless word_utility.csv exists
  deniability.csv + utility.csv
                    -> frontier.png: accuracy vs median N_w at the same (mechanism,
                       ε), one line per mechanism (points joined in N_w order),
                       one panel per dataset, clean baseline dashed
  attack.csv + utility.csv
                    -> frontier_asr.png: accuracy (mean ± sd over the seeds) vs the
                       attack's success at the same (mechanism, ε), one panel per
                       dataset and attack (Bayes-optimal under each prior, shadow)
  word_utility.csv  mechanism, epsilon, changed_fraction, mean_cosine,
                    mean_distance, tokens
                    -> changed_vs_epsilon.png and cosine_vs_epsilon.png
  utility.json      optional: its class lists give the chance level drawn on
                    the accuracy plots

utility.csv may hold one row per seed (a seed column): the plots of ε and of
median N_w show the mean over the seeds.

PNGs go to DIR (or --out), matplotlib's Agg backend, --dpi (default 120).  The
ε axis is logarithmic when all ε are positive and span at least a factor of 10.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import study_frontier as sf  # noqa: E402

EPS_LABEL = "ε (privacy parameter, per unit of embedding distance)"
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">", "p", "d", "H", "8", "1"]
DENIABILITY_STATS = {
    "n_w": ("N_w: how often the input word comes back",
            "N_w (draws returning the input word)", "n_w_vs_epsilon.png"),  # label set per data
    "s_w": ("S_w: distinct output words per input word",
            "S_w (distinct output words)", "s_w_vs_epsilon.png"),
    "perplexity": ("Perplexity of each word's output distribution",
                   "perplexity (effective number of output words)", "perplexity_vs_epsilon.png"),
}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class Styles:
    """One colour and marker per mechanism, the same in every figure."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}
        # sixteen distinct colours: every catalog mechanism (12) and a few
        # post-processed labels (NAME+rank-softmax:c=C) get their own
        self.colors = plt.rcParams["axes.prop_cycle"].by_key()["color"] + [
            "#8b0000", "#000080", "#006400", "#ff1493", "#4b0082", "#b8860b"]

    def __call__(self, mechanism: str) -> dict:
        i = self.seen.setdefault(mechanism, len(self.seen))
        return {"color": self.colors[i % len(self.colors)], "marker": MARKERS[i % len(MARKERS)]}


STYLE = Styles()


def read_csv(path: Path, required: list[str]) -> list[dict] | None:
    """Rows of a CSV as dicts, or None (with a message) if missing or malformed."""
    if not path.is_file():
        log(f"skip: {path} not found")
        return None
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                log(f"skip: {path} lacks column(s) {', '.join(missing)}")
                return None
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        log(f"skip: cannot read {path}: {e}")
        return None
    if not rows:
        log(f"skip: {path} has no data rows")
        return None
    return rows


def num(text) -> float | None:
    """A float from a CSV cell, None when empty or not a finite number."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def eps_axis(ax, epsilons) -> None:
    """Label the ε axis; logarithmic when ε > 0 spans at least a factor of 10."""
    eps = sorted({e for e in epsilons if e is not None})
    if eps and eps[0] > 0 and eps[-1] / eps[0] >= 10:
        ax.set_xscale("log")
        spread = all(b / a >= 1.35 for a, b in zip(eps, eps[1:]))
        if len(eps) <= 9 and spread:
            ax.set_xticks(eps)
        else:
            ax.xaxis.set_major_locator(matplotlib.ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
        ax.set_xlabel(EPS_LABEL + ", log scale")
    else:
        ax.set_xlabel(EPS_LABEL)


def finish(fig, ax, path: Path, dpi: int, outside: bool = False) -> None:
    """Grid, legend (inside, or right of the axes when outside), save, close."""
    ax.grid(True, which="major", alpha=0.35)
    if ax.get_legend_handles_labels()[0]:
        if outside:
            ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
        else:
            ax.legend(fontsize=9, framealpha=0.9)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    log(f"wrote {path}")


def describe_range(values) -> str:
    vals = sorted({v for v in values if v is not None})
    if not vals:
        return "?"
    show = lambda v: f"{v:,.0f}" if float(v).is_integer() else f"{v:g}"  # noqa: E731
    return show(vals[0]) if len(vals) == 1 else f"{show(vals[0])}–{show(vals[-1])}"


# ---------------------------------------------------------- deniability ------

def plot_deniability(src: Path, out: Path, dpi: int) -> None:
    rows = read_csv(src, ["mechanism", "epsilon", "words", "draws", "statistic",
                          "mean", "median", "p05", "p95"])
    if rows is None:
        return
    for stat, (title, ylabel, filename) in DENIABILITY_STATS.items():
        sel = [r for r in rows if r["statistic"].strip().lower() == stat]
        if not sel:
            log(f"skip: {filename}: no rows with statistic = {stat} in {src}")
            continue
        by_mech: dict[str, dict[float, dict]] = defaultdict(dict)
        for r in sel:
            eps = num(r["epsilon"])
            if eps is None:
                log(f"  ignoring a {stat} row with ε = {r['epsilon']!r}")
                continue
            if eps in by_mech[r["mechanism"]]:
                log(f"  {stat}: several rows for {r['mechanism']} at ε = {eps:g}; keeping the first")
                continue
            by_mech[r["mechanism"]][eps] = r
        # S_w depends on m: when mechanisms were run with different m or word
        # counts, the legend says which
        uniform = len({(r["draws"], r["words"]) for r in sel}) == 1
        fig, ax = plt.subplots(figsize=(10, 5))
        all_eps = []
        for mech, points in by_mech.items():
            eps = sorted(points)
            all_eps += eps
            style = STYLE(mech)
            med = [num(points[e]["median"]) for e in eps]
            lo = [num(points[e]["p05"]) for e in eps]
            hi = [num(points[e]["p95"]) for e in eps]
            mean = [num(points[e]["mean"]) for e in eps]
            nan = float("nan")
            label = mech
            if not uniform:
                label += (f" (m = {describe_range(num(points[e]['draws']) for e in eps)}, "
                          f"{describe_range(num(points[e]['words']) for e in eps)} words)")
            ax.plot(eps, [nan if v is None else v for v in med], color=style["color"],
                    marker=style["marker"], linewidth=1.8, label=label)
            ax.fill_between(eps, [nan if v is None else v for v in lo],
                            [nan if v is None else v for v in hi],
                            color=style["color"], alpha=0.15, linewidth=0)
            ax.plot(eps, [nan if v is None else v for v in mean], color=style["color"],
                    linestyle="--", linewidth=1.2)
        # a key for the three encodings, in neutral grey, after the mechanisms
        ax.plot([], [], color="grey", marker="o", linewidth=1.8, label="solid: median over words")
        ax.plot([], [], color="grey", linestyle="--", linewidth=1.2, label="dashed: mean over words")
        ax.fill_between([], [], [], color="grey", alpha=0.25, linewidth=0,
                        label="band: 5th–95th percentile")
        draws = describe_range(num(r["draws"]) for r in sel)
        words = describe_range(num(r["words"]) for r in sel)
        eps_axis(ax, all_eps)
        ax.set_title(f"{title} vs ε\n(m = {draws} draws per word, {words} words)", fontsize=11)
        d = num(sel[0]["draws"])
        same_draws = bool(d) and all(num(r["draws"]) == d for r in sel)
        if stat == "n_w":
            peak = max((num(r[k]) or 0) for r in sel for k in ("mean", "median", "p95"))
            if peak <= 1.0:  # dptext evaluate writes N_w as a fraction of the m draws
                ylabel = "N_w (fraction of the m draws returning the input word)"
                top = 1.0
            else:
                ylabel = "N_w (number of the m draws returning the input word)"
                top = d if same_draws else None
            ax.set_ylim(bottom=0)
            if top:
                ax.axhline(top, color="grey", linewidth=0.8, linestyle=":")
                ax.set_ylim(top=top * 1.05)
        elif stat == "s_w":
            ax.set_ylim(bottom=0)
            if same_draws:
                ax.axhline(d, color="grey", linewidth=0.8, linestyle=":")
                ax.set_ylim(top=d * 1.05)
        ax.set_ylabel(ylabel)
        if stat == "s_w":
            ax.set_ylabel(ylabel + ", at most m")
        elif stat == "perplexity":
            highs = [num(r["p95"]) or 0 for r in sel]
            lows = [num(r["p05"]) for r in sel if (num(r["p05"]) or 0) > 0]
            if lows and max(highs) / min(lows) >= 100:
                ax.set_yscale("log")
                ax.set_ylabel(ylabel + ", log scale")
        finish(fig, ax, out / filename, dpi, outside=True)


# -------------------------------------------------------------- utility ------

def chance_levels(src_dir: Path) -> dict[str, float]:
    """1 / number of classes per dataset, from utility.json when it is there."""
    path = src_dir / "utility.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {name: 1 / len(info["classes"])
                for name, info in data["config"]["data"].items() if info.get("classes")}
    except (OSError, ValueError, KeyError, TypeError, ZeroDivisionError):
        return {}


def plot_accuracy(rows: list[dict], src_dir: Path, out: Path, dpi: int) -> None:
    chance = chance_levels(src_dir)
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    for dataset in datasets:
        sel = [r for r in rows if r["dataset"] == dataset]
        baseline = next((num(r["baseline_accuracy"]) for r in sel
                         if num(r["baseline_accuracy"]) is not None), None)
        mechs = list(dict.fromkeys(r["mechanism"] for r in sel
                                   if r["status"] != "baseline" and r["mechanism"] != "none"))
        fig, ax = plt.subplots(figsize=(8, 5))
        all_eps = []
        for mech in mechs:
            mrows = [r for r in sel if r["mechanism"] == mech]
            ok = sorted((num(r["epsilon"]), num(r["accuracy"])) for r in mrows
                        if r["status"] == "ok" and num(r["epsilon"]) is not None
                        and num(r["accuracy"]) is not None)
            skipped = sorted(num(r["epsilon"]) for r in mrows
                             if r["status"] != "ok" and num(r["epsilon"]) is not None)
            all_eps += [e for e, _ in ok] + skipped
            label = mech
            if skipped:
                label += f" (no result at ε = {', '.join(f'{e:g}' for e in skipped)})"
            style = STYLE(mech)
            if ok:
                ax.plot([e for e, _ in ok], [100 * a for _, a in ok], label=label,
                        linewidth=1.8, markersize=6, **style)
            else:
                ax.plot([], [], label=label, linewidth=1.8, **style)
        if baseline is not None:
            ax.axhline(100 * baseline, color="black", linestyle="--", linewidth=1.2,
                       label=f"baseline, clean training text ({100 * baseline:.1f} %)")
        if dataset in chance:
            ax.axhline(100 * chance[dataset], color="grey", linestyle=":", linewidth=1.0,
                       label=f"chance ({100 * chance[dataset]:.1f} %)")
        if not all_eps:
            log(f"skip: accuracy_vs_epsilon_{dataset}.png: no mechanism rows")
            plt.close(fig)
            continue
        eps_axis(ax, all_eps)
        ax.set_ylabel("test accuracy on clean text (%)")
        n = next((r for r in sel), {})
        ax.set_title(f"{dataset}: classifier trained on privatized text\n"
                     f"({n.get('train_docs', '?')} train / {n.get('test_docs', '?')} test documents)",
                     fontsize=11)
        finish(fig, ax, out / f"accuracy_vs_epsilon_{safe(dataset)}.png", dpi)


def safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def plot_changed_from_utility(rows: list[dict], out: Path, dpi: int) -> None:
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    linestyles = ["-", "--", ":", "-."]
    fig, ax = plt.subplots(figsize=(8, 5))
    all_eps = []
    for di, dataset in enumerate(datasets):
        for mech in dict.fromkeys(r["mechanism"] for r in rows if r["dataset"] == dataset):
            pts = sorted((num(r["epsilon"]), num(r["changed_fraction"])) for r in rows
                         if r["dataset"] == dataset and r["mechanism"] == mech
                         and r["status"] == "ok" and num(r["epsilon"]) is not None
                         and num(r["changed_fraction"]) is not None)
            if not pts:
                continue
            all_eps += [e for e, _ in pts]
            ax.plot([e for e, _ in pts], [100 * c for _, c in pts],
                    linestyle=linestyles[di % len(linestyles)], linewidth=1.8,
                    label=f"{mech} ({dataset} train text)", **STYLE(mech))
    if not all_eps:
        log("skip: changed_vs_epsilon.png: no ok rows with a changed_fraction in utility.csv")
        plt.close(fig)
        return
    eps_axis(ax, all_eps)
    ax.set_ylim(-2, 102)
    ax.set_ylabel("words changed (% of in-vocabulary tokens)")
    ax.set_title("Fraction of words the mechanism replaced vs ε\n(from utility.csv)", fontsize=11)
    finish(fig, ax, out / "changed_vs_epsilon.png", dpi)


def plot_word_utility(rows: list[dict], src: Path, out: Path, dpi: int) -> None:
    by_mech: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if num(r["epsilon"]) is not None:
            by_mech[r["mechanism"]].append(r)
    tokens = describe_range(num(r["tokens"]) for r in rows)

    fig, ax = plt.subplots(figsize=(8, 5))
    all_eps = []
    for mech, mrows in by_mech.items():
        pts = sorted((num(r["epsilon"]), num(r["changed_fraction"])) for r in mrows
                     if num(r["changed_fraction"]) is not None)
        all_eps += [e for e, _ in pts]
        ax.plot([e for e, _ in pts], [100 * c for _, c in pts], label=mech,
                linewidth=1.8, **STYLE(mech))
    if all_eps:
        eps_axis(ax, all_eps)
        ax.set_ylim(-2, 102)
        ax.set_ylabel("words changed (% of in-vocabulary tokens)")
        ax.set_title(f"Fraction of words the mechanism replaced vs ε\n({tokens} tokens, {src.name})",
                     fontsize=11)
        finish(fig, ax, out / "changed_vs_epsilon.png", dpi)
    else:
        plt.close(fig)
        log(f"skip: changed_vs_epsilon.png: no changed_fraction values in {src}")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5))
    all_eps = []
    for mech, mrows in by_mech.items():
        cos = sorted((num(r["epsilon"]), num(r["mean_cosine"])) for r in mrows
                     if num(r["mean_cosine"]) is not None)
        dist = sorted((num(r["epsilon"]), num(r["mean_distance"])) for r in mrows
                      if num(r["mean_distance"]) is not None)
        all_eps += [e for e, _ in cos] + [e for e, _ in dist]
        ax1.plot([e for e, _ in cos], [c for _, c in cos], label=mech, linewidth=1.8, **STYLE(mech))
        ax2.plot([e for e, _ in dist], [d for _, d in dist], label=mech, linewidth=1.8, **STYLE(mech))
    if not all_eps:
        plt.close(fig)
        log(f"skip: cosine_vs_epsilon.png: no mean_cosine / mean_distance values in {src}")
        return
    for ax in (ax1, ax2):
        eps_axis(ax, all_eps)
        ax.grid(True, which="major", alpha=0.35)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=9)
    ax1.axhline(1.0, color="grey", linestyle=":", linewidth=0.8)
    ax1.set_ylabel("mean cosine similarity (1 = same word)")
    ax1.set_title("Cosine similarity of input and output embeddings", fontsize=11)
    ax2.set_ylim(bottom=0)
    ax2.set_ylabel("mean Euclidean distance (embedding units)")
    ax2.set_title("Distance from input to output embedding", fontsize=11)
    fig.suptitle(f"How close the output word is to the input word vs ε ({tokens} tokens, {src.name})",
                 fontsize=12)
    fig.tight_layout()
    fig.savefig(out / "cosine_vs_epsilon.png", dpi=dpi)
    plt.close(fig)
    log(f"wrote {out / 'cosine_vs_epsilon.png'}")


# ------------------------------------------------------------- frontier ------

def plot_frontier(den_rows: list[dict], util_rows: list[dict], out: Path, dpi: int) -> None:
    """Accuracy vs median N_w, one panel per dataset, one line per mechanism."""
    n_w: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for r in den_rows:
        if r["statistic"].strip().lower() == "n_w":
            eps, med = num(r["epsilon"]), num(r["median"])
            if eps is not None and med is not None:
                n_w[r["mechanism"]].append((eps, med))

    def lookup(mech, eps):
        return next((m for e, m in n_w.get(mech, [])
                     if abs(e - eps) <= 1e-6 * max(1.0, abs(e), abs(eps))), None)

    datasets = list(dict.fromkeys(r["dataset"] for r in util_rows))
    panels = []
    for dataset in datasets:
        sel = [r for r in util_rows if r["dataset"] == dataset]
        baseline = next((num(r["accuracy"]) for r in sel
                         if r["status"] == "baseline" or r["mechanism"] == "none"), None)
        lines = {}
        for mech in dict.fromkeys(r["mechanism"] for r in sel
                                  if r["status"] != "baseline" and r["mechanism"] != "none"):
            pts = []
            for r in sel:
                if r["mechanism"] != mech or r["status"] != "ok":
                    continue
                eps, acc = num(r["epsilon"]), num(r["accuracy"])
                m = lookup(mech, eps) if eps is not None else None
                if acc is not None and m is not None:
                    pts.append((m, acc, eps))
            if pts:
                lines[mech] = sorted(pts)
        if lines:
            panels.append((dataset, baseline, lines, sel[0].get("train_docs"), sel[0].get("test_docs")))
    if not panels:
        log("skip: frontier.png: no (mechanism, ε) with both an accuracy and a median N_w")
        return
    fig, axes = plt.subplots(1, len(panels), figsize=(6.5 * len(panels) + 2.5, 5.5), squeeze=False)
    for ax, (dataset, baseline, lines, n_train, n_test) in zip(axes[0], panels):
        for mech, pts in lines.items():
            ax.plot([p[0] for p in pts], [100 * p[1] for p in pts], label=mech,
                    linewidth=1.8, markersize=6, **STYLE(mech))
        if baseline is not None:
            ax.axhline(100 * baseline, color="black", linestyle="--", linewidth=1.2,
                       label="baseline, clean training text")
            ax.text(0.01, 100 * baseline, f" baseline {100 * baseline:.1f} %", va="bottom",
                    ha="left", fontsize=8, transform=ax.get_yaxis_transform())
        for t in (0.25, 0.5, 0.75):
            ax.axvline(t, color="grey", linestyle=":", linewidth=0.8)
        ax.set_xlim(-0.02, 1.02)
        ax.set_xlabel("median N_w (share of draws returning the input word)\n"
                      "← more private          less private →")
        ax.set_ylabel("test accuracy on clean text (%)")
        ax.set_title(f"{dataset} ({n_train} train / {n_test} test docs)", fontsize=11)
        ax.grid(True, which="major", alpha=0.35)
    handles, labels = {}, {}
    for ax in axes[0]:
        for h, l in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(l, h)
    fig.legend(list(handles.values()), list(handles.keys()), loc="center right", fontsize=9,
               framealpha=0.9)
    fig.suptitle("Privacy–utility frontier: accuracy vs empirical privacy at the same (mechanism, ε)",
                 fontsize=12)
    fig.tight_layout(rect=(0, 0, 1 - 2.3 / fig.get_figwidth(), 1))
    fig.savefig(out / "frontier.png", dpi=dpi)
    plt.close(fig)
    log(f"wrote {out / 'frontier.png'}")


# --------------------------------------------------------- frontier (ASR) ---

def mean_over_seeds(rows: list[dict]) -> list[dict]:
    """One utility row per (dataset, mechanism, ε): accuracy and words changed
    averaged over the seeds' ok rows (a row keeps its status when none is ok)."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["dataset"], r["mechanism"], r["epsilon"]), []).append(r)
    merged = []
    for group in groups.values():
        ok = [r for r in group if r["status"] in ("ok", "baseline")]
        row = dict(ok[0] if ok else group[0])
        for key in ("accuracy", "changed_fraction", "baseline_accuracy"):
            values = [num(r.get(key)) for r in ok if num(r.get(key)) is not None]
            if values:
                row[key] = repr(sum(values) / len(values))
        merged.append(row)
    return merged


def plot_frontier_asr(attack_rows: list[dict], util_rows: list[dict], out: Path, dpi: int) -> None:
    """Accuracy (mean ± sd over seeds) vs attack success; rows of panels are
    datasets, columns the attacks; each mechanism joined in ε order."""
    curves = sf.attack_curves(attack_rows)
    data = sf.accuracy_by_seed(util_rows)
    measures = [m for m in sf.MEASURES if m in curves]
    panels = []
    for dataset, entry in data.items():
        for measure in measures:
            lines = {}
            for mech, seeds in entry["mechanisms"].items():
                pts = []
                for eps, x in curves[measure].get(mech, []):
                    accs = [a for points in seeds.values() for e, a in points if sf.same_eps(e, eps)]
                    mean, sd, _ = sf.mean_sd(accs)
                    if mean is not None:
                        pts.append((x, mean, sd or 0.0))
                if pts:
                    lines[mech] = pts
            if lines:
                panels.append((dataset, measure, entry, lines))
    if not panels:
        log("skip: frontier_asr.png: no (mechanism, ε) with both an attack success and an accuracy")
        return
    rows_n = len(data)
    cols = max(1, len(measures))
    fig, axes = plt.subplots(rows_n, cols, figsize=(5.2 * cols + 2.8, 4.6 * rows_n), squeeze=False)
    where = {(d, m): (i, j) for i, d in enumerate(data) for j, m in enumerate(measures)}
    used = set()
    for dataset, measure, entry, lines in panels:
        i, j = where[(dataset, measure)]
        used.add((i, j))
        ax = axes[i][j]
        for mech, pts in lines.items():
            ax.errorbar([p[0] for p in pts], [100 * p[1] for p in pts], yerr=[100 * p[2] for p in pts],
                        label=mech, linewidth=1.6, markersize=5, capsize=2, **STYLE(mech))
        base = sf.mean_sd(list(entry["baseline"].values()))[0]
        if base is not None:
            ax.axhline(100 * base, color="black", linestyle="--", linewidth=1.2,
                       label="baseline, clean training text")
        ax.set_xlim(-0.02, 1.02)
        ax.set_xlabel(f"{sf.MEASURES[measure]}\n← more private          less private →")
        ax.set_ylabel("test accuracy on clean text (%)")
        n_seeds = max(len(s) for s in entry["mechanisms"].values())
        ax.set_title(f"{dataset}, {n_seeds} seed(s)", fontsize=11)
        ax.grid(True, which="major", alpha=0.35)
    for i in range(rows_n):
        for j in range(cols):
            if (i, j) not in used:
                axes[i][j].axis("off")
    handles = {}
    for ax in axes.flat:
        for h, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, h)
    fig.legend(list(handles.values()), list(handles.keys()), loc="center right", fontsize=9,
               framealpha=0.9)
    fig.suptitle("Accuracy at equal attack success: accuracy (mean ± sd over seeds) vs how often "
                 "an attacker recovers the input word, same (mechanism, ε)", fontsize=12)
    fig.tight_layout(rect=(0, 0, 1 - 2.6 / fig.get_figwidth(), 1))
    fig.savefig(out / "frontier_asr.png", dpi=dpi)
    plt.close(fig)
    log(f"wrote {out / 'frontier_asr.png'}")


# ----------------------------------------------------------------- main ------

def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        description="Write PNG plots for a dptext evaluation folder (deniability.csv, "
                    "utility.csv, word_utility.csv); missing inputs are skipped.")
    p.add_argument("dir", type=Path, help="evaluation folder to read")
    p.add_argument("--out", type=Path, default=None,
                   help="folder for the PNGs (default: the evaluation folder)")
    p.add_argument("--dpi", type=int, default=120, help="resolution of the PNGs (default: 120)")
    args = p.parse_args(argv)
    src = args.dir
    if not src.is_dir():
        log(f"error: {src} is not a folder")
        return 2
    out = args.out or src
    out.mkdir(parents=True, exist_ok=True)

    plot_deniability(src / "deniability.csv", out, args.dpi)

    utility = read_csv(src / "utility.csv",
                       ["dataset", "mechanism", "epsilon", "accuracy", "baseline_accuracy",
                        "changed_fraction", "status"])
    per_seed = utility
    if utility is not None:
        utility = mean_over_seeds(utility)
        plot_accuracy(utility, src, out, args.dpi)
        den = read_csv(src / "deniability.csv", ["mechanism", "epsilon", "statistic", "median"])
        if den is not None:
            plot_frontier(den, utility, out, args.dpi)
        attack = read_csv(src / "attack.csv", ["mechanism", "epsilon", "prior", "asr",
                                                "shadow_recovery", "status"])
        if attack is not None:
            plot_frontier_asr(attack, per_seed, out, args.dpi)

    word_src = src / "word_utility.csv"
    word = None
    if word_src.is_file():
        word = read_csv(word_src, ["mechanism", "epsilon", "changed_fraction",
                                   "mean_cosine", "mean_distance", "tokens"])
    if word is not None:
        plot_word_utility(word, word_src, out, args.dpi)
    elif utility is not None:
        plot_changed_from_utility(utility, out, args.dpi)
    else:
        log("skip: changed_vs_epsilon.png: neither word_utility.csv nor utility.csv is usable")
    return 0


if __name__ == "__main__":
    sys.exit(main())
