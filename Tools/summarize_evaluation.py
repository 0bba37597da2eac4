#!/usr/bin/env python3
"""Writes a short Markdown summary of an evaluation folder (stdlib only).

Reads what `dptext evaluate` and Tools/downstream-utility.sh wrote:
deniability.csv/json, attack.csv, audit.json, word_utility.csv, utility.csv
(one row per seed), and lists the PNG plots. Usage: summarize_evaluation.py FOLDER > FOLDER/SUMMARY.md
"""
import csv
import json
import math
import sys
from pathlib import Path

import study_frontier as sf

# Median N_w levels at which mechanisms are compared at equal empirical privacy.
TARGETS = (0.1, 0.2, 0.25, 0.3, 0.5, 0.75, 0.9)
# The levels the plain-language answer is given at (0.2 and 0.3 are where
# truncated-gumbel, whose median N_w stays near 0.17–0.3, has points).
ANSWER_TARGETS = (0.2, 0.25, 0.3, 0.5, 0.75)
# The density-aware mechanisms the question is about (issue: tem, truncated-gumbel,
# kde-mh, custext): their noise or candidate set follows the vocabulary around the word.
DENSITY_AWARE = ("tem", "truncated-gumbel", "kde-mh", "custext")
# The density-blind reference they are compared with.
REFERENCE = "laplace"


def pct(value):
    try:
        return f"{100 * float(value):.1f} %"
    except (TypeError, ValueError):
        return "–"


def read_csv(path):
    return list(csv.DictReader(open(path))) if path.exists() else []


fnum = sf.fnum  # a finite float from a CSV cell, else None


def same_eps(a, b):
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def median_n_w(folder):
    """{mechanism: [(ε, median N_w, words, draws)]} from deniability.csv."""
    out = {}
    for row in read_csv(folder / "deniability.csv"):
        if row.get("statistic") != "n_w":
            continue
        eps, med = fnum(row["epsilon"]), fnum(row["median"])
        if eps is not None and med is not None:
            out.setdefault(row["mechanism"], []).append((eps, med, row.get("words"), row.get("draws")))
    return out


def frontier_points(folder):
    """Per dataset: baseline, test size and {mechanism: [point]} joining each
    downstream (mechanism, ε) row with the median N_w at the same ε. A point is
    a dict with eps, status, accuracy, n_w (None when not measured), note."""
    n_w = median_n_w(folder)
    data = {}
    for row in read_csv(folder / "utility.csv"):
        entry = data.setdefault(row["dataset"], {"baseline": None, "test_docs": None,
                                                 "train_docs": None, "mechanisms": {}})
        entry["test_docs"] = entry["test_docs"] or fnum(row.get("test_docs"))
        entry["train_docs"] = entry["train_docs"] or fnum(row.get("train_docs"))
        if row["status"] == "baseline" or row["mechanism"] == "none":
            entry.setdefault("baselines", []).append(fnum(row["accuracy"]))
            entry["baseline"] = sf.mean_sd([b for b in entry["baselines"] if b is not None])[0]
            continue
        eps = fnum(row["epsilon"])
        if eps is None:
            continue
        match = next((m for e, m, _, _ in n_w.get(row["mechanism"], []) if same_eps(e, eps)), None)
        points = entry["mechanisms"].setdefault(row["mechanism"], [])
        # one point per ε: the seeds' accuracies are averaged below
        point = next((p for p in points if same_eps(p["eps"], eps)), None)
        if point is None:
            point = {"eps": eps, "status": row["status"], "accuracies": [], "n_w": match,
                     "changed": fnum(row.get("changed_fraction")), "note": row.get("note", "")}
            points.append(point)
        if row["status"] == "ok" and fnum(row["accuracy"]) is not None:
            point["status"] = "ok"
            point["accuracies"].append(fnum(row["accuracy"]))
    for entry in data.values():
        for points in entry["mechanisms"].values():
            points.sort(key=lambda p: p["eps"])
            for p in points:
                p["accuracy"] = sf.mean_sd(p["accuracies"])[0]
    return data


