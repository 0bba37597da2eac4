#!/usr/bin/env bash
# The whole evaluation study, into one folder: plausible deniability of every
# mechanism, token-reconstruction attacks on every (mechanism, ε), the
# empirical privacy audit, word-level and downstream utility (several seeds),
# plots (frontier.png: accuracy vs median N_w; frontier_asr.png: accuracy vs
# attack success) and a Markdown summary (SUMMARY.md) that answers "does
# density-aware noise buy downstream utility at the same privacy?" at equal
# words changed and at equal attack success.
#
# Usage: Tools/evaluate-study.sh [FOLDER] [--quick] [--dptext PATH]
#                                [--polarity-train-docs N] [--newsgroups-train-docs N]
#                                [--sequential]
#                                [--datasets polarity,20newsgroups]
#                                [--downstream-mechanisms laplace,tem,…]
#                                [--seeds 1,2,3] [--rank-softmax LABEL,…]
#                                [--attack-words N] [--attack-draws M]
#                                [--audit-options "--draws 200000 …"] [--no-audit]
#   FOLDER      where results go (default .build-evaluation/, git-ignored)
#   --quick     smaller samples (100 words × 100 draws, kde-mh 30 × 40;
#               attack 500 words × 100 draws, kde-mh 100 × 40; polarity only),
#               for a first look
#   --dptext    the dptext binary to use (or set DPTEXT_BINARY; the old name
#               DPTEXT_BIN still works); without either, .build/release/dptext
#               is built with `swift build -c release`
#   --polarity-train-docs N
#               polarity training subsample, stratified (default all 3,000; --quick 1,000)
#   --newsgroups-train-docs N
#               20 Newsgroups training subsample, stratified (default 1000 of 11,293;
#               20NG documents are long and kde-mh runs ~1,000 tokens/s)
#   --sequential  do not run kde-mh's 20 Newsgroups privatization beside the rest
#   --datasets    downstream datasets (default polarity,20newsgroups; --quick: polarity)
#   --downstream-mechanisms
#               mechanisms trained on downstream (default laplace,tem,custext,
#               truncated-gumbel,kde-mh,diffractor and the rank-softmax labels);
#               deniability and the attacks always cover every catalog mechanism
#   --seeds     seeds of the downstream runs (split, subsample and dptext seed;
#               default 1,2,3): SUMMARY.md gives mean ± sd over them
#   --rank-softmax
#               mechanisms followed by rank-softmax post-processing, as
#               NAME+rank-softmax:c=C (default laplace+rank-softmax:c=0.1: on
#               laplace's grid, ε 4–12, the step keeps the word with probability
#               1 − e^(−cε) = 0.33–0.70; c ≥ 0.5 would keep it ≥ 86 % of the time
#               and change little, c = 0.03 replaces most words even at ε 12);
#               each runs on NAME's ε grid
#   --attack-words, --attack-draws
#               `dptext evaluate attack` --words and --draws (default 2000 × 200)
#   --audit-options  more options for `dptext evaluate audit` (e.g. fewer draws)
#   --no-audit  skip the empirical privacy audit
#
# The attacks (`dptext evaluate attack`): the Bayes-optimal context-free attack
# under a uniform and a Zipf prior (attack/uniform, attack/zipf), and with the
# uniform prior the shadow-data attack on the first 1,000 lines of Pride and
# Prejudice (even lines the attacker's, odd lines the release); merged into
# attack.csv. They run with --seed 1: the seeds vary the downstream runs.
#
# Rerunning into the same FOLDER goes on where an interrupted run stopped: a
# mechanism whose ε grid is all in deniability.json (or in an attack folder),
# a (dataset, mechanism, ε) already in a downstream utility.json of its seed
# and an existing audit.json are kept (delete FOLDER to start over; the word
# utility of a mechanism is kept too).
#
# Every mechanism runs on its own ε grid, from `dptext mechanisms --json`
# (chosen there by a pilot of `dptext evaluate deniability` on the bundled 50k
# store so that median N_w runs from below 0.1 to above 0.9 where it can); a
# mechanism whose grid is multiples of its smallest valid ε on the store
# (truncated-gumbel) runs at those multiples, and once at an ε shared with the
# other grids, where it is refused. Downstream accuracy and the attacks use the
# same grids, so every (mechanism, ε) has a median N_w, an ASR and an accuracy.
#
# Uses the default store unless DPTEXT_EMBEDDINGS names another.
set -euo pipefail
cd "$(dirname "$0")/.."

