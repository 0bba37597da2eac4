"""Mechanism labels with post-processing reach `dptext privatize` as its flags."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from downstream_utility import mechanism_options, split_keyed  # noqa: E402


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


@pytest.mark.parametrize("value, expected", [
    ("laplace=4,6", ("laplace", "=", "4,6")),
    ("laplace+rank-softmax:c=0.1=4,6", ("laplace+rank-softmax:c=0.1", "=", "4,6")),
    ("tem+rank-softmax=2,3", ("tem+rank-softmax", "=", "2,3")),
    ("kde-mh=--burn-in 100 --x=1", ("kde-mh", "=", "--burn-in 100 --x=1")),
    ("*=--oov keep", ("*", "=", "--oov keep")),
    ("laplace", ("laplace", "", "")),
])
def test_grid_and_extra_args_keys_keep_a_labels_own_equals_sign(value, expected):
    assert split_keyed(value) == expected
