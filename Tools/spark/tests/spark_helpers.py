"""Helpers shared by the Spark tests (a module of its own: conftest is not for importing)."""

import json
import os
import subprocess

import pytest

TOOLS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPO = os.path.dirname(TOOLS)
STORE = os.path.join(REPO, "Embeddings", "glove-6B-50d-50k.h5")
CORPUS = os.path.join(REPO, "Corpora", "persuasion-paragraphs.jsonl")
# The dptext options of every seeded test run.
SEEDED = ["--epsilon", "10", "--seed", "20251201", "--embeddings", STORE]


def dptext_binary():
    path = os.environ.get("DPTEXT_BINARY") or os.path.join(REPO, ".build", "release", "dptext")
    if not os.access(path, os.X_OK):
        pytest.fail(f"no dptext binary at {path}: build it (swift build -c release) or set DPTEXT_BINARY")
    return path


def static_binary_path():
    """The binary with the Swift runtime linked in, which the cluster test ships:
    $DPTEXT_STATIC_BINARY, else Tools/install.sh --build-only's output."""
    path = os.environ.get("DPTEXT_STATIC_BINARY") or os.path.join(REPO, ".build", "release", "dptext")
    if not os.access(path, os.X_OK):
        pytest.fail(f"no static dptext binary at {path}: build it (Tools/install.sh --build-only) "
                    "or set DPTEXT_STATIC_BINARY")
    return path


def cli(binary, arguments, stdin=None):
    """Runs dptext and returns its stdout bytes, failing the test on an error."""
    done = subprocess.run([binary, *arguments], input=stdin, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def corpus_records(limit=None):
    with open(CORPUS, encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    return records[:limit] if limit else records


def write_jsonl(path, records):
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return str(path)


def part_files(folder, suffix=""):
    return sorted(os.path.join(folder, name) for name in os.listdir(folder)
                  if name.startswith("part-") and name.endswith(suffix))


def concatenated(folder):
    """The JSONL output: its part files' bytes in partition order."""
    data = b""
    for path in part_files(folder, ".txt"):
        with open(path, "rb") as handle:
            data += handle.read()
    return data


def one_process(binary, input_path, folder, options=SEEDED, key="id"):
    """(output bytes, private report, public report) of one dptext process."""
    private, public = os.path.join(folder, "one-private.json"), os.path.join(folder, "one-public.json")
    arguments = ["privatize", str(input_path), "--format", "jsonl", "--field", "text",
                 "--report", private, "--report-public", public, *options]
    output = cli(binary, arguments + (["--record-key", key] if key else []))
    with open(private) as p, open(public) as q:
        return output, json.load(p), json.load(q)