out=".build-evaluation"
quick=0
dptext="${DPTEXT_BINARY:-${DPTEXT_BIN:-}}"
newsgroups_docs=1000
polarity_docs=""
parallel=1
datasets_option=""
downstream_option=""
audit_options=""
seeds_option="1,2,3"
rank_softmax_option="laplace+rank-softmax:c=0.1"
attack_words=""
attack_draws=""
run_audit=1
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=1 ;;
        --dptext) dptext="$2"; shift ;;
        --dptext=*) dptext="${1#*=}" ;;
        --polarity-train-docs) polarity_docs="$2"; shift ;;
        --polarity-train-docs=*) polarity_docs="${1#*=}" ;;
        --newsgroups-train-docs) newsgroups_docs="$2"; shift ;;
        --newsgroups-train-docs=*) newsgroups_docs="${1#*=}" ;;
        --sequential) parallel=0 ;;
        --datasets) datasets_option="$2"; shift ;;
        --datasets=*) datasets_option="${1#*=}" ;;
        --downstream-mechanisms) downstream_option="$2"; shift ;;
        --downstream-mechanisms=*) downstream_option="${1#*=}" ;;
        --audit-options) audit_options="$2"; shift ;;
        --audit-options=*) audit_options="${1#*=}" ;;
        --seeds) seeds_option="$2"; shift ;;
        --seeds=*) seeds_option="${1#*=}" ;;
        --rank-softmax) rank_softmax_option="$2"; shift ;;
        --rank-softmax=*) rank_softmax_option="${1#*=}" ;;
        --attack-words) attack_words="$2"; shift ;;
        --attack-words=*) attack_words="${1#*=}" ;;
        --attack-draws) attack_draws="$2"; shift ;;
        --attack-draws=*) attack_draws="${1#*=}" ;;
        --no-audit) run_audit=0 ;;
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

# Mechanisms and ε grids from the catalog: every mechanism that takes ε (not
# identity), its grid's values, or the multiples of its smallest valid ε.
declare -A GRID=() MULTIPLES=()
# The data steps are Tools/evaluate_study.py (stdlib only), run with python3.
study() { python3 Tools/evaluate_study.py "$@"; }
catalog=$("$dptext" mechanisms --json | study catalog)
ALL_MECHANISMS=""
while IFS='|' read -r name values multiples; do
    ALL_MECHANISMS+=" $name"
    GRID[$name]="$values"
    [ -z "$multiples" ] || MULTIPLES[$name]="$multiples"
done <<<"$catalog"
# A multiples-grid mechanism is also run once at this ε, shared with the other
# grids, where it is refused (the downstream table shows the refusal).
REFUSED_EPSILON=10
# Post-processed mechanisms (NAME+rank-softmax:c=C) run on NAME's grid.
RANK_SOFTMAX=$(echo "$rank_softmax_option" | tr ',' ' ')
for label in $RANK_SOFTMAX; do
    base=${label%%+*}
    [ -n "${GRID[$base]+x}" ] || { echo "error: --rank-softmax $label: $base is not a catalog mechanism" >&2; exit 2; }
    [ -z "${MULTIPLES[$base]:-}" ] || { echo "error: --rank-softmax $label: $base has no fixed ε grid" >&2; exit 2; }
    GRID[$label]="${GRID[$base]}"
    ALL_MECHANISMS+=" $label"
