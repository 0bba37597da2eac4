"""Records through a child process that answers each input line with one output line, in order.

`dptext privatize --format jsonl` is such a child: it writes one line per line
it reads, in input order, and answers whatever lines have arrived without
waiting for more. `stream()` drives one: a feeder thread pulls records from
any iterable and encodes each as a line, a writer thread writes the lines to
the child's stdin in batches, and the calling thread reads the answers from
its stdout, so neither pipe can fill up and block the other (the pattern of
PySpark's own RDD.pipe), whatever the input's length.

Used by the Python client (dptext.client: one process for many calls) and by
the Spark job's tasks (Tools/spark/dptext_task.py: one process per partition,
shipped to the executors inside this package). Standard library only, so it
imports wherever the package's files are on sys.path.
"""

import collections
import json
import queue
import threading

# Bytes per write to the child's stdin: one pipe-full. Linux's default pipe
# holds 64 KiB and dptext takes the lines of one read of its stdin as one chunk
# for its threads, so no read gets more than 64 KiB however large the write: a
# bigger batch gives dptext nothing, it only holds more records on our side of
# the pipe and delays the first write from a fast source. Through `cat` the
# stream moves about 320,000 short JSONL records/s at 64 KiB, within 6 % of
# 256 KiB (and 16 KiB): the batch size is not what limits a run.
BATCH_BYTES = 64 * 1024
# Encoded records the feeder may hold ahead of the writer (memory stays bounded).
QUEUE_RECORDS = 1024


class StreamError(RuntimeError):
    """The child broke the one-line-per-line protocol (it wrote more lines than it was given)."""


