"""Fixtures for the Spark job's tests: the dptext binary, inputs built from the
bundled corpus, and one local SparkSession shared by all tests.

The session is local[2,3]: two cores and up to three attempts per task, so
the failure-injection test can watch a killed task be retried."""

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # Tools/spark
from spark_helpers import corpus_records, dptext_binary, static_binary_path  # noqa: E402


@pytest.fixture(scope="session")
def binary():
    return dptext_binary()


@pytest.fixture(scope="session")
def static_binary():
    return static_binary_path()


@pytest.fixture(scope="session")
def spark():
    import dptext_spark
    session = dptext_spark.make_session("local[2,3]")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def varied_jsonl(tmp_path_factory):
    """The corpus as JSONL in varied layouts, so that keeping "every other byte"
    is tested on more than one spelling: fields before and after the text,
    spaces, escapes, non-ASCII and nested values in other fields, string and
    integer keys, CRLF line ends and blank lines."""
    lines = []
    for number, record in enumerate(corpus_records(), start=1):
        key = json.dumps(record["id"] if number % 3 else f"para-{record['id']}")
        text = json.dumps(record["text"], ensure_ascii=number % 4 == 0)
        layout = number % 5
        if layout == 0:
            line = f'{{"text": {text}, "id": {key}, "chapter": {record["chapter"]}}}'
        elif layout == 1:
            line = f'{{ "id" : {key} , "source":"Jane Austen — Persuasion ✓", "text" :{text} }}'
        elif layout == 2:
            line = f'{{"id":{key},"meta":{{"tags":["a","b\\u00e9"],"n":1.50e0}},"text":{text}}}'
        elif layout == 3:
            line = f'{{"id": {key}, "text": {text}, "note": "tab\\there \\"quoted\\""}}\r'
        else:
            line = f'{{"id": {key}, "paragraph": {record["paragraph"]}, "text": {text}}}'
        lines.append(line)
        if number in (40, 171):
            lines.append("")  # blank lines pass through as records of their own
    path = tmp_path_factory.mktemp("varied") / "varied.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return str(path)
