"""Unpacks a wheel, zip or tar archive into a folder (used by Tools/build-bench-corpus.sh).

    python3 Tools/unpack_archive.py ARCHIVE DEST

Tar members are extracted with tarfile's "data" filter where Python has it
(3.11.4+), which refuses absolute paths, links out of DEST and device files.
"""
from __future__ import annotations

import sys
import tarfile
import zipfile


def unpack(src: str, dest: str) -> None:
    if src.endswith((".whl", ".zip")):
        with zipfile.ZipFile(src) as z:
            z.extractall(dest)
    else:
        with tarfile.open(src) as t:
            if hasattr(tarfile, "data_filter"):
                t.extractall(dest, filter="data")
            else:
                t.extractall(dest)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    unpack(*argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