def noise_pp(accuracy, n):
    """Two binomial standard errors of the difference of two accuracies on the same
    n test documents, treated as independent (conservative), in percentage points."""
    if not accuracy or not n:
        return None
    return 100 * 2 * math.sqrt(2 * accuracy * (1 - accuracy) / n)


def pp(value):
    return "–" if value is None else f"{100 * value:.1f} %"


def print_frontier(folder):
    data = frontier_points(folder)
    by_seed = sf.accuracy_by_seed(read_csv(folder / "utility.csv"))
    n_w = median_n_w(folder)
    if not data or not any(d["mechanisms"] for d in data.values()):
        return
    print("## Does density-aware noise buy utility at equal privacy?\n")
    print("Each mechanism was run downstream on its own ε grid, the same grid as in the "
          "deniability table, so every (mechanism, ε) has both an accuracy and a median N_w. "
          "Density-aware mechanisms: " + ", ".join(DENSITY_AWARE) + f"; reference: {REFERENCE}. "
          "Comparing at equal ε says little, because ε means very different amounts of change "
          "across mechanisms; comparing at equal median N_w (how often a word comes back "
          "unchanged) compares them at equal empirical privacy.\n")
    answers, caveats = [], []
    for dataset, entry in data.items():
        mechs = entry["mechanisms"]
        names = sorted(mechs)
        base = entry["baseline"]
        print(f"### {dataset}\n")
        print(f"Baseline (clean training text): {pp(base)}; "
              f"{entry['train_docs']:.0f} train / {entry['test_docs']:.0f} test documents.\n")
        # (a) equal ε
        counts = {}
        for m in names:
            for p in mechs[m]:
                key = next((k for k in counts if same_eps(k, p["eps"])), p["eps"])
                counts.setdefault(key, set()).add(m)
        shared = sorted(e for e, ms in counts.items() if len(ms) >= 2)
        print("**(a) Accuracy at equal ε** (ε values in the grids of at least two mechanisms; "
              "median N_w in brackets; \"not in grid\" = the mechanism's grid has no point there)\n")
        if shared:
            print("| ε | " + " | ".join(names) + " |")
            print("| ---: | " + " | ".join("---" for _ in names) + " |")
            for e in shared:
                cells = []
                for m in names:
                    p = next((p for p in mechs[m] if same_eps(p["eps"], e)), None)
                    if p is None:
                        cells.append("not in grid")
                    elif p["status"] != "ok":
                        cells.append("refused" if p["status"] == "skipped" else p["status"])
                    else:
                        nw = "" if p["n_w"] is None else f" ({p['n_w']:.2f})"
                        cells.append(pp(p["accuracy"]) + nw)
                print(f"| {e:g} | " + " | ".join(cells) + " |")
            print()
        else:
            print("No ε value is shared by two grids.\n")
        refused = [f"{m} at ε = {p['eps']:g}" for m in names for p in mechs[m] if p["status"] != "ok"]
        if refused:
            print("No downstream result (dptext refused or failed): " + ", ".join(refused) + ".\n")
        # (b) equal median N_w
        print("**(b) Accuracy at equal empirical privacy**: accuracy at median N_w = t, linearly "
              "interpolated, for each seed, along the mechanism's ε curve between the first two "
              "consecutive grid points whose N_w bracket t, then mean ± sd over the seeds; "
              "\"out of range\" = the grid's N_w does not reach t (never extrapolated).\n")
        print("| median N_w | " + " | ".join(names) + " | baseline |")
        print("| ---: | " + " | ".join("---:" for _ in names) + " | ---: |")
        table, cells = {}, {}
        seeds = by_seed.get(dataset, {}).get("mechanisms", {})
        for t in TARGETS:
            row = []
            for m in names:
                curve = [(e, med) for e, med, _, _ in n_w.get(m, [])]
                cells[(t, m)] = cell = sf.at_equal(curve, seeds.get(m, {}), t)
                table[(t, m)] = cell[0]
                row.append("out of range" if cell[0] is None else sf.fmt_cell(cell))
            print(f"| {t:g} | " + " | ".join(row) + f" | {pp(base)} |")
        print()
        ranges = []
        for m in names:
            nws = [p["n_w"] for p in mechs[m] if p["status"] == "ok" and p["n_w"] is not None]
            if nws:
                ranges.append(f"{m} {min(nws):.2f}–{max(nws):.2f}")
        if ranges:
            print("Median N_w covered by each grid: " + "; ".join(ranges) + ".\n")
        # plain answer for this dataset
        binomial = noise_pp(base, entry["test_docs"])
        seeded_noise = False
        lines = []
        for t in ANSWER_TARGETS:
            at = {m: table[(t, m)] for m in names if table[(t, m)] is not None}
            if not at:
                continue
            order = sorted(at, key=lambda m: -at[m])
            listing = ", ".join(f"{m} {100 * at[m]:.1f} %" for m in order)
            verdicts = []
            ref = at.get(REFERENCE)
            # the density-aware mechanisms, then the others run downstream (e.g.
            # diffractor, post-processed labels), each against the reference
            others = tuple(m for m in names if m not in DENSITY_AWARE and m != REFERENCE)
            for m in DENSITY_AWARE + others:
                if m in at and ref is not None:
                    d = 100 * (at[m] - ref)
                    # seed noise when there are seeds, else the test set's binomial noise
                    seeded = sf.compare(cells[(t, m)], cells[(t, REFERENCE)])
                    noise = 100 * seeded[1] if seeded else binomial
                    if noise is not None and abs(d) <= noise:
                        word = "within noise of"
                    elif d > 0:
                        word = "above"
                    else:
                        word = "below"
                    verdicts.append(f"{m} {word} {REFERENCE} ({d:+.1f} pp)")
                    answers.append((dataset, t, m, d, noise))
                    seeded_noise = seeded_noise or seeded is not None
                elif m in mechs:
                    verdicts.append(f"{m} has no point at this N_w")
            best = order[0]
            tied = [m for m in order[1:] if binomial is not None and 100 * (at[best] - at[m]) <= binomial]
            best_text = best + (f" (within noise: {', '.join(tied)})" if tied else "")
            lines.append(f"- at median N_w = {t:g}: {listing} (baseline {pp(base)}); best: {best_text}"
                         + ("; " + "; ".join(verdicts) if verdicts else "") + ".")
        if lines:
            if seeded_noise:
                how = (" — a difference with laplace within two standard errors of a difference of "
                       "two means over the seeds is treated as noise; \"best\" lists those within "
                       f"±{binomial:.1f} pp (two binomial standard errors on this test set):")
            else:
                how = (f" — differences within ±{binomial:.1f} pp (two standard errors of a "
                       "difference of two accuracies on this test set) are treated as noise:"
                       if binomial else ":")
            print(f"**In plain words ({dataset})**" + how + "\n")
            print("\n".join(lines))
            print()
    # overall answer
    # the headline counts the density-aware mechanisms; the bullets cover every one
    everyone, answers = answers, [a for a in answers if a[2] in DENSITY_AWARE]
    if answers:
        better = [a for a in answers if a[4] is not None and a[3] > a[4]]
        worse = [a for a in answers if a[4] is not None and a[3] < -a[4]]
        same = [a for a in answers if a not in better and a not in worse]
        print("### Answer\n")
        if better and not worse and not same:
            verdict = "Yes, in this run"
        elif better and not worse:
            verdict = "Partly, in this run: some density-aware points beat laplace, the rest are within noise"
        elif worse and not better:
            verdict = "No, in this run: density-aware noise cost utility at equal empirical privacy"
        elif not better and not worse:
            verdict = "No measurable gain in this run"
        else:
            verdict = "Mixed, in this run"
        fmt_list = lambda xs: "; ".join(f"{m} on {d} at N_w = {t:g} ({v:+.1f} pp)" for d, t, m, v, _ in xs)
        for m in dict.fromkeys(a[2] for a in everyone):
            mine = [a for a in everyone if a[2] == m]
            if not mine:
                continue
            up = sum(a[4] is not None and a[3] > a[4] for a in mine)
            down = sum(a[4] is not None and a[3] < -a[4] for a in mine)
            within = len(mine) - up - down
            # "better" only when most comparisons say so; a few wins among
            # many ties are reported as such, not as a gain.
            word = ("better than" if up > within and not down else "worse than" if down > within and not up
                    else "not measurably different from" if not up and not down
                    else "mostly within noise of" if within >= up + down else "mixed against")
            print(f"- **{m}**: {word} {REFERENCE} at equal median N_w — {up} of {len(mine)} "
                  f"comparisons above beyond noise, {down} below, {len(mine) - up - down} within noise "
                  f"(differences {min(a[3] for a in mine):+.1f} to {max(a[3] for a in mine):+.1f} pp).")
        print()
        print(f"**{verdict}.** Of {len(answers)} comparisons of a density-aware mechanism with "
              f"{REFERENCE} at equal median N_w ({', '.join(f'{t:g}' for t in ANSWER_TARGETS)}), "
              f"{len(better)} favour the density-aware mechanism beyond noise, {len(worse)} favour "
              f"{REFERENCE}, and {len(same)} are within noise.")
        if better:
            print(f"Better: {fmt_list(better)}.")
        if worse:
            print(f"Worse: {fmt_list(worse)}.")
        if same:
            print(f"Within noise: {fmt_list(same)}.")
        print()
    n_seeds = max((len(s) for d in by_seed.values() for s in d["mechanisms"].values()), default=0)
    print("**What limits this answer.** " + (
          "One seed (the same for the split, the subsample and every dptext run)" if n_seeds <= 1 else
          f"{n_seeds} seeds (each sets the split, the subsample and every dptext run of the "
          "downstream runs; deniability and the attacks are measured once)") + "; one classifier (TF-IDF + logistic regression) trained on privatized "
          "text and tested on clean text; accuracies are interpolated between grid points, "
          "linearly in N_w. Median N_w comes from `dptext evaluate deniability` over a word sample "
          "stratified by frequency (every band weighted equally), not from the datasets' tokens, "
          "so it weights rare words more than running text does (the token-weighted share of "
          "words changed is in utility.csv). Out-of-vocabulary tokens are replaced under "
          "`--oov unk` whatever ε is. Its samples (words × draws per mechanism) are in the "
          "deniability table; a median N_w is a multiple of 1/draws. truncated-gumbel's "
          "guarantee is unverified (see the audit), so \"equal ε\" does not mean equal "
          "proven privacy for it.")
    for dataset, entry in data.items():
        if dataset == "20newsgroups" and entry["train_docs"]:
            print(f"20 Newsgroups was trained on a stratified subsample of {entry['train_docs']:.0f} "
                  f"of its 11,293 training documents (tested on {entry['test_docs']:.0f}), so its "
                  "accuracies, the baseline included, are below what the full set gives.")
    print()


