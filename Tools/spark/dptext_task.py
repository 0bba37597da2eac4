"""Executor side of the dptext Spark job: one partition through one dptext process.

Each partition's records are streamed through a single `dptext privatize
--format jsonl` process by dptext.stream, the streaming module of the Python
client's package: a writer thread feeds dptext's stdin in batches while the
task reads its stdout, so neither pipe can fill up and block the other, and
dptext writes one line per input line, in order, so the n-th line read
answers the n-th record written. JSONL records go to dptext as their raw
line bytes; a Parquet row goes as a {key, text} JSON line in raw UTF-8
(dptext.stream.encode_record) and gets the rewritten text spliced back.

The task yields the output value of every record and, once dptext has
exited cleanly, adds (partition, first index, private report, public report,
warnings) to a Spark accumulator: the two JSON reports of its process and
what it printed on stderr (warnings, such as records skipped under
--on-error skip). The task also writes the output (the job fuses dptext and
the write into one stage), and Spark applies a result task's accumulator
update only for the one attempt per partition that succeeds, which is the
attempt whose output was committed: so even an unseeded run never reports a
computation other than the one it wrote, and nothing is checkpointed.

Only the standard library, PySpark and the dptext package (itself standard
library only) are used: the driver ships this file to the executors with
SparkContext.addPyFile and the dptext package beside it as a zip
(dptext_spark.package_zip), so it imports wherever PySpark's worker runs.
"""

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from typing import Optional

from dptext.stream import encode_record, stream
from pyspark.accumulators import AccumulatorParam

class DPTextFailed(RuntimeError):
    """dptext exited non-zero on a partition. The message carries dptext's own
    error line and exit status; the driver looks for this class name in Spark's
    task failure to print the message and exit with the status."""

    def __init__(self, message, status):
        super().__init__(f"{message} [exit status {status}]")
        self.status = status


@dataclass
class TaskConfig:
    """What every task needs, pickled into the closure by the driver."""
    binary: str          # SparkFiles name of the dptext binary
    store: str           # SparkFiles name of the embeddings store
    caches: str          # SparkFiles name of the cache archive (a tar)
    options: list        # privatize options from the user (after --)
    field: str           # the text field (JSONL) or column (Parquet)
    key_field: Optional[str]
    parquet: bool        # rows (tuples) instead of raw JSONL lines
    field_index: int = -1    # Parquet: column positions
    key_index: int = -1
    fail_once: Optional[str] = None  # test hook, see fail_once_target()
    caches_sha256: str = ""   # the archive's SHA-256, computed by the driver
    cache_key: str = ""       # the job's cache key (hex), which signed every file in it


class ReportList(AccumulatorParam):
    """An accumulator of per-partition report tuples (a list)."""

    def zero(self, value):
        return []

    def addInPlace(self, first, second):
        return first + second


def fail_once_target(spec, partition):
    """TEST-ONLY failure injection (DPTEXT_SPARK_FAIL_ONCE=[executor:]<partition>:<marker>).

    Returns "dptext" (or "executor" with the prefix) the first time the named
    partition runs, when the marker file does not exist yet (and creates it):
    that attempt's dptext process, or with "executor:" the whole executor
    (the JVM that started this Python worker's daemon; cluster tests only,
    never local mode, where that JVM is the driver), is then killed
    mid-partition (after its first answer), so Spark must compute the
    partition again. Never set it in production: it exists to test that
    retries give complete, consistent output.
    """
    if not spec:
        return None
    what, spec = ("executor", spec[len("executor:"):]) if spec.startswith("executor:") else ("dptext", spec)
    index, _, marker = spec.partition(":")
    if int(index) != partition or not marker or os.path.exists(marker):
        return None
    with open(marker, "w") as handle:
        handle.write(f"killed the {what} of partition {partition} once\n")
    return what


def _executor_pid():
    """The executor JVM: the parent of this Python worker's parent (PySpark's daemon)."""
    with open(f"/proc/{os.getppid()}/stat") as handle:
        return int(handle.read().rsplit(")", 1)[1].split()[1])


def _shipped(name):
    from pyspark import SparkFiles  # imported here: only tasks need it
    return SparkFiles.get(name)


class UntrustedCaches(RuntimeError):
    """The cache archive a task received is not the one the driver made."""


def unpack_caches(archive, expected_sha256, key_hex, scratch):
    """The driver's cache archive, checked and unpacked into `scratch`: returns
    (cache folder, key file). The archive's SHA-256 must be the one the driver
    computed (it travels in the task's closure, not beside the archive), so a
    cache changed anywhere between the driver and here is never used."""
    with open(archive, "rb") as handle:
        found = hashlib.file_digest(handle, "sha256").hexdigest()
    if found != expected_sha256:
        raise UntrustedCaches(f"the cache archive {archive} is not the one the driver made (SHA-256 {found}, "
                              f"expected {expected_sha256}); it was changed after the driver wrote it")
    folder = os.path.join(scratch, "caches")
    os.mkdir(folder, 0o700)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    key = os.path.join(scratch, "cache.key")
    descriptor = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(bytes.fromhex(key_hex))
    return folder, key


def mechanism_option_names(binary):
    """The flags of the mechanisms' own parameters, as `dptext mechanisms --json` lists them."""
    done = subprocess.run([binary, "mechanisms", "--json"], capture_output=True, check=True)
    return {flag for mechanism in json.loads(done.stdout) for flag in mechanism.get("flags", [])}


