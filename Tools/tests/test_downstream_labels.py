"""Mechanism labels with post-processing reach `dptext privatize` as its flags."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from downstream_utility import mechanism_options  # noqa: E402


def test_plain_name():
    assert mechanism_options("diffractor") == ["--mechanism", "diffractor"]


def test_rank_softmax_with_and_without_c():
    assert mechanism_options("laplace+rank-softmax:c=0.1") == [
        "--mechanism", "laplace", "--post-process", "rank-softmax", "--rank-c", "0.1"]
    assert mechanism_options("tem+rank-softmax") == [
        "--mechanism", "tem", "--post-process", "rank-softmax"]


@pytest.mark.parametrize("label", ["laplace+shuffle", "laplace+rank-softmax:c=",
                                   "laplace+rank-softmax:c=-1", "laplace+rank-softmax:k=1",
                                   "laplace+rank-softmax:c=abc", "+rank-softmax"])
def test_malformed_labels_are_refused(label):
    with pytest.raises(ValueError, match="label"):
        mechanism_options(label)
