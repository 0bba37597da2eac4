#!/usr/bin/env bash
# Privatizes the bundled Pride and Prejudice sample with the bundled store
# and prints the same excerpt before and after. Run after `swift build -c release`,
# or point DPTEXT_BINARY at a dptext binary.
# Usage: [DPTEXT_BINARY=PATH] Tools/demo.sh [EPSILON]   (default ε 10)
set -euo pipefail
cd "$(dirname "$0")/.."

epsilon="${1:-10}"
dptext="${DPTEXT_BINARY:-.build/release/dptext}"
[ -x "$dptext" ] || { echo "error: no dptext binary at $dptext; run 'swift build -c release' or set DPTEXT_BINARY" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$dptext" privatize Corpora/pride-and-prejudice.txt --epsilon "$epsilon" \
    -o "$work/privatized.txt" --report "$work/report.json"

excerpt() { sed -n '10,16p' "$1"; }
echo "── before (Corpora/pride-and-prejudice.txt, lines 10–16) ──"
excerpt Corpora/pride-and-prejudice.txt
echo "── after (laplace, ε = $epsilon, bundled GloVe 6B 50d store, 50,000 words) ──"
excerpt "$work/privatized.txt"
echo "── run report (excerpt) ──"
python3 Tools/report_summary.py "$work/report.json"