def _executable(path):
    """A shipped binary may arrive without its execute bit on some file systems."""
    if not os.access(path, os.X_OK):
        os.chmod(path, os.stat(path).st_mode | 0o111)
    return path


def _numbered(records, where):
    """(index, item) for each ((partition, index), item) record; where["first"]
    becomes the first record's input index."""
    for (_, index), item in records:
        where.setdefault("first", index)
        yield index, item


def _encode(config, item):
    """The JSONL line (without newline) that dptext gets for one record."""
    if not config.parquet:
        return item
    record = {}
    if config.key_field is not None:
        record[config.key_field] = item[config.key_index]
    record[config.field] = item[config.field_index]
    return encode_record(record)


def _decode(config, item, answer):
    """The output value for one record: the rewritten line (JSONL) or the row
    with the rewritten text spliced in, every other column untouched (Parquet)."""
    if not config.parquet:
        return answer
    row = list(item)
    row[config.field_index] = json.loads(answer)[config.field]
    return tuple(row)


def error_line(stderr_text):
    """dptext's error, one line (ArgumentParser's usage errors span several)."""
    lines = [line.strip() for line in stderr_text.splitlines() if line.strip()]
    errors = [line for line in lines if "error:" in line.lower()]
    return " ".join(errors or lines) or "(dptext printed nothing on stderr)"


def privatize_partition(partition, records, config, reports):
    """mapPartitionsWithIndex function: records are ((partition, index), item)
    pairs sorted by index, index being the record's 0-based position in the
    whole input; item is a JSONL line (bytes) or a Parquet row (tuple).
    Yields output values; adds the partition's reports to `reports`."""
    binary = _executable(_shipped(config.binary))
    with tempfile.TemporaryDirectory(prefix="dptext-task-") as scratch:
        caches, key = unpack_caches(_shipped(config.caches), config.caches_sha256, config.cache_key, scratch)
        caches_before = set(os.listdir(caches))
        private_path = os.path.join(scratch, "report.json")
        public_path = os.path.join(scratch, "report-public.json")
        command = [binary, "privatize", "--format", "jsonl", "--field", config.field]
        if config.key_field is not None:
            command += ["--record-key", config.key_field]
        command += ["--embeddings", _shipped(config.store), "--cache-dir", caches,
                    "--report", private_path, "--report-public", public_path]
        command += config.options
        with open(os.path.join(scratch, "stderr"), "w+b") as stderr:
            process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                                       env=dict(os.environ, DPTEXT_CACHE_KEY=key))
            where = {}  # the partition's first input index, once known

            def failed(status):
                """dptext ended without answering every record, or exited non-zero at the end."""
                if status == 0:
                    return RuntimeError(f"partition {partition}: dptext exited (status 0) without answering "
                                        "every record it was given")
                stderr.seek(0)
                message = stderr.read().decode("utf-8", "replace")
                return DPTextFailed(_failure_message(partition, where.get("first", 0), config, status, message),
                                    status)

            kill = fail_once_target(config.fail_once, partition)
            answers = stream(process, _numbered(records, where), lambda record: _encode(config, record[1]), failed)
            try:
                answered = 0
                for (_, item), answer in answers:
                    yield _decode(config, item, answer)
                    answered += 1
                    if kill and answered == 1:  # test hook: see fail_once_target
                        os.kill(_executor_pid() if kill == "executor" else process.pid, signal.SIGKILL)
            finally:
                answers.close()  # interrupted: the stream stops its threads and terminates dptext
                if process.poll() is None:  # leave no process behind, whatever happened
                    process.kill()
                    process.wait()
            status = process.wait()
            if status != 0:
                raise failed(status)
            stderr.seek(0)
            message = stderr.read().decode("utf-8", "replace")
        first = where.get("first", 0)
        new_caches = {name for name in set(os.listdir(caches)) - caches_before if not name.startswith("store-checked-")}
        if new_caches:
            raise RuntimeError(f"dptext built cache files on an executor ({sorted(new_caches)}); the driver's "
                               "export should have shipped every cache this mechanism needs. Report this.")
        with open(private_path) as private, open(public_path) as public:
            reports.add([(partition, first, private.read(), public.read(), message.strip())])


def locate(text, first):
    """<stdin>:LINE of a partition whose first record has input index `first`,
    as 1-based input record numbers (positions in input order)."""
    return re.sub(r"<stdin>:(\d+)", lambda found: f"input record {first + int(found.group(1))}", text)


def _failure_message(partition, first, config, status, stderr_text):
    """dptext's error line, with its partition-relative <stdin>:LINE located in
    the whole input."""
    if status == 127 and "error while loading shared libraries" in stderr_text:
        return (f"the dptext binary cannot start on executor {socket.gethostname()}: {error_line(stderr_text)}. "
                "Ship a binary with the Swift runtime linked in (Tools/install.sh --build-only builds one; "
                "the job uses it by default) and install libhdf5, OpenBLAS and libcrypto on the workers "
                "(README, Install)")
    if status < 0:
        what = f"dptext was killed by signal {-status}"
        if config.fail_once:
            what += " (DPTEXT_SPARK_FAIL_ONCE test hook)"
        status_text = what
    else:
        status_text = f"dptext exited with status {status}"
    message = (f"{status_text} on partition {partition} (from input record {first + 1}): "
               f"{error_line(stderr_text)}")
    lines = sorted({int(number) for number in re.findall(r"<stdin>:(\d+)", stderr_text)})
    if lines:
        where = ", ".join(f"<stdin>:{line} is input record {first + line}" for line in lines)
        message += f" ({where})"
    return message