# Attack success levels at which mechanisms are compared at equal ASR.
ASR_TARGETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def print_attack(folder):
    """The attack table: every (mechanism, ε) of attack.csv, its priors side by side."""
    rows = read_csv(folder / "attack.csv")
    if not rows:
        return
    cells, methods, notes = {}, {}, {}
    for row in rows:
        key = (row["mechanism"], fnum(row["epsilon"]) or 0.0)
        if row.get("status") != "ok":
            notes[key] = row.get("status", "?")
            continue
        methods[key] = row.get("method", "")
        low, high = fnum(row.get("asr_low")), fnum(row.get("asr_high"))
        interval = f" [{low:.3f}–{high:.3f}]" if low is not None and high is not None and high > low else ""
        cells[key + (row["prior"],)] = f"{fnum(row['asr']):.3f}{interval} / {fnum(row['unchanged']):.3f}"
        if fnum(row.get("shadow_recovery")) is not None:
            cells[key + ("shadow",)] = (f"{fnum(row['shadow_recovery']):.3f} [{fnum(row['shadow_low']):.3f}–"
                                        f"{fnum(row['shadow_high']):.3f}] / {fnum(row['shadow_unchanged']):.3f}")
    words = sorted({row.get("words") for row in rows if row.get("words")}, key=int)
    draws = sorted({row.get("draws") for row in rows if fnum(row.get("draws"))}, key=int)
    print("## Reconstruction attacks\n")
    print(f"`dptext evaluate attack` over the {' or '.join(words)} most probable words of each prior "
          f"(estimated laws from {' or '.join(draws) or '–'} draws a word where there is no closed form). "
          "Each cell: the attack's success / the trivial attack's (output = guess). Bayes-optimal "
          "ASR with a 95 % interval where estimated (split-sample; none when exact); shadow: the "
          "table attack learned on public text, Clopper–Pearson interval.\n")
    print("| mechanism | ε | method | ASR, uniform | ASR, Zipf | shadow recovery |")
    print("| --- | ---: | --- | --- | --- | --- |")
    for mech, eps in sorted(set(methods) | set(notes)):
        if (mech, eps) not in methods:
            print(f"| {mech} | {eps:g} | {notes[(mech, eps)]} | – | – | – |")
            continue
        got = [cells.get((mech, eps, p), "–") for p in ("uniform", "zipf", "shadow")]
        print(f"| {mech} | {eps:g} | {methods[(mech, eps)]} | " + " | ".join(got) + " |")
    print()