done
DOWNSTREAM_MECHANISMS="laplace tem custext truncated-gumbel kde-mh diffractor $RANK_SOFTMAX"
SEEDS=$(echo "$seeds_option" | tr ',' ' ')
[ -n "$SEEDS" ] || { echo "error: --seeds needs at least one seed" >&2; exit 2; }

if [ "$quick" = 1 ]; then
    words=100; draws=100; kde_words=30; kde_draws=40; datasets="polarity"
    a_words=500; a_draws=100; kde_a_words=100; kde_a_draws=40; polarity_default=1000
else
    words=300; draws=300; kde_words=200; kde_draws=100; datasets="polarity 20newsgroups"
    a_words=2000; a_draws=200; kde_a_words=300; kde_a_draws=100; polarity_default=0
fi
polarity_docs=${polarity_docs:-$polarity_default}
[ -z "$attack_words" ] || { a_words=$attack_words; kde_a_words=$attack_words; }
[ -z "$attack_draws" ] || { a_draws=$attack_draws; kde_a_draws=$attack_draws; }
[ -n "$datasets_option" ] && datasets=$(echo "$datasets_option" | tr ',' ' ')
[ -n "$downstream_option" ] && DOWNSTREAM_MECHANISMS=$(echo "$downstream_option" | tr ',' ' ')
seed=1  # deniability, attacks, word utility and audit; downstream runs every --seeds

# Downstream accuracy of mechanisms on one dataset, once per seed, each seed in
# its own folder (merged into $out/utility.csv at the end).
downstream() {  # folder dataset mechanism… (each on its own grid, resumable)
    local folder=$1 dataset=$2 mechanism grids=() s
    shift 2
    for mechanism in "$@"; do grids+=(--grid "$mechanism=$(echo "${GRID[$mechanism]}" | tr ' ' ',')"); done
    for s in $SEEDS; do
        echo "-- seed $s"
        Tools/downstream-utility.sh --datasets "$dataset" --mechanisms "$(echo "$@" | tr ' ' ',')" "${grids[@]}" \
            --polarity-train-docs "$polarity_docs" --newsgroups-train-docs "$newsgroups_docs" --dptext "$dptext" --seed "$s" --resume \
            --out "$out/downstream/seed$s/$folder"
    done
}

audit() {
    if [ "$run_audit" = 0 ]; then echo "(skipped: --no-audit)"; return 0; fi
    if [ -f "$out/audit.json" ]; then echo "(kept $out/audit.json)"; return 0; fi
    # shellcheck disable=SC2086  # audit_options is a list of options
    "$dptext" evaluate audit --seed $seed $audit_options --out "$out"
}

# Whether a CSV already holds every ε of a mechanism's grid (a "multiples" grid:
# at least that many distinct ε, as its ε values depend on the store).
measured() {  # file.csv mechanism "ε1 ε2 …" [count]
    study measured "$1" "$2" "$3" ${4:+--count "$4"}
}

# The ε options of one evaluation: the grid, or the refused ε and the multiples.
epsilon_options() {  # mechanism
    if [ -n "${MULTIPLES[$1]:-}" ]; then
        echo "--epsilon $REFUSED_EPSILON --gumbel-multiples ${MULTIPLES[$1]}"
    else
        echo "--epsilon ${GRID[$1]}"
    fi
}

