#!/usr/bin/env bash
# The whole evaluation study, into one folder: plausible deniability of every
# mechanism, the empirical privacy audit, word-level and downstream utility,
# plots (frontier.png: accuracy vs median N_w) and a Markdown summary
# (SUMMARY.md) that answers "does density-aware noise buy downstream utility
# at the same privacy?". Everything is seeded (--seed 1).
#
# Usage: Tools/evaluate-study.sh [FOLDER] [--quick] [--dptext PATH]
#                                [--newsgroups-train-docs N] [--sequential]
#                                [--datasets polarity,20newsgroups]
#                                [--downstream-mechanisms laplace,tem,…]
#                                [--audit-options "--draws 200000 …"]
#   FOLDER      where results go (default .build-evaluation/, git-ignored)
#   --quick     smaller samples (100 words × 100 draws, kde-mh 30 × 40;
#               polarity only), for a first look
#   --dptext    the dptext binary to use (or set DPTEXT_BIN); without it,
#               .build/release/dptext is built with `swift build -c release`
#   --newsgroups-train-docs N
#               20 Newsgroups training subsample, stratified (default 1000 of 11,293;
#               20NG documents are long and kde-mh runs ~1,000 tokens/s)
#   --sequential  do not run kde-mh's 20 Newsgroups privatization beside the rest
#   --datasets    downstream datasets (default polarity,20newsgroups; --quick: polarity)
#   --downstream-mechanisms
#               mechanisms trained on downstream (default laplace,tem,custext,
#               truncated-gumbel,kde-mh); deniability always covers all 11
#   --audit-options  more options for `dptext evaluate audit` (e.g. fewer draws)
#
# Rerunning into the same FOLDER goes on where an interrupted run stopped: a
# mechanism whose ε grid is all in deniability.json, a (dataset, mechanism, ε)
# already in a downstream utility.json and an existing audit.json are kept
# (delete FOLDER to start over; the word utility of a mechanism is kept too).
#
# Every mechanism gets its own ε grid (below), chosen by a pilot of
# `dptext evaluate deniability` (100 words × 100 draws) on the bundled 50k store
# so that its median N_w runs from below 0.1 to above 0.9 where it can (it
# cannot for santext-plus, whose median N_w stays ~0.37–0.88, nor for
# truncated-gumbel, whose median N_w stays ~0.17–0.3 from its smallest valid ε
# up to 10,000 times that). Downstream accuracy uses the same grid, so every
# (mechanism, ε) has both a median N_w and an accuracy.
#
# Uses the default store unless DPTEXT_EMBEDDINGS names another (the grids were
# chosen for the bundled store; truncated-gumbel's are multiples of the store's
# smallest valid ε, so they follow the store).
set -euo pipefail
cd "$(dirname "$0")/.."

out=".build-evaluation"
quick=0
dptext="${DPTEXT_BIN:-}"
newsgroups_docs=1000
parallel=1
datasets_option=""
downstream_option=""
audit_options=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --dptext) dptext="$2"; shift ;;
        --dptext=*) dptext="${1#*=}" ;;
        --newsgroups-train-docs) newsgroups_docs="$2"; shift ;;
        --newsgroups-train-docs=*) newsgroups_docs="${1#*=}" ;;
        --sequential) parallel=0 ;;
        --datasets) datasets_option="$2"; shift ;;
        --datasets=*) datasets_option="${1#*=}" ;;
        --downstream-mechanisms) downstream_option="$2"; shift ;;
        --downstream-mechanisms=*) downstream_option="${1#*=}" ;;
        --audit-options) audit_options="$2"; shift ;;
        --audit-options=*) audit_options="${1#*=}" ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) out="$1" ;;
    esac
    shift
done
mkdir -p "$out/logs"

if [ -z "$dptext" ]; then
    Tools/install-deps.sh
    swift build -c release
    dptext=.build/release/dptext
fi
[ -x "$dptext" ] || { echo "error: $dptext is not an executable dptext binary" >&2; exit 2; }
dptext="$(cd "$(dirname "$dptext")" && pwd -P)/$(basename "$dptext")"
echo "Using $dptext; results in $out"