def print_equal_asr(folder):
    """Accuracy at equal attack success, per dataset and measure, and the answer."""
    curves = sf.attack_curves(read_csv(folder / "attack.csv"))
    data = sf.accuracy_by_seed(read_csv(folder / "utility.csv"))
    if not curves or not data:
        return
    print("## Accuracy at equal attack success\n")
    print("For each seed, accuracy is interpolated along the mechanism's ε curve to where the "
          "attack's success reaches the level (linear between the first two consecutive grid "
          "points that bracket it; never extrapolated), then mean ± sd over the seeds. The "
          f"attacks are measured once (seed 1). A mechanism is compared with {REFERENCE} at "
          "each level both reach; a difference beyond two standard errors of a difference of "
          "two means over the seeds is called beyond seed noise.\n")
    verdicts = {}
    for dataset, entry in data.items():
        seeds = entry["mechanisms"]
        names = sorted(seeds)
        base = sf.mean_sd(list(entry["baseline"].values()))
        for measure, title in sf.MEASURES.items():
            if measure not in curves:
                continue
            table = sf.table_at(curves[measure], seeds, ASR_TARGETS)
            levels = [t for t in ASR_TARGETS if sum(table[(t, m)][0] is not None for m in names) >= 2]
            if not levels:
                continue
            print(f"**{dataset}, {title}** (baseline {sf.fmt_cell(base)})\n")
            print("| level | " + " | ".join(names) + " |")
            print("| ---: | " + " | ".join("---:" for _ in names) + " |")
            for t in levels:
                print(f"| {t:g} | " + " | ".join(
                    "out of range" if table[(t, m)][0] is None else sf.fmt_cell(table[(t, m)])
                    for m in names) + " |")
            print()
            verdicts[(dataset, measure)] = sf.comparisons(table, REFERENCE)
    if not any(verdicts.values()):
        print(f"No level is reached by {REFERENCE} and another mechanism with two or more seeds: "
              "no answer at equal attack success.\n")
        return
    print("### Answer at equal attack success\n")
    for (dataset, measure), rows in verdicts.items():
        if not rows:
            continue
        groups = sf.classify(rows)
        said = []
        for key, text in (("better", f"better than {REFERENCE} beyond seed noise"),
                          ("worse", f"worse than {REFERENCE} beyond seed noise"),
                          ("same", f"within seed noise of {REFERENCE} at every level"),
                          ("mostly-same", f"mostly within seed noise of {REFERENCE}"),
                          ("mixed", f"above {REFERENCE} at some levels, below at others")):
            if groups[key]:
                said.append(f"{text}: " + "; ".join(sf.describe(rows, m) for m in groups[key]))
        print(f"- **{dataset}, {sf.MEASURES[measure]}** — " + ". ".join(said) + ".")
    print()
    # the headline: every comparison of every attack and dataset, counted
    every = [r for rows in verdicts.values() for r in rows]
    above = sorted({r[1] for r in every if r[4] == "above"})
    below = sorted({r[1] for r in every if r[4] == "below"})
    n_above = sum(r[4] == "above" for r in every)
    n_below = sum(r[4] == "below" for r in every)
    lead = (f"At equal attack success, {', '.join(above)} beat{'s' if len(above) == 1 else ''} "
            f"{REFERENCE} beyond seed noise at {n_above} of {len(every)} comparisons"
            if above else f"At equal attack success, no mechanism beats {REFERENCE} beyond seed "
            f"noise at any of the {len(every)} comparisons")
    tail = (f"; {', '.join(below)} fall{'s' if len(below) == 1 else ''} below it beyond noise at "
            f"{n_below}" if below else f"; none falls below it beyond noise")
    print(f"**In one sentence:** {lead}{tail} (the rest are within noise).\n")


