"""Tools/requirements/*.txt: every line a pin or a pip option, one version per package."""
import re
from collections import defaultdict
from pathlib import Path

import pytest

REQUIREMENTS = Path(__file__).resolve().parents[1] / "requirements"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][A-Za-z0-9.+!-]*)$")


def pins(path):
    """(name, version) of each pin in a requirements file; option lines skipped."""
    out = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("--"):
            continue
        m = PIN.match(line)
        assert m, f"{path.name}: {line!r} is not an exact name==version pin"
        out.append((re.sub(r"[-_.]+", "-", m.group(1)).lower(), m.group(2)))
    return out


def test_files_exist():
    names = {p.stem for p in REQUIREMENTS.glob("*.txt")}
    assert {"glove", "eval", "corpus", "spark", "test"} <= names


def test_same_package_same_version_everywhere():
    versions = defaultdict(set)
    for path in sorted(REQUIREMENTS.glob("*.txt")):
        for name, version in pins(path):
            versions[name].add((version, path.name))
    disagree = {n: sorted(v) for n, v in versions.items() if len({ver for ver, _ in v}) > 1}
    assert not disagree


def test_pins_reject_ranges(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("numpy>=2\n")
    with pytest.raises(AssertionError, match="not an exact"):
        pins(bad)
