"""Fixtures for the client's tests: the dptext binary (also exported as
$DPTEXT_BINARY, which the client looks up) and texts from the bundled corpus.
Hugging Face `datasets` is kept offline: these tests read local files only."""

import json
import os

import pytest

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from client_helpers import CORPUS, REPO  # noqa: E402


@pytest.fixture(scope="session")
def binary():
    path = os.environ.get("DPTEXT_BINARY") or os.path.join(REPO, ".build", "release", "dptext")
    if not os.access(path, os.X_OK):
        pytest.fail(f"no dptext binary at {path}: build it (swift build -c release) or set DPTEXT_BINARY")
    os.environ["DPTEXT_BINARY"] = path
    return path


@pytest.fixture(scope="session")
def texts():
    """A few hundred short to long paragraphs (150 of the corpus's 270)."""
    with open(CORPUS, encoding="utf-8") as handle:
        return [json.loads(line)["text"] for line in handle][:150]