def main(folder):
    folder = Path(folder)
    print("# dptext evaluation summary\n")
    print(f"Folder: `{folder}`. Every figure below was computed by the commands in "
          "`Tools/evaluate-study.sh`, seeded, on the store named in the JSON files.\n")

    runs = json.load(open(folder / "deniability.json")) if (folder / "deniability.json").exists() else []
    if runs:
        print("## Plausible deniability (median over words; 5 %–95 % in brackets)\n")
        print("| mechanism | ε | words × draws | N_w | S_w | perplexity | guarantee |")
        print("| --- | ---: | --- | --- | --- | --- | --- |")
        for run in sorted(runs, key=lambda r: (r["mechanism"], r["epsilon"])):
            if run["status"] != "ok":
                print(f"| {run['mechanism']} | {run['epsilon']:g} | – | refused: {run['note']} | | | |")
                continue
            stats = {row["statistic"]: row for row in run["rows"]}
            def fmt(name, digits):
                row = stats[name]
                return f"{row['median']:.{digits}f} [{row['p05']:.{digits}f}–{row['p95']:.{digits}f}]"
            first = run["rows"][0]
            print(f"| {run['mechanism']} | {run['epsilon']:g} | {first['words']} × {first['draws']} | "
                  f"{fmt('n_w', 3)} | {fmt('s_w', 0)} | {fmt('perplexity', 1)} | {run['guarantee']} |")
        print()

    audit_path = folder / "audit.json"
    if audit_path.exists():
        print("## Empirical privacy audit\n")
        audit = json.load(open(audit_path))
        for entry in audit if isinstance(audit, list) else [audit]:
            print(f"- **{entry.get('mechanism')}** (ε = {entry.get('epsilon')}, store: {entry.get('store', '')}): "
                  f"{entry.get('verdict')}")
        print()

    word_utility = read_csv(folder / "word_utility.csv")
    if word_utility:
        print("## Word-level utility\n")
        print("| mechanism | ε | words changed | mean cosine | mean distance | tokens |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for row in word_utility:
            print(f"| {row['mechanism']} | {float(row['epsilon']):g} | {100 * float(row['changed_fraction']):.1f} % | "
                  f"{float(row['mean_cosine']):.3f} | {float(row['mean_distance']):.3f} | {row['tokens']} |")
        print()

    utility = read_csv(folder / "utility.csv")
    if utility:
        print("## Downstream accuracy (trained on privatized text, tested on clean text)\n")
        print("| dataset | mechanism | ε | accuracy | baseline | words changed | status |")
        print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
        for row in utility:
            def num(key, scale=1, suffix=""):
                try:
                    return f"{scale * float(row[key]):.3f}{suffix}"
                except (KeyError, ValueError):
                    return "–"
            print(f"| {row['dataset']} | {row['mechanism']} | {row['epsilon']} | {num('accuracy')} | "
                  f"{num('baseline_accuracy')} | {pct(row.get('changed_fraction'))} | {row['status']} |")
        print()

    print_attack(folder)
    print_frontier(folder)
    print_equal_asr(folder)

    notes = folder / "run-notes.md"
    if notes.exists():
        print("## Notes on this run\n")
        print(notes.read_text().strip() + "\n")

    plots = sorted(p.name for p in folder.glob("*.png"))
    if plots:
        print("## Plots\n")
        for name in plots:
            print(f"![{name}]({name})")
        print()


if __name__ == "__main__":
    main(sys.argv[1])
