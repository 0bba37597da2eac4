"""dptext.stream against small Python children that answer one line per line.

No dptext binary here: each child is `python -c` with a known behaviour
(echo, slow, exits early, writes too much), so the stream's own guarantees
are tested: order, batching, streaming before the input ends, early stop,
and how a dead child or a failing source is reported."""

import subprocess
import sys
import threading

import pytest

from dptext.stream import BATCH_BYTES, StreamError, encode_record, stream

# Answers each line with the line upper-cased, flushing every answer.
ECHO = r"""
import sys
for line in sys.stdin.buffer:
    sys.stdout.buffer.write(line.upper())
    sys.stdout.buffer.flush()
"""
# Like ECHO, but takes a few milliseconds per line.
SLOW = r"""
import sys, time
for line in sys.stdin.buffer:
    time.sleep(0.003)
    sys.stdout.buffer.write(line.upper())
    sys.stdout.buffer.flush()
"""
# Answers two lines, then says why on stderr and exits with status 3.
DIES = r"""
import sys
for _ in range(2):
    sys.stdout.buffer.write(sys.stdin.buffer.readline().upper())
    sys.stdout.buffer.flush()
sys.stderr.write("child: error: gave up after two lines\n")
sys.exit(3)
"""
# Reads nothing: fails at start-up, as dptext does on a bad option.
REFUSES = r"""
import sys
sys.stderr.write("child: error: no such option\n")
sys.exit(3)
"""
# Answers every line twice.
DOUBLES = r"""
import sys
for line in sys.stdin.buffer:
    sys.stdout.buffer.write(line + line)
sys.stdout.buffer.flush()
"""

# Much more than one batch: about 2.6 MB of lines.
MANY = [f"record {number:06d} {'x' * (number % 200)}".encode() for number in range(20000)]


class ChildFailed(Exception):
    """The callers' error type for a dead child, as dptext's clients make theirs."""

    def __init__(self, status, stderr):
        super().__init__(f"{stderr.strip()} (status {status})")
        self.status, self.stderr = status, stderr


def child(script):
    return subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def failure_of(process):
    """The failure callback: the exit status and what the child said on stderr."""
    return lambda status: ChildFailed(status, process.stderr.read().decode())


def as_line(record):
    return record


def within(seconds, function):
    """function()'s result, failing the test if it takes longer than `seconds` (a hang)."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function()
        except BaseException as error:  # noqa: BLE001 - re-raised below
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s: the stream hangs"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def stream_threads():
    return [thread for thread in threading.enumerate() if thread.name.startswith("dptext-stream-")]


class RecordingStdin:
    """A child's stdin that remembers the size of every write."""

    def __init__(self, stdin):
        self.stdin, self.writes = stdin, []

    def write(self, data):
        self.writes.append(len(data))
        return self.stdin.write(data)

    def flush(self):
        self.stdin.flush()

    def close(self):
        self.stdin.close()


def test_answers_come_in_order_through_many_batches():
    process = child(ECHO)
    recorder = RecordingStdin(process.stdin)
    process.stdin = recorder
    answers = within(60, lambda: list(stream(process, MANY, as_line, failure_of(process))))
    assert [record for record, _ in answers] == MANY
    assert [answer for _, answer in answers] == [record.upper() for record in MANY]
    assert process.wait(timeout=10) == 0  # end_input: stdin was closed after the last record
    total = sum(len(record) + 1 for record in MANY)
    assert sum(recorder.writes) == total
    assert len(recorder.writes) >= total // BATCH_BYTES  # written in batches, not all at once ...
    longest = max(len(record) + 1 for record in MANY)
    assert max(recorder.writes) < BATCH_BYTES + longest  # ... none beyond a batch and its last line
    assert stream_threads() == []


def test_a_small_batch_size_is_honoured():
    process = child(ECHO)
    recorder = RecordingStdin(process.stdin)
    process.stdin = recorder
    records = MANY[:2000]
    answers = within(60, lambda: [answer for _, answer in
                                  stream(process, records, as_line, failure_of(process), batch_bytes=1000)])
    assert answers == [record.upper() for record in records]
    assert max(recorder.writes) < 1000 + max(len(record) + 1 for record in records)
    assert len(recorder.writes) > sum(len(record) + 1 for record in records) // 1200
    process.wait(timeout=10)


def test_a_kept_child_serves_several_streams_in_step():
    process = child(ECHO)
    try:
        for part in (MANY[:5000], MANY[5000:5003], [], MANY[5003:12000]):
            answers = within(60, lambda: [answer for _, answer in
                                          stream(process, part, as_line, failure_of(process), end_input=False)])
            assert answers == [record.upper() for record in part]
        assert process.poll() is None  # end_input=False: still running, its stdin open
    finally:
        process.stdin.close()
    assert process.wait(timeout=10) == 0


def test_answers_arrive_before_the_input_ends():
    """A source that waits for the first answer before it yields the rest: a
    stream that waited to fill a batch would never answer it."""
    first_answer = threading.Event()

    def source():
        yield b"first"
        assert first_answer.wait(timeout=30), "no answer before the input ended"
        yield from MANY[:100]

    process = child(SLOW)

    def consume():
        answers = []
        for _, answer in stream(process, source(), as_line, failure_of(process)):
            answers.append(answer)
            first_answer.set()
        return answers

    assert within(60, consume) == [b"FIRST"] + [record.upper() for record in MANY[:100]]
    process.wait(timeout=10)


