#!/usr/bin/env bash
# Builds dptext with the Swift standard library linked in and installs it:
#
#   Tools/install.sh [--prefix DIR]     (default /usr/local)
#   Tools/install.sh --build-only       (prints the built binary's path; the Spark job uses this)
#
# installs DIR/bin/dptext and the bundled store as DIR/share/dptext/glove-6B-50d-50k.h5,
# where the binary finds it from any folder. The binary needs no Swift toolchain
# on the machine it runs on, only libhdf5, OpenBLAS and libcrypto (README,
# "Install"). The build is the README's release build (<repo>/.build/release,
# swift build -c release --static-swift-stdlib), so after it this only checks
# and copies; DPTEXT_BUILD_JOBS=N limits the compiler's parallel jobs.
set -euo pipefail
REPO="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
STORE_NAME="glove-6B-50d-50k.h5"
prefix=/usr/local
build_only=false
die() { echo "install.sh: error: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || die "--prefix needs a folder"; prefix="$2"; shift 2 ;;
        --prefix=*) prefix="${1#--prefix=}"; shift ;;
        --build-only) build_only=true; shift ;;
        -h|--help) sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (usage: Tools/install.sh [--prefix DIR])" ;;
    esac
done
command -v swift >/dev/null || die "swift not found: install the Swift toolchain (swift.org) to build dptext"
[ -f "$REPO/Embeddings/$STORE_NAME" ] || die "$REPO/Embeddings/$STORE_NAME is missing; run from a full checkout"

jobs=()
[ -n "${DPTEXT_BUILD_JOBS:-}" ] && jobs=(-j "$DPTEXT_BUILD_JOBS")
# --static-swift-stdlib: libswiftCore, Foundation and Dispatch go into the
# binary, so an executor or server without the toolchain can run it.
(cd "$REPO" && swift build -c release --static-swift-stdlib "${jobs[@]}" --product dptext >&2)
binary="$(cd "$REPO" && swift build -c release --static-swift-stdlib --show-bin-path)/dptext"
if ldd "$binary" | grep -q 'libswift'; then
    die "$binary still loads Swift libraries dynamically: $(ldd "$binary" | grep libswift | head -n 1)"
fi
if $build_only; then
    echo "$binary"
    exit 0
fi

# Copy to a temporary name and rename, so an interrupted install never leaves
# a half-written binary or store where a running job might pick it up.
install_file() {  # install_file SOURCE DEST MODE
    mkdir -p "$(dirname "$2")" || die "cannot create $(dirname "$2") (try sudo, or --prefix DIR in a folder of yours)"
    install -m "$3" "$1" "$2.partial.$$" || die "cannot write $2 (try sudo, or --prefix DIR)"
    mv -f "$2.partial.$$" "$2"
}
install_file "$binary" "$prefix/bin/dptext" 755
install_file "$REPO/Embeddings/$STORE_NAME" "$prefix/share/dptext/$STORE_NAME" 644
echo "installed $prefix/bin/dptext ($(du -h "$prefix/bin/dptext" | cut -f1)) and $prefix/share/dptext/$STORE_NAME" >&2
missing="$(ldd "$prefix/bin/dptext" | grep 'not found' || true)"
[ -z "$missing" ] || echo "install.sh: warning: libraries missing on this machine: $missing (see README, Install)" >&2
