#!/usr/bin/env bash
# The whole evaluation study, into one folder: plausible deniability, the
# empirical privacy audit, word-level and downstream utility, plots, and a
# Markdown summary (SUMMARY.md). Everything is seeded.
#
# Usage: Tools/evaluate-study.sh [FOLDER] [--quick]
#   FOLDER   where results go (default .build-evaluation/, git-ignored)
#   --quick  smaller samples (200 words × 500 draws; polarity only), for a first look
#
# Uses the default store unless DPTEXT_EMBEDDINGS names another.
set -euo pipefail
cd "$(dirname "$0")/.."

out=".build-evaluation"
quick=0
for argument in "$@"; do
    case "$argument" in
        --quick) quick=1 ;;
        *) out="$argument" ;;
    esac
done
mkdir -p "$out"

Tools/install-deps.sh
swift build -c release
dptext=.build/release/dptext

if [ "$quick" = 1 ]; then
    words=200; draws=500; kde_words=30; kde_draws=100; datasets=polarity
else
    words=1000; draws=1000; kde_words=100; kde_draws=200; datasets=polarity,20newsgroups
fi
gumbel_multiples="1.05 1.5 2 5"

echo "== plausible deniability"
$dptext evaluate deniability --mechanism laplace truncated-laplace --words $words --draws $draws --out "$out"
$dptext evaluate deniability --mechanism truncated-gumbel --gumbel-multiples $gumbel_multiples \
    --words $words --draws $draws --out "$out"
$dptext evaluate deniability --mechanism kde-mh --words $kde_words --draws $kde_draws --out "$out"

echo "== empirical privacy audit"
$dptext evaluate audit --out "$out"

echo "== word-level utility"
$dptext evaluate utility Corpora/pride-and-prejudice.txt --gumbel-multiples $gumbel_multiples --out "$out"

echo "== downstream accuracy"
gumbel_epsilons=$(python3 -c "
import json; runs = json.load(open('$out/deniability.json'))
print(','.join(sorted({format(r['epsilon'], 'g') for r in runs if r['mechanism'] == 'truncated-gumbel' and r['status'] == 'ok'})))")
Tools/downstream-utility.sh --datasets $datasets --mechanisms laplace --epsilons 1,5,10,20,50 \
    --dptext "$dptext" --seed 1 --out "$out"
Tools/downstream-utility.sh --datasets $datasets --mechanisms truncated-gumbel --epsilons "$gumbel_epsilons" \
    --dptext "$dptext" --seed 1 --out "$out/truncated-gumbel-utility"
python3 - "$out" <<'PY'
import csv, sys
from pathlib import Path
out = Path(sys.argv[1])
rows = []
for path in [out / "utility.csv", out / "truncated-gumbel-utility" / "utility.csv"]:
    if path.exists():
        rows += list(csv.DictReader(open(path)))
# One baseline row per dataset, then rows in (dataset, mechanism, ε) order.
seen, merged = set(), []
for row in rows:
    key = (row["dataset"], row["mechanism"], row["epsilon"])
    if key not in seen:
        seen.add(key)
        merged.append(row)
rows = sorted(merged, key=lambda r: (r["dataset"], r["mechanism"] != "none", r["mechanism"],
                                     float(r["epsilon"] or 0)))
if rows:
    with open(out / "utility.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)
PY

echo "== plots and summary"
Tools/plot-evaluation.sh "$out"
python3 Tools/summarize_evaluation.py "$out" > "$out/SUMMARY.md"
echo "Done: $out/SUMMARY.md"
