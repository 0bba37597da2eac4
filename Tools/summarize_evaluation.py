#!/usr/bin/env python3
"""Writes a short Markdown summary of an evaluation folder (stdlib only).

Reads what `dptext evaluate` and Tools/downstream-utility.sh wrote:
deniability.csv/json, audit.json, word_utility.csv, utility.csv, and lists
the PNG plots. Usage: summarize_evaluation.py FOLDER > FOLDER/SUMMARY.md
"""
import csv
import json
import sys
from pathlib import Path


def pct(value):
    try:
        return f"{100 * float(value):.1f} %"
    except (TypeError, ValueError):
        return "–"


def read_csv(path):
    return list(csv.DictReader(open(path))) if path.exists() else []


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

    plots = sorted(p.name for p in folder.glob("*.png"))
    if plots:
        print("## Plots\n")
        for name in plots:
            print(f"![{name}]({name})")
        print()


if __name__ == "__main__":
    main(sys.argv[1])
