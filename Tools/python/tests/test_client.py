"""dptext.Privatizer against the dptext CLI on the same records.

The expected texts are always computed by the CLI over the JSONL the
client's documentation says it is equivalent to: one {"text": ...} line per
text, in order."""

import json
import subprocess
import threading

import pytest

import dptext
from client_helpers import STORE

SEEDED = dict(epsilon=10, seed=424242, embeddings=STORE)
CLI_SEEDED = ["--epsilon", "10", "--seed", "424242", "--embeddings", STORE]


def cli_texts(binary, records, options=CLI_SEEDED, key=None):
    lines = "".join(json.dumps(record) + "\n" for record in records).encode()
    command = [binary, "privatize", "--format", "jsonl", "--field", "text", *options]
    command += ["--record-key", key] if key else []
    done = subprocess.run(command, input=lines, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    return [json.loads(line)["text"] for line in done.stdout.splitlines()]


@pytest.fixture(scope="module")
def seeded_cli(binary, texts):
    """One seeded CLI run over the texts, which three tests compare against."""
    return cli_texts(binary, [{"text": text} for text in texts])


def test_seeded_privatizer_equals_the_cli_across_calls(texts, seeded_cli):
    expected = seeded_cli
    with dptext.Privatizer(**SEEDED) as privatizer:
        first = privatizer.privatize(texts[:100])
        rest = privatizer.privatize(texts[100:])  # the same process: records 101.. of one run
    assert first + rest == expected
    assert sum(a != b for a, b in zip(texts, expected)) > len(texts) // 2


def test_iterator_form_streams_answers_before_the_input_ends(texts, seeded_cli):
    expected = seeded_cli
    first_answer = threading.Event()

    def slow_source():
        yield texts[0]
        # The rest is only produced once the first answer arrived: a client that
        # waited for the whole input would fail here instead of streaming.
        assert first_answer.wait(timeout=60), "no answer before the input ended"
        yield from texts[1:]

    answers = []
    with dptext.Privatizer(**SEEDED) as privatizer:
        for answer in privatizer.privatize_iter(slow_source()):
            answers.append(answer)
            first_answer.set()
    assert answers == expected


def test_non_ascii_texts_sent_as_raw_utf8_equal_the_cli_on_escaped_json(binary, texts):
    """The client writes raw UTF-8 JSON lines; cli_texts writes \\u escapes
    (json.dumps' default): dptext reads one and the same record either way."""
    extra = ["Café au lait in Zürich, a naïve façade.", "東京 and the river Seine", "The résumé — “fine” 😀 said she."]
    mixed = texts[:10] + extra + texts[10:15]
    expected = cli_texts(binary, [{"text": text} for text in mixed])
    with dptext.Privatizer(**SEEDED) as privatizer:
        assert privatizer.privatize(mixed) == expected
    assert any(character in "".join(expected[10:13]) for character in "é東😀—")  # not lost on the way


def test_keyed_privatizer_equals_the_cli_with_record_key(binary, texts):
    keys = [f"doc-{number}" for number in range(len(texts))]
    expected = cli_texts(binary, [{"key": k, "text": t} for k, t in zip(keys, texts)], key="key")
    with dptext.Privatizer(record_key="key", **SEEDED) as privatizer:
        reversed_answers = privatizer.privatize(texts[::-1], keys=keys[::-1])
    assert reversed_answers[::-1] == expected  # keyed: a record's output does not depend on its position


def test_report_after_close(binary, texts):
    privatizer = dptext.Privatizer(**SEEDED)
    with privatizer:
        privatizer.privatize(texts[:20])
        assert privatizer.report is None
    assert privatizer.report["counts"]["records"] == 20
    assert privatizer.report["mechanism"]["name"] == "laplace"
    assert privatizer.report["randomness"]["seeded"] is True
    assert privatizer.public_report["output"]["records"] == 20
    assert "counts" not in privatizer.public_report
    assert privatizer.warnings == []


def test_warnings_after_close(binary, texts):
    with dptext.Privatizer(on_error="skip", max_unprotected_fraction=1, **SEEDED) as privatizer:
        answers = privatizer.privatize(texts[:2] + ["lone \ud800 surrogate"])
    assert answers[2] == "lone \ud800 surrogate"  # written unchanged, and said so:
    assert any("<stdin>:3" in line for line in privatizer.warnings)
    assert privatizer.report["counts"]["skipped_records"] == 1


def test_bad_option_raises_at_start_up(binary):
    with pytest.raises(dptext.DPTextError) as raised:
        with dptext.Privatizer(epsilon=10, embeddings=STORE, no_such_option=3) as privatizer:
            privatizer.privatize(["never answered"])
    assert raised.value.status == 64
    assert "--no-such-option" in raised.value.message


def test_start_up_error_without_any_call_raises_at_close(binary):
    with pytest.raises(dptext.DPTextError) as raised:
        with dptext.Privatizer(epsilon=10, embeddings="/nonexistent/store.h5"):
            pass
    assert raised.value.status == 66
    assert "/nonexistent/store.h5" in raised.value.message


def test_bad_record_raises_mid_stream(binary, texts):
    answers = []
    with pytest.raises(dptext.DPTextError) as raised:
        with dptext.Privatizer(**SEEDED) as privatizer:
            for answer in privatizer.privatize_iter(texts[:5] + ["lone \ud800 surrogate"] + texts[5:10]):
                answers.append(answer)
    assert raised.value.status == 65
    assert "<stdin>:6" in raised.value.message and "surrogate" in raised.value.message
    assert len(answers) <= 5


def test_end_of_input_check_raises_at_close(binary):
    privatizer = dptext.Privatizer(epsilon=10, embeddings=STORE, oov="keep")
    with pytest.raises(dptext.DPTextError) as raised:
        with privatizer:
            privatizer.privatize(["zxqvbnm qwxzvk"])  # two unknown words, kept: 100 % unprotected
    assert raised.value.status == 65 and "--max-unprotected-fraction" in raised.value.message
    assert privatizer.report is None
    with dptext.Privatizer(epsilon=10, embeddings=STORE, oov="keep", max_unprotected_fraction=1) as allowed:
        assert allowed.privatize(["zxqvbnm qwxzvk"]) == ["zxqvbnm qwxzvk"]
    assert allowed.report["counts"]["oov_kept"] == 2


def test_stopping_an_iteration_early_keeps_the_process_in_step(binary, texts):
    expected = cli_texts(binary, [{"text": text} for text in texts[:30] + texts[:3]])
    with dptext.Privatizer(**SEEDED) as privatizer:
        for number, _ in enumerate(privatizer.privatize_iter(texts[:30])):
            if number == 2:
                break
        assert privatizer.privatize(texts[:3]) == expected[30:]


def test_options_become_arguments():
    assert dptext.client.options_to_arguments(
        {"max_unprotected_fraction": 1, "decoder": "hnsw", "flag": True, "off": False, "unset": None,
         "repeated": ["a", 2]}) == ["--max-unprotected-fraction", "1", "--decoder", "hnsw", "--flag",
                                    "--repeated", "a", "--repeated", "2"]
    with pytest.raises(TypeError, match="report"):
        dptext.Privatizer(epsilon=10, report="r.json")


def test_binary_lookup(binary, monkeypatch, tmp_path):
    assert dptext.find_binary() == binary  # from $DPTEXT_BINARY
    assert dptext.find_binary(binary=binary) == binary
    monkeypatch.setenv("DPTEXT_BINARY", str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError, match="DPTEXT_BINARY"):
        dptext.find_binary()


def test_datasets_map_batched(texts, seeded_cli, tmp_path):
    """The README example: Dataset.map(batched=True) over a local JSONL file."""
    from datasets import load_dataset
    source = tmp_path / "reviews.jsonl"
    rows = [{"id": number, "text": text, "stars": number % 5 + 1} for number, text in enumerate(texts)]
    source.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    dataset = load_dataset("json", data_files=str(source), split="train", cache_dir=str(tmp_path / "hf"))
    with dptext.Privatizer(**SEEDED) as privatizer:
        private = dataset.map(lambda batch: {"text": privatizer.privatize(batch["text"])},
                              batched=True, batch_size=64, new_fingerprint="dptext-test", load_from_cache_file=False)
    assert private["text"] == seeded_cli
    assert private["id"] == dataset["id"] and private["stars"] == dataset["stars"]


def test_an_unverified_mechanism_needs_allow_unverified(binary):
    with pytest.raises(dptext.DPTextError) as refused:
        with dptext.Privatizer(mechanism="truncated-gumbel", epsilon=80, binary=binary) as privatizer:
            privatizer.privatize(["the cat sat"])
    assert refused.value.status == 64 and "--allow-unverified" in refused.value.message
    with dptext.Privatizer(mechanism="truncated-gumbel", epsilon=80, binary=binary, allow_unverified=True) as privatizer:
        assert len(privatizer.privatize(["the cat sat"])) == 1
