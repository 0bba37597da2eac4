"""Privatize texts from Python through one long-running `dptext privatize` process.

Why a process and not a library binding: the dptext binary is the one
implementation of the mechanisms, and its JSONL mode already streams (it
answers whatever lines have arrived without waiting for more). So a
Privatizer starts `dptext privatize --format jsonl --field text` once, sends
each text as a `{"text": ...}` line and reads the rewritten line back, through
dptext.stream: a writer thread feeds stdin while the caller reads stdout, so
long inputs never deadlock the two pipes, and each record is raw UTF-8 JSON
(dptext.stream.encode_record).

Equality with the CLI: a Privatizer's records are, in order, every text it
was given across all its calls, each a `{"text": ...}` line. With the same
seed and options, the texts it returns are exactly the `text` fields that
`dptext privatize --format jsonl --field text` prints for that JSONL file.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .stream import encode_record, stream

FIELD = "text"
# Options the client sets itself: the record layout and where reports go.
OWNED = {"format", "field", "report", "report_public", "output", "output_dir"}


class DPTextError(Exception):
    """dptext failed. `status` is its exit status (64 usage, 65 bad data,
    66 missing input, 73 output problem; negative: killed by that signal) and
    `message` its error text from stderr."""

    def __init__(self, message, status):
        super().__init__(f"{message} (dptext exit status {status})")
        self.message = message
        self.status = status


def find_binary(binary=None):
    """The dptext binary: `binary`, else $DPTEXT_BINARY, else `dptext` on PATH,
    else the checkout's `.build/release/dptext` when this package runs from
    its source folder (Tools/python inside the repository)."""
    named = [(source, path) for source, path in (("binary=", binary),
                                                  ("$DPTEXT_BINARY", os.environ.get("DPTEXT_BINARY"))) if path]
    if named:
        source, path = named[0]
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            raise FileNotFoundError(f"dptext binary {path} (from {source}) is not an executable file")
        return path
    on_path = shutil.which("dptext")
    if on_path:
        return on_path
    checkout = Path(__file__).resolve().parents[3] / ".build" / "release" / "dptext"
    if checkout.is_file() and os.access(checkout, os.X_OK):
        return str(checkout)
    raise FileNotFoundError(
        "dptext binary not found: pass binary=PATH, set DPTEXT_BINARY, put dptext on PATH, or build the "
        "checkout (swift build -c release gives .build/release/dptext)")


def options_to_arguments(options):
    """Keyword options as command-line arguments: max_unprotected_fraction=1 →
    --max-unprotected-fraction 1, True → the bare flag, False/None → nothing,
    a list or tuple → the option repeated once per value."""
    arguments = []
    for name, value in options.items():
        flag = "--" + name.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            arguments.append(flag)
        elif isinstance(value, (list, tuple)):
            for item in value:
                arguments += [flag, str(item)]
        else:
            arguments += [flag, str(value)]
    return arguments


class Privatizer:
    """One `dptext privatize --format jsonl` process, used as a context manager:

        with dptext.Privatizer(epsilon=10, seed=7) as privatizer:
            private = privatizer.privatize(["some text", "more text"])
        privatizer.report  # the private run report, a dict (keep it private)

    Any other `dptext privatize` option is a keyword argument
    (max_unprotected_fraction=1, decoder="hnsw", threads=2, ...). With
    record_key="id" every call needs keys=, one unique string or integer per
    text, and each text's noise depends on the seed and its key only.

    Errors dptext reports are raised as DPTextError: a bad option or a missing
    store by the first call (or by close, if there was none), a bad record
    when it is met, and end-of-input checks (--max-unprotected-fraction) by
    close(). After an error the process is gone and the Privatizer unusable.
    Not thread-safe: use one Privatizer per thread.
    """

    def __init__(self, mechanism="laplace", epsilon=None, seed=None, oov=None, embeddings=None,
                 binary=None, **options):
        owned = OWNED.intersection(options)
        if owned:
            raise TypeError(f"the client sets {', '.join(sorted(owned))} itself; the private report is "
                            "available as .report after close")
        self.record_key = options.pop("record_key", None)
        if self.record_key == FIELD:
            raise ValueError(f"record_key must differ from the text field {FIELD!r}")
        self.binary = find_binary(binary)
        self.report = None          # the private report (dict), after close()
        self.public_report = None   # the publishable report (dict), after close()
        self.warnings = []          # dptext's warning lines on stderr (skipped records, ...), after close()
        self._scratch = None
        self._process = None
        self._error = None
        self._error_raised = False
        self._busy = False
        named = dict(mechanism=mechanism, epsilon=epsilon, seed=seed, oov=oov, embeddings=embeddings)
        if self.record_key is not None:
            named["record_key"] = self.record_key
        self._arguments = options_to_arguments({**named, **options})

    def __getstate__(self):
        raise TypeError("a Privatizer owns a running dptext process and cannot be pickled; use it in one "
                        "process (datasets: num_proc=1, and pass new_fingerprint= so map does not try to hash it)")

    # -- life cycle -------------------------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is None:
            self.close()
        else:
            self.abort()  # the caller's exception wins; no report then

    def start(self):
        """Starts the dptext process (done by `with`)."""
        if self._process is not None:
            raise RuntimeError("this Privatizer is already started")
        self._scratch = tempfile.mkdtemp(prefix="dptext-client-")
        self._report_path = os.path.join(self._scratch, "report.json")
        self._public_path = os.path.join(self._scratch, "report-public.json")
        self._stderr = open(os.path.join(self._scratch, "stderr"), "w+b")
        command = [self.binary, "privatize", "--format", "jsonl", "--field", FIELD,
                   "--report", self._report_path, "--report-public", self._public_path] + self._arguments
        self.command = command
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=self._stderr)
        return self

    def close(self):
        """Ends the input, waits for dptext and reads its reports; raises
        DPTextError when dptext failed at the end (--max-unprotected-fraction,
        say) or failed earlier without the error having been raised yet."""
        if self._process is None:
            return
        try:
            if self._error is None:
                try:
                    self._process.stdin.close()
                except BrokenPipeError:
                    pass
                status = self._process.wait()
                if status != 0:
                    self._error = DPTextError(self._stderr_text(), status)
                else:
                    with open(self._report_path) as private, open(self._public_path) as public:
                        self.report, self.public_report = json.load(private), json.load(public)
                    self._stderr.seek(0)
                    self.warnings = self._stderr.read().decode("utf-8", "replace").splitlines()
        finally:
            self._cleanup()
        if self._error is not None and not self._error_raised:
            self._error_raised = True
            raise self._error

    def abort(self):
        """Kills dptext without waiting for its reports."""
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._cleanup()

    def _cleanup(self):
        process, self._process = self._process, None
        for stream in (process.stdin, process.stdout):
            try:
                stream.close()
            except (BrokenPipeError, OSError):
                pass
        process.wait()
        self._stderr.close()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def _stderr_text(self):
        self._stderr.flush()
        self._stderr.seek(0)
        text = self._stderr.read().decode("utf-8", "replace").strip()
        return text or "dptext printed no error message"

    # -- privatizing ------------------------------------------------------------------------

    def privatize(self, texts, keys=None):
        """The private versions of `texts` (a list of str), in order."""
        return list(self.privatize_iter(texts, keys))

    def privatize_iter(self, texts, keys=None):
        """Streams any iterable of str through dptext, yielding each private
        text in order as soon as dptext answers it; memory stays bounded for
        long inputs. Stopping early (break) discards the answers to texts
        already sent, which still count as records of this run."""
        if isinstance(texts, (str, bytes)):
            raise TypeError("texts must be an iterable of str, not a single string")
        if self._error is not None:
            raise self._error
        if self._process is None:
            raise RuntimeError("start the Privatizer first: with dptext.Privatizer(...) as privatizer: ...")
        if self._busy:
            raise RuntimeError("another privatize_iter of this Privatizer is still running")
        if (keys is None) != (self.record_key is None):
            raise TypeError("keys= is required with record_key, and only then")
        self._busy = True
        # end_input=False: the process outlives this call, and an early stop
        # reads the answers still owed so that the next call starts in step.
        answers = stream(self._process, self._records(texts, keys), encode_record, self._failed, end_input=False)
        try:
            for _, answer in answers:
                yield json.loads(answer)[FIELD]
        except DPTextError as error:
            if error is self._error:
                self._error_raised = True
            raise
        finally:
            answers.close()
            self._busy = False

    def _failed(self, status):
        """dptext ended its output early: it exited, and stderr says why. The
        error is kept: the Privatizer is unusable from now on, and close()
        raises it unless privatize_iter already has."""
        self._error = DPTextError(self._stderr_text(), status if status != 0 else 70)
        return self._error

    def _records(self, texts, keys):
        """The JSONL records for `texts` (iterated by the stream's feeder thread)."""
        key_iter = iter(keys) if keys is not None else None
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"texts must be str, got {type(text).__name__}")
            if key_iter is None:
                yield {FIELD: text}
                continue
            try:
                key = next(key_iter)
            except StopIteration:
                raise ValueError("fewer keys than texts") from None
            yield {self.record_key: key, FIELD: text}