# ε grids per mechanism (bundled 50k store, pilot median N_w in the comments).
declare -A GRID=(
    [laplace]="4 6 7 8 10 12"                  # 0.03 0.23 – 0.57 0.84 0.96
    [truncated-laplace]="4 6 7 8 10 12"        # 0.03 0.24 – 0.58 0.83 0.96
    [mahalanobis]="4 6 7 8 10 12"              # 0.03 0.21 – 0.56 0.82 0.94
    [vickrey]="4 8 15 30 75 200"               # 0.03 0.36 0.55 0.66 0.81 0.92
    [tem]="2 2.5 3 3.5 4 4.5 5"                # 0.01 – 0.18 – 0.76 – 0.98
    [santext]="2 2.5 3 3.5 4 4.5 5"            # as tem
    [santext-plus]="1 2 3 4 6 10"              # 0.37 0.51 0.75 0.81 0.86 0.88 (300 × 300)
    [custext]="1 3 5 7 10 12 15"               # 0.07 0.15 0.29 – 0.74 0.87 0.95
    [custext-plus]="1 3 5 7 10 12 15"          # 0.08 0.15 0.29 – 0.74 0.86 0.95
    [kde-mh]="5 6.5 8 10 15"                   # 0.03 – – 0.75 0.98 (7: 0.25)
)
# truncated-gumbel refuses ε ≤ (2(1+ln V)+3)/Δmin (75.633 on the bundled store):
# it runs at these multiples of that minimum (0.17 0.17 0.18 ~0.24 ~0.27 ~0.30),
# and once at an ε shared with the other grids, where it is refused.
GUMBEL_MULTIPLES="1 2 10 100 1000 10000"
GUMBEL_REFUSED_EPSILON=10
ALL_MECHANISMS="laplace truncated-laplace truncated-gumbel kde-mh tem santext santext-plus custext custext-plus mahalanobis vickrey"
DOWNSTREAM_MECHANISMS="laplace tem custext truncated-gumbel kde-mh"

if [ "$quick" = 1 ]; then
    words=100; draws=100; kde_words=30; kde_draws=40; datasets="polarity"
else
    words=300; draws=300; kde_words=200; kde_draws=100; datasets="polarity 20newsgroups"
fi
[ -n "$datasets_option" ] && datasets=$(echo "$datasets_option" | tr ',' ' ')
[ -n "$downstream_option" ] && DOWNSTREAM_MECHANISMS=$(echo "$downstream_option" | tr ',' ' ')
seed=1

# Downstream accuracy of one mechanism on one dataset, into its own folder
# (merged into $out/utility.csv at the end).
downstream() {  # folder dataset mechanism… (each on its own grid, resumable)
    local folder=$1 dataset=$2 mechanism grids=()
    shift 2
    for mechanism in "$@"; do grids+=(--grid "$mechanism=$(echo "${GRID[$mechanism]}" | tr ' ' ',')"); done
    Tools/downstream-utility.sh --datasets "$dataset" --mechanisms "$(echo "$@" | tr ' ' ',')" "${grids[@]}" \
        --newsgroups-train-docs "$newsgroups_docs" --dptext "$dptext" --seed $seed --resume \
        --out "$out/downstream/$folder"
}

audit() {
    if [ -f "$out/audit.json" ]; then echo "(kept $out/audit.json)"; return 0; fi
    # shellcheck disable=SC2086  # audit_options is a list of options
    "$dptext" evaluate audit --seed $seed $audit_options --out "$out"
}

# Whether deniability.json already holds every ε of a mechanism's grid.
measured() {  # mechanism "ε1 ε2 …"
    [ -f "$out/deniability.csv" ] && python3 -c "
import csv, sys
have = [float(r['epsilon']) for r in csv.DictReader(open('$out/deniability.csv')) if r['mechanism'] == sys.argv[1]]
sys.exit(0 if all(any(abs(h - float(e)) <= 1e-9 * max(1, h) for h in have) for e in sys.argv[2].split()) else 1)
" "$1" "$2"
}

# kde-mh on 20 Newsgroups is the slowest piece by far: it runs beside the rest,
# followed by the audit (the two cores are shared: run the study under nice).
background=""
if [ "$parallel" = 1 ] && [[ " $datasets " == *" 20newsgroups "* ]] && [[ " $DOWNSTREAM_MECHANISMS " == *" kde-mh "* ]]; then
    echo "== in the background (log: $out/logs/background.log): downstream kde-mh on 20newsgroups, then the audit"
    ( status=0
      echo "== downstream accuracy: kde-mh / 20newsgroups"; downstream kde-mh/20newsgroups 20newsgroups kde-mh || status=1
      echo "== empirical privacy audit"; audit || status=1
      exit $status ) >"$out/logs/background.log" 2>&1 &
    background=$!
fi

echo "== plausible deniability"
for mechanism in $ALL_MECHANISMS; do
    if [ "$mechanism" = truncated-gumbel ]; then
        if [ -f "$out/deniability.csv" ] && python3 -c "
import csv, sys; sys.exit(0 if len({r['epsilon'] for r in csv.DictReader(open('$out/deniability.csv'))
    if r['mechanism'] == 'truncated-gumbel'}) >= len('$GUMBEL_MULTIPLES'.split()) else 1)"; then
            echo "(kept: truncated-gumbel)"; continue
        fi
        "$dptext" evaluate deniability --mechanism truncated-gumbel --epsilon $GUMBEL_REFUSED_EPSILON \
            --gumbel-multiples $GUMBEL_MULTIPLES --words $words --draws $draws --seed $seed --out "$out"
    elif measured "$mechanism" "${GRID[$mechanism]}"; then
        echo "(kept: $mechanism)"
    elif [ "$mechanism" = kde-mh ]; then
        "$dptext" evaluate deniability --mechanism kde-mh --epsilon ${GRID[kde-mh]} \
            --words $kde_words --draws $kde_draws --seed $seed --out "$out"
    else
        "$dptext" evaluate deniability --mechanism "$mechanism" --epsilon ${GRID[$mechanism]} \
            --words $words --draws $draws --seed $seed --out "$out"
    fi
