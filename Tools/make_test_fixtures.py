#!/usr/bin/env python3
"""Write the h5py-made HDF5 test fixtures for dptext's embedding store reader.

Output: Tests/DPTextTests/Fixtures/*.h5 and README.md (a table of every
fixture, what it contains and what the reader must do). All content is fixed
in this file, so the fixtures are deterministic; every float is exactly
representable in float32.

Run it through Tools/make-test-fixtures.sh, which provides the pinned h5py and
numpy from Tools/.venv.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import h5py
import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT_DIR = REPO_ROOT / "Tests" / "DPTextTests" / "Fixtures"
MAX_TOTAL_BYTES = 200 * 1024

STR_DTYPE = h5py.string_dtype(encoding="utf-8")

WORDS = ["the", "cat", "sat", "on", "mat"]
VECTORS = [
    [1.0, 0.0, 0.0],
    [0.5, 1.0, -1.0],
    [-2.0, 0.25, 0.0],
    [0.0, 0.0, 3.0],
    [0.5, 1.0, -0.5],
]
ATTRS = {
    "name": "dptext test fixture (5 words, D = 3)",
    "source": "Tools/make_test_fixtures.py",
    "license": "PDDL-1.0",
}
UTF8_WORDS = ["café", "naïve", "日本", "emoji😀"]  # NFC; "é" and "ï" are single code points
UTF8_VECTORS = [
    [1.0, 2.0, 0.0, -1.0],
    [0.5, 0.0, 0.0, 0.0],
    [0.0, -1.5, 2.0, 0.0],
    [0.25, 0.25, 0.25, 0.25],
]
NOT_HDF5_TEXT = "the 1 0 0\ncat 0.5 1 -1\nsat -2 0.25 0\non 0 0 3\nmat 0.5 1 -0.5\n"
TRUNC_V, TRUNC_D = 200, 24


def f32(rows) -> np.ndarray:
    return np.array(rows, dtype=np.float32)


def vlen(words) -> np.ndarray:
    return np.array(words, dtype=object)


def write_h5(path: Path, words=None, vectors=None, words_dtype=STR_DTYPE, attrs=None) -> None:
    with h5py.File(path, "w") as f:
        if words is not None:
            f.create_dataset("words", data=words, dtype=words_dtype)
        if vectors is not None:
            f.create_dataset("vectors", data=vectors)
        for key, value in (attrs or {}).items():
            f.attrs.create(key, value, dtype=STR_DTYPE)


def truncated_source() -> tuple[np.ndarray, np.ndarray]:
    words = vlen([f"w{i:03d}" for i in range(TRUNC_V)])
    k = np.arange(TRUNC_V * TRUNC_D).reshape(TRUNC_V, TRUNC_D)
    vectors = ((k % 97 - 48) / 8).astype(np.float32)  # multiples of 1/8 in [-6, 6]
    return words, vectors


def write_truncated(path: Path) -> str:
    words, vectors = truncated_source()
    full = path.with_name(path.name + ".full.tmp")
    try:
        write_h5(full, words, vectors)
        with h5py.File(full, "r") as f:
            start = f["vectors"].id.get_offset()
            nbytes = f["vectors"].id.get_storage_size()
        data = full.read_bytes()
    finally:
        full.unlink(missing_ok=True)
    cut = len(data) // 2
    if not start < cut < start + nbytes:
        raise SystemExit(f"truncated.h5: cut at {cut} does not fall inside /vectors data "
                         f"[{start}, {start + nbytes}) of the {len(data)}-byte file")
    path.write_bytes(data[:cut])
    return (f"first {cut:,} of the {len(data):,} bytes of a valid store (V = {TRUNC_V}, D = {TRUNC_D}, "
            f"words \"w000\"…\"w199\", float32 vectors[i][j] = (({TRUNC_D}·i + j) mod 97 − 48) / 8); "
            f"/vectors data lies at bytes {start:,}–{start + nbytes:,}, so the cut is inside it "
            f"and the superblock's end-of-file address is past the real end")


def vec_text(rows) -> str:
    def num(x: float) -> str:
        if np.isnan(x):
            return "NaN"
        if np.isinf(x):
            return "+Inf" if x > 0 else "−Inf"
        return f"{x:g}"
    return "[" + ", ".join("[" + ", ".join(num(x) for x in row) + "]" for row in rows) + "]"


def words_text(words) -> str:
    return "[" + ", ".join(f'"{w}"' for w in words) + "]"


@dataclass
class Fixture:
    name: str
    make: Callable[[Path], object]
    contents: str
    reader: str


def base_vectors(mutate=None) -> np.ndarray:
    v = f32(VECTORS)
    if mutate:
        mutate(v)
    return v


def set_nan(v):
    v[2, 1] = np.nan


def set_inf(v):
    v[3, 2] = np.inf


NAN_VECTORS = base_vectors(set_nan)
INF_VECTORS = base_vectors(set_inf)
EMPTY_WORDS = ["the", "cat", "sat", "", "mat"]
DUP_WORDS = ["the", "cat", "sat", "cat", "mat"]

FIXTURES = [
    Fixture("h5py-vlen.h5",
            lambda p: write_h5(p, vlen(WORDS), f32(VECTORS), attrs=ATTRS),
            f"words {words_text(WORDS)} as variable-length UTF-8 strings (`h5py.string_dtype()`); "
            f"vectors float32 [5, 3] = {vec_text(VECTORS)}; root attributes "
            + ", ".join(f'{k} = "{v}"' for k, v in ATTRS.items()) + " (variable-length UTF-8)",
            "load: V = 5, D = 3, words and float32 values exactly as listed, attributes name/source/license as listed"),
    Fixture("h5py-fixed.h5",
            lambda p: write_h5(p, np.array(WORDS, dtype="S8"), np.array(VECTORS, dtype=np.float64),
                               words_dtype=None),
            f"words {words_text(WORDS)} as fixed-length 8-byte strings (numpy `S8`: HDF5 string, "
            f"size 8, null-padded, ASCII charset); vectors float64 [5, 3] with the same values as "
            f"h5py-vlen.h5; no attributes",
            "load: same words and values as h5py-vlen.h5 (padding NULs stripped, float64 converted); "
            "absent attributes are fine"),
    Fixture("h5py-utf8.h5",
            lambda p: write_h5(p, vlen(UTF8_WORDS), f32(UTF8_VECTORS)),
            f"words {words_text(UTF8_WORDS)} as variable-length UTF-8 (NFC; UTF-8 byte lengths "
            + ", ".join(str(len(w.encode('utf-8'))) for w in UTF8_WORDS)
            + f"); vectors float32 [4, 4] = {vec_text(UTF8_VECTORS)}; no attributes",
            "load: V = 4, D = 4, the non-ASCII words decoded exactly"),
    Fixture("missing-words.h5",
            lambda p: write_h5(p, None, f32(VECTORS)),
            "only /vectors (float32 [5, 3] as h5py-vlen.h5); no /words",
            "reject: missing dataset `words`"),
    Fixture("missing-vectors.h5",
            lambda p: write_h5(p, vlen(WORDS), None),
            "only /words (as h5py-vlen.h5); no /vectors",
            "reject: missing dataset `vectors`"),
    Fixture("vectors-rank1.h5",
            lambda p: write_h5(p, vlen(WORDS), f32([1.0, 0.5, -2.0, 0.0, 0.5])),
            "words as h5py-vlen.h5; vectors float32 of shape [5] (rank 1) = [1, 0.5, -2, 0, 0.5]",
            "reject: vectors must have rank 2 (the length 5 equals V, so only the rank check catches it)"),
    Fixture("vectors-int.h5",
            lambda p: write_h5(p, vlen(WORDS), np.array(VECTORS, dtype=np.float32).round().astype(np.int32)),
            "words as h5py-vlen.h5; vectors int32 [5, 3] = "
            + vec_text(np.array(VECTORS, dtype=np.float32).round().astype(np.int32).tolist()),
            "reject: vectors must be float32 or float64"),
    Fixture("words-2d.h5",
            lambda p: write_h5(p, vlen(WORDS).reshape(5, 1), f32(VECTORS)),
            "words as variable-length UTF-8 of shape [5, 1] (rank 2); vectors as h5py-vlen.h5",
            "reject: words must have rank 1 (5 elements = V, so only the rank check catches it)"),
    Fixture("count-mismatch.h5",
            lambda p: write_h5(p, vlen(WORDS), f32(VECTORS[:4])),
            f"5 words {words_text(WORDS)}; vectors float32 [4, 3] (the first 4 rows of h5py-vlen.h5)",
            "reject: 5 words but 4 vectors"),
    Fixture("nan.h5",
            lambda p: write_h5(p, vlen(WORDS), NAN_VECTORS),
            f"as h5py-vlen.h5 but vectors[2][1] (word \"sat\") is NaN: {vec_text(NAN_VECTORS.tolist())}",
            "reject: NaN (row 2, \"sat\")"),
    Fixture("inf.h5",
            lambda p: write_h5(p, vlen(WORDS), INF_VECTORS),
            f"as h5py-vlen.h5 but vectors[3][2] (word \"on\") is +Inf: {vec_text(INF_VECTORS.tolist())}",
            "reject: infinite value (row 3, \"on\")"),
    Fixture("empty-word.h5",
            lambda p: write_h5(p, vlen(EMPTY_WORDS), f32(VECTORS)),
            f"words {words_text(EMPTY_WORDS)} (empty string at index 3); vectors as h5py-vlen.h5",
            "reject: empty word at index 3"),
    Fixture("duplicate-word.h5",
            lambda p: write_h5(p, vlen(DUP_WORDS), f32(VECTORS)),
            f"words {words_text(DUP_WORDS)} (\"cat\" at indices 1 and 3); vectors as h5py-vlen.h5",
            "reject: duplicate word \"cat\" (indices 1 and 3)"),
    Fixture("zero-dim.h5",
            lambda p: write_h5(p, vlen(WORDS), np.zeros((5, 0), dtype=np.float32)),
            "words as h5py-vlen.h5; vectors float32 of shape [5, 0]",
            "reject: dimension D = 0"),
    Fixture("words-int.h5",
            lambda p: write_h5(p, np.arange(5, dtype=np.int32), f32(VECTORS), words_dtype=None),
            "words int32 [5] = [0, 1, 2, 3, 4]; vectors as h5py-vlen.h5",
            "reject: words must be strings"),
    Fixture("not-hdf5.h5",
            lambda p: p.write_text(NOT_HDF5_TEXT, encoding="utf-8"),
            f"a {len(NOT_HDF5_TEXT)}-byte UTF-8 text file in GloVe text format (the h5py-vlen.h5 words and "
            f"values, one \"word v1 v2 v3\" line each), no HDF5 signature",
            "reject: not an HDF5 file"),
    Fixture("truncated.h5",
            write_truncated,
            "",  # filled in by write_truncated
            "reject: truncated / damaged HDF5 file (must not crash or read past the end)"),
    Fixture("empty.h5",
            lambda p: p.write_bytes(b""),
            "0 bytes",
            "reject: empty file, not HDF5"),
]


def sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def readme(rows: list[tuple[Fixture, int, str]]) -> str:
    lines = [
        "# HDF5 reader test fixtures",
        "",
        "Written by h5py " + h5py.version.version + " (HDF5 " + h5py.version.hdf5_version + ", numpy "
        + np.__version__ + ") with `Tools/make-test-fixtures.sh`, which runs `Tools/make_test_fixtures.py`. "
        "This file is generated by that script; edit the script, not this file.",
        "",
        "The store format is described in `Embeddings/README.md`. Unless a row says otherwise, "
        "`words` is a 1-D dataset of variable-length UTF-8 strings (`h5py.string_dtype()`), "
        "`vectors` is a contiguous float32 dataset of shape [V, D], and there are no attributes. "
        "Every value is exactly representable in float32. Row and column indices count from 0. "
        "Every rejection must be an error that names the file; the reader must never crash.",
        "",
        "| file | bytes | contents | the reader must |",
        "| --- | ---: | --- | --- |",
    ]
    for fx, size, _ in rows:
        lines.append(f"| `{fx.name}` | {size:,} | {fx.contents} | {fx.reader} |")
    lines += ["", "SHA-256:", "", "```"]
    lines += [f"{digest}  {fx.name}" for fx, _, digest in rows]
    lines += ["```", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write dptext's h5py-made HDF5 test fixtures.")
    parser.add_argument("--out-dir", type=Path, default=DEFAULT_OUT_DIR,
                        help=f"output folder (default: {DEFAULT_OUT_DIR})")
    args = parser.parse_args(argv)
    out_dir: Path = args.out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)

    rows = []
    for fx in FIXTURES:
        path = out_dir / fx.name
        note = fx.make(path)
        if isinstance(note, str):  # a fixture whose description depends on the written bytes
            fx.contents = note
        rows.append((fx, path.stat().st_size, sha256(path)))
    readme_path = out_dir / "README.md"
    readme_path.write_text(readme(rows), encoding="utf-8")

    total = sum(p.stat().st_size for p in out_dir.iterdir() if p.is_file())
    for fx, size, digest in rows:
        print(f"{size:>8,}  {digest}  {fx.name}")
    print(f"{len(rows)} fixtures + README.md in {out_dir}: {total:,} bytes in total")
    if total > MAX_TOTAL_BYTES:
        print(f"error: fixtures folder exceeds {MAX_TOTAL_BYTES:,} bytes", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
