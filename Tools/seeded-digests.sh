#!/usr/bin/env bash
# Prints the SHA-256 of seeded `dptext privatize` outputs, one line per
# mechanism configuration, on fixed excerpts of the bundled corpora: run it
# before and after a change that must not change outputs (decoding, sampling,
# the pipeline) and compare the two listings.
#
#   Tools/seeded-digests.sh [--embeddings STORE] [--dptext BINARY] [--quick]
#
# --quick skips the slow configurations (kde-mh, and everything but laplace on
# the 400k store's exact decoding is still run). Needs a release build: the
# binary is --dptext, else $DPTEXT_BINARY, else .build/release/dptext.
set -euo pipefail
cd "$(dirname "$0")/.."

store=Embeddings/glove-6B-50d-50k.h5
dptext="${DPTEXT_BINARY:-.build/release/dptext}"
quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --embeddings) store="$2"; shift 2 ;;
    --dptext) dptext="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    *) echo "usage: $0 [--embeddings STORE] [--dptext BINARY] [--quick]" >&2; exit 64 ;;
  esac
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c 20000 Corpora/pride-and-prejudice.txt > "$work/text.txt"
head -c 3000 Corpora/pride-and-prejudice.txt > "$work/short.txt"
head -n 50 Corpora/persuasion-paragraphs.jsonl > "$work/records.jsonl"
cp Corpora/mixed-layout.txt "$work/mixed.txt"

# Truncated Gumbel needs ε above a bound that depends on the vocabulary.
case "$(basename "$store")" in
  glove-6B-50d-50k.h5) gumbel=80 ;;
  *) gumbel=6000 ;;
esac

# truncated-gumbel's guarantee is unverified: privatize runs it only when asked to
# (binaries from before that rule know no such flag).
gumbel_flags=()
if "$dptext" privatize --help 2>/dev/null | grep -q -- --allow-unverified; then gumbel_flags=(--allow-unverified); fi

run() {  # label, input, options…
  local label="$1" input="$2"; shift 2
  local digest
  digest=$("$dptext" privatize "$input" --embeddings "$store" --seed 99 --max-unprotected-fraction 1 "$@" | sha256sum | cut -c1-16)
  printf '%-58s %s\n' "$label" "$digest"
}

echo "store $store"
for input in text.txt mixed.txt; do
  run "identity $input" "$work/$input" --mechanism identity
  run "laplace ε10 $input" "$work/$input" --epsilon 10
  run "laplace ε10 threads1 $input" "$work/$input" --epsilon 10 --threads 1
  run "laplace ε30 $input" "$work/$input" --epsilon 30
  run "truncated-laplace ε10 R7.4 $input" "$work/$input" --mechanism truncated-laplace --epsilon 10 --max-noise 7.4
  run "truncated-laplace ε10 R5 clip $input" "$work/$input" --mechanism truncated-laplace --epsilon 10 --max-noise 5 --truncation clip
  run "truncated-laplace ε10 D4.5 $input" "$work/$input" --mechanism truncated-laplace --epsilon 10 --max-distance 4.5
  run "truncated-gumbel ε$gumbel $input" "$work/$input" --mechanism truncated-gumbel --epsilon "$gumbel" "${gumbel_flags[@]}"
done
run "laplace ε10 jsonl" "$work/records.jsonl" --epsilon 10 --format jsonl
run "truncated-gumbel ε$gumbel jsonl" "$work/records.jsonl" --mechanism truncated-gumbel --epsilon "$gumbel" "${gumbel_flags[@]}" --format jsonl
run "laplace ε10 oov keep" "$work/text.txt" --epsilon 10 --oov keep
run "laplace ε10 oov mask" "$work/text.txt" --epsilon 10 --oov mask
for epsilon in 4 10; do
  run "tem ε$epsilon text.txt" "$work/text.txt" --mechanism tem --epsilon "$epsilon"
  run "santext ε$epsilon text.txt" "$work/text.txt" --mechanism santext --epsilon "$epsilon"
done
run "santext-plus ε4 text.txt" "$work/text.txt" --mechanism santext-plus --epsilon 4
run "custext ε10 text.txt" "$work/text.txt" --mechanism custext --epsilon 10
run "mahalanobis ε10 text.txt" "$work/text.txt" --mechanism mahalanobis --epsilon 10
run "vickrey ε10 text.txt" "$work/text.txt" --mechanism vickrey --epsilon 10
if [ "$quick" = 0 ]; then
  run "kde-mh ε10 B100 T200 short" "$work/short.txt" --mechanism kde-mh --epsilon 10 --burn-in 100 --steps 200
fi