done
# truncated-gumbel's grid, as run (the multiples resolved for this store), plus the refused ε
GRID[truncated-gumbel]="$GUMBEL_REFUSED_EPSILON $(python3 -c "
import csv; rows = csv.DictReader(open('$out/deniability.csv'))
print(' '.join(repr(e) for e in sorted({float(r['epsilon']) for r in rows if r['mechanism'] == 'truncated-gumbel'})))")"
echo "truncated-gumbel grid: ${GRID[truncated-gumbel]}"

downstream_dataset() {  # dataset: every downstream mechanism on its grid
    local dataset=$1 mechanism mechanisms=""
    for mechanism in $DOWNSTREAM_MECHANISMS; do
        [ "$mechanism/$dataset" = kde-mh/20newsgroups ] && [ -n "$background" ] && continue
        mechanisms+=" $mechanism"
    done
    [ -n "$mechanisms" ] || return 0
    echo "== downstream accuracy: $dataset:$mechanisms"
    downstream "$dataset" "$dataset" $mechanisms
}

for mechanism in $DOWNSTREAM_MECHANISMS; do echo "   $mechanism: ε ∈ {${GRID[$mechanism]}}"; done
# polarity first (short sentences), then the word-level utility and the audit,
# then 20 Newsgroups (long documents: the slowest part after kde-mh)
if [[ " $datasets " == *" polarity "* ]]; then downstream_dataset polarity; fi

# On the first 1,000 lines (~8,500 words) of Pride and Prejudice: kde-mh runs
# ~1,000 tokens/s and every mechanism runs its whole grid.
echo "== word-level utility"
corpus="$out/pride-and-prejudice-first-1000-lines.txt"
head -n 1000 Corpora/pride-and-prejudice.txt >"$corpus"
for mechanism in $ALL_MECHANISMS; do
    if [ -f "$out/word_utility.csv" ] && python3 -c "
import csv, sys
have = {float(r['epsilon']) for r in csv.DictReader(open('$out/word_utility.csv')) if r['mechanism'] == sys.argv[1]}
sys.exit(0 if len(have) >= len(sys.argv[2].split()) else 1)" "$mechanism" "${GRID[$mechanism]}"; then
        echo "(kept: $mechanism)"
    elif [ "$mechanism" = truncated-gumbel ]; then
        "$dptext" evaluate utility "$corpus" --mechanism truncated-gumbel \
            --epsilon $GUMBEL_REFUSED_EPSILON --gumbel-multiples $GUMBEL_MULTIPLES --seed $seed --out "$out"
    else
        "$dptext" evaluate utility "$corpus" --mechanism "$mechanism" \
            --epsilon ${GRID[$mechanism]} --seed $seed --out "$out"
    fi
done

if [ -z "$background" ]; then
    echo "== empirical privacy audit"
    audit
fi

for dataset in $datasets; do
    [ "$dataset" = polarity ] || downstream_dataset "$dataset"
done

if [ -n "$background" ]; then
    echo "== waiting for the background job (kde-mh on 20newsgroups, audit)"
    wait "$background" || echo "warning: part of the background job failed; see $out/logs/background.log" >&2
    grep -E '^(== |Wrote )' "$out/logs/background.log" || true
fi

echo "== merging downstream results into $out/utility.csv"
python3 - "$out" <<'PY'
import csv, json, sys
from pathlib import Path
out = Path(sys.argv[1])
rows, data = [], {}
for path in sorted((out / "downstream").rglob("utility.csv")):
    rows += list(csv.DictReader(open(path)))
    config = json.loads((path.parent / "utility.json").read_text())["config"]
    data.update(config.get("data", {}))
# One baseline row per dataset (every run computes the same one), then rows in
# (dataset, mechanism, ε) order.
seen, merged = set(), []
for row in rows:
    key = (row["dataset"], row["mechanism"], row["epsilon"])
    if key not in seen:
        seen.add(key)
        merged.append(row)
merged.sort(key=lambda r: (r["dataset"], r["mechanism"] != "none", r["mechanism"], float(r["epsilon"] or 0)))
if merged:
    with open(out / "utility.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(merged[0].keys()), lineterminator="\n")
        writer.writeheader()
        writer.writerows(merged)
    # the dataset descriptions and class lists, for the plots' chance levels
    (out / "utility.json").write_text(json.dumps({"config": {"data": data}, "rows": merged}, indent=2) + "\n")
print(f"{len(merged)} rows")
PY

echo "== plots and summary"
Tools/plot-evaluation.sh "$out"
python3 Tools/summarize_evaluation.py "$out" > "$out/SUMMARY.md"
echo "Done: $out/SUMMARY.md"