# kde-mh is a Markov chain (~1,000 tokens/s): smaller samples than the rest.
sample_options() {  # mechanism words draws kde_words kde_draws
    if [ "$1" = kde-mh ]; then echo "--words $4 --draws $5"; else echo "--words $2 --draws $3"; fi
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
    count=""
    [ -z "${MULTIPLES[$mechanism]:-}" ] || count=$(echo ${MULTIPLES[$mechanism]} | wc -w)
    if measured "$out/deniability.csv" "$mechanism" "${GRID[$mechanism]}" "$count"; then
        echo "(kept: $mechanism)"
        continue
    fi
    # shellcheck disable=SC2046  # the options are word lists
    "$dptext" evaluate deniability --mechanism "$mechanism" $(epsilon_options "$mechanism") \
        $(sample_options "$mechanism" $words $draws $kde_words $kde_draws) --seed $seed --out "$out"
done
# a multiples grid as run (resolved for this store), plus the refused ε
for mechanism in "${!MULTIPLES[@]}"; do
    GRID[$mechanism]="$REFUSED_EPSILON $(study epsilons "$out/deniability.csv" "$mechanism")"
    echo "$mechanism grid: ${GRID[$mechanism]}"
done

# The shadow attacker's public text, and the word-level utility's corpus: the
# first 1,000 lines (~8,500 words) of Pride and Prejudice.
corpus="$out/pride-and-prejudice-first-1000-lines.txt"
head -n 1000 Corpora/pride-and-prejudice.txt >"$corpus"

echo "== reconstruction attacks (uniform prior with the shadow attack, Zipf prior)"
for mechanism in $ALL_MECHANISMS; do
    count=""
    [ -z "${MULTIPLES[$mechanism]:-}" ] || count=$(echo ${MULTIPLES[$mechanism]} | wc -w)
    for prior in uniform zipf; do
        if measured "$out/attack/$prior/attack.csv" "$mechanism" "${GRID[$mechanism]}" "$count"; then
            echo "(kept: $mechanism, $prior prior)"
            continue
        fi
        shadow=()
        [ "$prior" != uniform ] || shadow=(--shadow "$corpus")
        # shellcheck disable=SC2046  # the options are word lists
        "$dptext" evaluate attack --mechanism "$mechanism" $(epsilon_options "$mechanism") --prior $prior \
            $(sample_options "$mechanism" $a_words $a_draws $kde_a_words $kde_a_draws) "${shadow[@]}" \
            --seed $seed --out "$out/attack/$prior"
    done
done
study merge-attacks "$out"

downstream_dataset() {  # dataset: every downstream mechanism on its grid
    local dataset=$1 mechanism mechanisms=""
    for mechanism in $DOWNSTREAM_MECHANISMS; do
        [ "$mechanism/$dataset" = kde-mh/20newsgroups ] && [ -n "$background" ] && continue
        mechanisms+=" $mechanism"
    done
    [ -n "$mechanisms" ] || return 0
    echo "== downstream accuracy: $dataset:$mechanisms (seeds $SEEDS)"
    downstream "$dataset" "$dataset" $mechanisms
}

for mechanism in $DOWNSTREAM_MECHANISMS; do
    [ -n "${GRID[$mechanism]+x}" ] || { echo "error: downstream mechanism $mechanism is not in the catalog or --rank-softmax" >&2; exit 2; }
    echo "   $mechanism: ε ∈ {${GRID[$mechanism]}}"
done
# polarity first (short sentences), then the word-level utility and the audit,
# then 20 Newsgroups (long documents: the slowest part after kde-mh)
if [[ " $datasets " == *" polarity "* ]]; then downstream_dataset polarity; fi

echo "== word-level utility"
for mechanism in $ALL_MECHANISMS; do
    count=""
    [ -z "${MULTIPLES[$mechanism]:-}" ] || count=$(echo ${MULTIPLES[$mechanism]} | wc -w)
    if measured "$out/word_utility.csv" "$mechanism" "${GRID[$mechanism]}" "$count"; then
        echo "(kept: $mechanism)"
        continue
    fi
    # shellcheck disable=SC2046  # the options are word lists
    "$dptext" evaluate utility "$corpus" --mechanism "$mechanism" $(epsilon_options "$mechanism") \
        --seed $seed --out "$out"
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
study merge-utility "$out"

echo "== plots and summary"
Tools/plot-evaluation.sh "$out"
python3 Tools/summarize_evaluation.py "$out" > "$out/SUMMARY.md"
echo "Done: $out/SUMMARY.md"