def encode_record(record):
    """One JSONL line (bytes, no newline) for a JSON-serializable record.

    The rule for every record sent to dptext: JSON written as raw UTF-8
    (ensure_ascii=False), so a text costs its UTF-8 bytes and dptext decodes
    no escapes for it. Only a record whose strings hold a lone surrogate (a
    Python str that has no UTF-8 form) is written with \\u escapes instead,
    so dptext sees the same record a file with that JSON line would give it
    and judges it (a bad record, or skipped under --on-error skip) rather
    than Python failing to encode it.
    """
    text = json.dumps(record, ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(record).encode("ascii")


class _End:
    """The writer's last message to the reader: why it stopped."""

    def __init__(self, error=None, broken=False):
        self.error = error    # an exception from the source or the encoder, raised to the consumer
        self.broken = broken  # the child's stdin closed under us: it exited


_INPUT_END = object()  # the feeder's last item when the source ended
_STOP = object()       # puts a writer waiting for the feeder out of its wait


def stream(process, records, encode, failure, end_input=True, batch_bytes=BATCH_BYTES):
    """Yields (record, answer) for each of `records`, in order, as soon as the
    child answers it; `answer` is the child's output line without its newline.

    process: a subprocess.Popen with stdin=PIPE and stdout=PIPE (binary).
    records: any iterable; it is iterated in a thread of its own.
    encode: record -> bytes, one line without its newline.
    failure: status -> the exception to raise when the child ends its output
        before answering every record written (it exited; `status` is its
        exit status, negative for a signal). Build it from the child's stderr
        in the caller's own error type.
    end_input: True for a child that takes this one input: stdin is closed
        after the last record, and the stream checks that the child then
        wrote nothing more (StreamError otherwise); the caller waits for the
        child's exit status. False for a child kept for further streams:
        stdin stays open and exactly one line per record is read.
    batch_bytes: the most bytes per write; a batch is whatever lines are
        ready, so a slow source is written line by line without waiting.

    Errors: an exception raised by `records` or `encode` is raised to the
    consumer after the answers to the records before it. The child dying
    (a broken pipe, or its output ending early) raises failure(status).

    Early stop (the consumer stops iterating, or closes the generator): no
    more records are taken or written. With end_input=False the answers to
    the records already written are read and discarded, so the child stays in
    step for the next stream; if it dies meanwhile failure(status) is still
    called (so the caller can record it) but nothing is raised. With
    end_input=True the child is terminated, as it is whenever the stream
    raises (the caller still waits for it). Either way the threads are
    joined before the generator returns: an early stop waits for the
    source's current next() to return.
    """
    lines = queue.Queue(maxsize=QUEUE_RECORDS)  # (record, encoded line) from the feeder
    written = queue.Queue()  # lists of records being written or written, in order, then an _End
    stop = threading.Event()
    feeder = threading.Thread(target=_feed, args=(records, encode, lines, stop), name="dptext-stream-feeder",
                              daemon=True)
    writer = threading.Thread(target=_write, args=(process.stdin, lines, written, stop, end_input, batch_bytes),
                              name="dptext-stream-writer", daemon=True)
    feeder.start()
    writer.start()
    settled = False   # the stream ended, or raised an error of its own
    finished = False  # the stream ended: every record answered
    batch = collections.deque()  # the records of the batch being answered, not answered yet
    try:
        while True:
            message = written.get()
            if isinstance(message, _End):
                settled = True
                if message.broken:
                    raise failure(process.wait())
                if message.error is not None:
                    raise message.error
                break
            batch.extend(message)
            while batch:
                record = batch.popleft()
                line = process.stdout.readline()
                if not line:
                    settled = True
                    raise failure(process.wait())
                yield record, line[:-1] if line.endswith(b"\n") else line
        if end_input and process.stdout.readline():
            raise StreamError("the child wrote more lines than it was given records")
        finished = True
    finally:
        stop.set()
        try:
            lines.put_nowait(_STOP)
        except queue.Full:
            pass  # the writer is not waiting for the feeder: it sees `stop` after its batch
        if end_input and not finished:
            _terminate(process)
        elif not settled:
            _drain(process, len(batch), written, failure)
        writer.join()
        while feeder.is_alive():  # a feeder waiting for room in `lines`
            try:
                lines.get(timeout=0.05)
            except queue.Empty:
                pass
        feeder.join()
        if end_input:
            _close_quietly(process.stdin)


def _feed(records, encode, lines, stop):
    """Feeder thread: each record with its encoded line into `lines`, then
    _INPUT_END, or an _End carrying the exception the source or encoder raised."""
    try:
        for record in records:
            if stop.is_set():
                return
            lines.put((record, encode(record) + b"\n"))
        lines.put(_INPUT_END)
    except BaseException as error:  # noqa: BLE001 - handed on to the reading thread
        lines.put(_End(error=error))


def _write(stdin, lines, written, stop, end_input, batch_bytes):
    """Writer thread: writes whatever lines are ready (up to batch_bytes) in
    one write and flushes. Each batch's records go into `written` before its
    write, so the reader can take their answers while a long write still
    blocks; the last message is an _End."""
    end = None
    try:
        while end is None:
            batch, chunks, size = [], [], 0
            item = lines.get()
            while True:
                if item is _INPUT_END or item is _STOP or isinstance(item, _End):
                    end = item
                    break
                batch.append(item[0])
                chunks.append(item[1])
                size += len(item[1])
                if size >= batch_bytes:
                    break
                try:
                    item = lines.get_nowait()
                except queue.Empty:
                    break
            if stop.is_set():
                end = _STOP
                break
            if batch:
                written.put(batch)
                stdin.write(b"".join(chunks))
                stdin.flush()
        if end is _INPUT_END and end_input:
            stdin.close()  # the child sees the end of its input as soon as the last line is written
        written.put(end if isinstance(end, _End) else _End())
    except OSError:  # BrokenPipeError above all: the child is not reading, it exited
        written.put(_End(broken=True))
    except BaseException as error:  # noqa: BLE001
        written.put(_End(error=error))


def _drain(process, owed, written, failure):
    """After an early stop of a child kept for more: read and discard the
    answers still owed (`owed` of the batch being answered, then every batch
    in `written` until the writer's _End)."""
    while True:
        for _ in range(owed):
            if not process.stdout.readline():
                failure(process.wait())  # recorded by the caller; the consumer is gone
                return
        message = written.get()
        if isinstance(message, _End):
            return
        owed = len(message)


def _terminate(process):
    """Ends a child whose answers are no longer wanted (its pipes are closed by the caller)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except Exception:  # noqa: BLE001 - TimeoutExpired, or interrupted
            process.kill()
            process.wait()


def _close_quietly(stream_):
    try:
        stream_.close()
    except (BrokenPipeError, OSError, ValueError):
        pass
