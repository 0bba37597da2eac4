#!/usr/bin/env bash
# Installs the Debian packages dptext builds against, if any are missing:
# libhdf5 (store files), OpenBLAS (neighbour search), hnswlib (header-only,
# approximate neighbour search for decoding), OpenSSL's libcrypto (the
# CSPRNG of unseeded runs) and pkg-config.
set -euo pipefail

packages=(libhdf5-dev libopenblas-dev libhnswlib-dev libssl-dev pkg-config)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing ${missing[*]} …" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
