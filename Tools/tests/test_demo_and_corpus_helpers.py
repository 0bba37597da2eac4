"""Tools/report_summary.py (demo.sh's report lines) and Tools/unpack_archive.py (build-bench-corpus.sh)."""
import io
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import report_summary  # noqa: E402
import unpack_archive  # noqa: E402


def report(in_vocabulary, replaced):
    return {"mechanism": {"guarantee": {"kind": "pure-metric", "epsilon": 10}},
            "randomness": {"seeded": False},
            "counts": {"tokens": 12, "in_vocabulary": in_vocabulary, "replaced": replaced, "oov_unk": 2},
            "oov_policy": "unk"}


def test_summary_lines():
    assert report_summary.summary(report(10, 4)) == [
        "guarantee: pure-metric, ε = 10, seeded: False",
        "tokens 12, in vocabulary 10, replaced 4 (40.0 %), out of vocabulary 2 (policy unk)"]


def test_summary_without_vocabulary_words_is_zero_percent():
    assert "replaced 0 (0.0 %)" in report_summary.summary(report(0, 0))[1]


def test_unpack_wheel_and_tar(tmp_path):
    wheel = tmp_path / "pkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("pkg/data.txt", "zip")
    tgz = tmp_path / "pkg-1.0.tar.gz"
    with tarfile.open(tgz, "w:gz") as t:
        payload = b"tar"
        info = tarfile.TarInfo("pkg-1.0/data.txt")
        info.size = len(payload)
        t.addfile(info, io.BytesIO(payload))
    unpack_archive.unpack(str(wheel), str(tmp_path / "w"))
    unpack_archive.unpack(str(tgz), str(tmp_path / "t"))
    assert (tmp_path / "w/pkg/data.txt").read_text() == "zip"
    assert (tmp_path / "t/pkg-1.0/data.txt").read_text() == "tar"


@pytest.mark.skipif(not hasattr(tarfile, "data_filter"), reason="tarfile has no data filter")
def test_unpack_refuses_tar_member_outside_dest(tmp_path):
    tgz = tmp_path / "evil.tar.gz"
    with tarfile.open(tgz, "w:gz") as t:
        info = tarfile.TarInfo("../escaped.txt")
        info.size = 1
        t.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(tarfile.FilterError):
        unpack_archive.unpack(str(tgz), str(tmp_path / "dest"))
    assert not (tmp_path / "escaped.txt").exists()


def test_usage_errors(capsys):
    assert report_summary.main([]) == 2
    assert unpack_archive.main(["only-one"]) == 2