def test_records_are_encoded_by_the_callers_function_and_answers_keep_their_records():
    process = child(ECHO)
    records = [{"id": number, "text": f"text {number}"} for number in range(300)]
    answers = within(30, lambda: list(stream(process, records, encode_record, failure_of(process))))
    assert [record for record, _ in answers] == records
    assert answers[7][1] == b'{"ID": 7, "TEXT": "TEXT 7"}'
    process.wait(timeout=10)


@pytest.mark.parametrize("end_input", [False, True])
def test_stopping_early_with_a_large_input_does_not_hang(end_input):
    pulled = []

    def source():  # about 200 MB if it were all read
        for number in range(2_000_000):
            pulled.append(number)
            yield f"record {number:07d} {'y' * 90}".encode()

    process = child(SLOW)
    answers = stream(process, source(), as_line, failure_of(process), end_input=end_input)
    first = within(30, lambda: [next(answers)[1] for _ in range(3)])
    assert first == [f"RECORD {number:07d} {'Y' * 90}".encode() for number in range(3)]
    within(30, answers.close)  # what a `break` out of the consumer's loop does
    assert stream_threads() == []
    assert len(pulled) < 100_000  # the source was not read to its end
    if end_input:
        assert process.wait(timeout=10) < 0  # terminated: its answers are not wanted
    else:
        # Every answer owed was read: the same child answers the next stream in step.
        assert process.poll() is None
        assert within(30, lambda: [answer for _, answer in stream(process, [b"next", b"one"], as_line,
                                                                  failure_of(process), end_input=False)]) \
            == [b"NEXT", b"ONE"]
        process.stdin.close()
        assert process.wait(timeout=10) == 0


@pytest.mark.parametrize("records", [MANY[:5], MANY], ids=["small input", "large input"])
def test_a_child_that_dies_raises_the_callers_error_with_its_status_and_stderr(records):
    process = child(DIES)
    answers = []

    def consume():
        for _, answer in stream(process, records, as_line, failure_of(process)):
            answers.append(answer)

    with pytest.raises(ChildFailed) as failed:
        within(30, consume)
    assert failed.value.status == 3
    assert "gave up after two lines" in failed.value.stderr
    assert answers == [record.upper() for record in records[:2]]
    assert stream_threads() == []


@pytest.mark.parametrize("end_input", [False, True])
def test_a_child_that_reads_nothing_raises_through_the_broken_pipe(end_input):
    process = child(REFUSES)
    process.wait(timeout=10)  # gone before the first write: the writer meets a broken pipe
    with pytest.raises(ChildFailed) as failed:
        within(30, lambda: list(stream(process, MANY, as_line, failure_of(process), end_input=end_input)))
    assert failed.value.status == 3 and "no such option" in failed.value.stderr
    assert stream_threads() == []


def test_a_source_error_is_raised_after_the_answers_before_it():
    def source():
        yield from MANY[:5]
        raise ValueError("the source broke")

    process = child(ECHO)
    answers = []

    def consume():
        for _, answer in stream(process, source(), as_line, failure_of(process), end_input=False):
            answers.append(answer)

    with pytest.raises(ValueError, match="the source broke"):
        within(30, consume)
    assert answers == [record.upper() for record in MANY[:5]]
    # The child answered everything it was sent: it is still in step.
    assert within(30, lambda: [a for _, a in stream(process, [b"again"], as_line, failure_of(process))]) == [b"AGAIN"]
    assert process.wait(timeout=10) == 0


def test_an_encoder_error_terminates_a_one_input_child():
    def encode(record):
        if record == MANY[10]:
            raise TypeError("not encodable")
        return record

    process = child(ECHO)
    with pytest.raises(TypeError, match="not encodable"):
        within(30, lambda: list(stream(process, MANY, encode, failure_of(process))))
    assert process.wait(timeout=10) != 0 and stream_threads() == []


def test_more_lines_than_records_is_a_protocol_error():
    process = child(DOUBLES)
    with pytest.raises(StreamError, match="more lines"):
        within(30, lambda: list(stream(process, [b"a", b"b"], as_line, failure_of(process))))
    process.wait(timeout=10)


def test_a_child_that_exits_cleanly_without_answering_still_fails():
    process = child("import sys; sys.stdin.buffer.readline()")
    with pytest.raises(ChildFailed) as failed:
        within(30, lambda: list(stream(process, [b"a", b"b"], as_line, failure_of(process))))
    assert failed.value.status == 0  # the caller decides what a silent clean exit means


def test_encoding_is_raw_utf8_json_and_escapes_only_what_utf8_cannot_hold():
    assert encode_record({"text": "café 東京 😀", "id": 7}) == '{"text": "café 東京 😀", "id": 7}'.encode("utf-8")
    assert encode_record({"text": 'say "hi"\n'}) == b'{"text": "say \\"hi\\"\\n"}'  # one line
    assert encode_record({"text": "lone \ud800 surrogate é"}) == b'{"text": "lone \\ud800 surrogate \\u00e9"}'
