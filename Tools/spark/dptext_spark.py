"""Privatize a corpus with dptext on Spark, one dptext process per partition.

    Tools/spark-privatize.sh [--master URL] [--partitions N] --input PATH --output DIR
        [--format jsonl|parquet] [--field text] [--key-field id] [--report PATH]
        [--dptext BINARY] [--executor-python PATH] [--conf KEY=VALUE ...] -- [dptext privatize options]
    spark-submit [spark options] Tools/spark/dptext_spark.py [the same options]

(the shell script sets up Java and PySpark and runs main() below). Why it is
built this way:

* Order: records are numbered in input order (files by path, lines or rows in
  file order; dptext_order says how, with one shuffle), split into exactly N
  ranges of consecutive records and sorted within each, so part-00000,
  part-00001, ... concatenated are the input's order.
* Exact bytes: JSONL is read as raw line bytes and each line goes to dptext as
  it is, so every byte outside the text field survives. Parquet rows send only
  {key, text} to dptext and get the new text spliced back, so every other
  column keeps its value and type.
* Noise: a seeded run must be keyed (--key-field): without a key each
  partition's dptext would derive the same streams from the same line numbers.
  Keys are checked unique over the whole input here; dptext checks each
  partition again.
* One computation, nothing checkpointed: dptext runs in the tasks that write
  the output, and each partition's reports come back through an accumulator,
  which Spark applies only for the attempt whose output it committed. A lost
  executor at any stage is recomputed from the input (identical for keyed
  seeded runs; for unseeded runs the written output and the counted reports
  are still one computation), and no private record or report outlives the
  run outside DIR and --report. A failed run removes DIR.
* Executors: the binary shipped is the static build (Tools/install.sh
  --build-only; no Swift toolchain on the workers), run by the workers' own
  Python (--executor-python, else PYSPARK_PYTHON, else python3; local mode:
  this interpreter). The job's Python code goes with it (SparkContext.addPyFile):
  dptext_task, dptext_order, this file, and the Python client's package
  `dptext` as a zip (its dptext.stream feeds each dptext process), so no
  worker needs any of it installed. Failures a first run meets (no such
  Python, a binary that cannot load, lost executors, output exists) end in
  one `spark-privatize: error:` line saying what to do.
* Set-up once, caches trusted: the driver exports the cache files the
  mechanism needs (`dptext cache export`, from the driver's own signed cache,
  building what is missing) into a fresh folder signed with a key made for
  this job, checks the options with a set-up run on empty input, and ships
  the binary, the store and the caches as one tar (SparkContext.addFile).
  Each task checks the tar's SHA-256 — passed from the driver in the task's
  closure, with the job's key — before it unpacks it into a private folder,
  so no executor uses a cache that the driver did not write, and none builds one.
* Reports: every partition writes a private and a public report; the driver
  merges them with `dptext report merge` into DIR/_dptext-report.json (public,
  published with DIR) and, with --report, the private one outside DIR, both
  through Spark's file system (HDFS, file://, ...), like the data.
"""

import argparse
import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
import zipfile
from io import BytesIO

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The Python client's package (Tools/python/dptext), whose dptext.stream the tasks use, is imported from this
# checkout, so the driver needs no pip install of it; executors get it as a zip (package_zip). A copy of this
# file shipped to an executor has no Tools/python beside it.
_CLIENT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python")
if os.path.isfile(os.path.join(_CLIENT, "dptext", "stream.py")) and _CLIENT not in sys.path:
    sys.path.insert(0, _CLIENT)
import dptext  # noqa: E402
import dptext_order  # noqa: E402  (beside this file; shipped to executors too)
import dptext_task  # noqa: E402
from dptext_cluster import (HadoopPath, JobError, dptext_failure, infrastructure_failure,  # noqa: E402
                            java_error_text)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INSTALL = os.path.join(REPO, "Tools", "install.sh")
# Tools/install.sh --build-only's output: the Swift runtime linked in, so it runs on workers without the toolchain.
DEFAULT_BINARY = os.path.join(REPO, ".build", "release", "dptext")
# Leading underscore: Spark, Hive and pyarrow skip such files (like _SUCCESS) when
# they read DIR as a dataset; a plain name would be read as a data file.
REPORT_NAME = "_dptext-report.json"
# Options this job sets itself; each maps to the job option to use instead.
OWNED_OPTIONS = {
    "--format": "--format", "--field": "--field", "--record-key": "--key-field",
    "--report": "--report", "--report-public": f"the public report DIR/{REPORT_NAME}",
    "-o": "--output", "--output": "--output", "--output-dir": "--output",
    "-h": "dptext privatize --help", "--help": "dptext privatize --help",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise JobError(f"{message} (see --help)", 64)


def parse_args(argv):
    """Job options before `--`, dptext privatize options after it."""
    argv = list(argv)
    split = argv.index("--") if "--" in argv else len(argv)
    parser = _Parser(
        prog="spark-privatize.sh", description=__doc__.split("\n\n")[0],
        usage="%(prog)s [--master URL] [--partitions N] --input PATH --output DIR [--format jsonl|parquet]\n"
              "       [--field text] [--key-field id] [--report PATH] [--dptext BINARY] [--executor-python PATH]\n"
              "       [--conf KEY=VALUE ...] -- [dptext privatize options, e.g. --epsilon 10 --seed 7]",
        epilog=f"Writes DIR in Spark's layout (part files in input order, _SUCCESS) and DIR/{REPORT_NAME}, "
               "the merged public report. Test only: DPTEXT_SPARK_FAIL_ONCE=<partition>:<marker file> kills that "
               "partition's dptext once (see dptext_task.fail_once_target).")
    parser.add_argument("--master", metavar="URL", help="Spark master (default: spark-submit's, else local[*])")
    parser.add_argument("--partitions", metavar="N", type=int, help="partitions, one dptext process each "
                        "(default: Spark's default parallelism)")
    parser.add_argument("--input", metavar="PATH", required=True, help="input file, folder or glob")
    parser.add_argument("--output", metavar="DIR", required=True, help="output folder or URI (must not exist)")
    parser.add_argument("--format", choices=["jsonl", "parquet"], default="jsonl", help="default jsonl")
    parser.add_argument("--field", metavar="NAME", default="text", help="the text field or column (default text)")
    parser.add_argument("--key-field", metavar="NAME", help="a unique string or integer field or column of "
                        "every record; required with --seed")
    parser.add_argument("--report", metavar="PATH", help="the merged PRIVATE report (outside DIR)")
    parser.add_argument("--dptext", metavar="BINARY", help="dptext binary to ship (default $DPTEXT_BINARY, else "
                        f"{DEFAULT_BINARY}, built by Tools/install.sh --build-only when missing)")
    parser.add_argument("--executor-python", metavar="PATH", help="the workers' Python 3.11+ (default "
                        "$PYSPARK_PYTHON, else python3; local mode: this interpreter)")
    parser.add_argument("--conf", metavar="KEY=VALUE", action="append", default=[], help="a Spark setting "
                        "(repeatable), e.g. --conf spark.executor.memory=4g")
    args = parser.parse_args(argv[:split])
    args.options = argv[split + 1:]
    args.conf = [parse_conf(item) for item in args.conf]
    if args.partitions is not None and args.partitions < 1:
        raise JobError(f"--partitions must be at least 1 (got {args.partitions})", 64)
    return args


# The `privatize` options that are flags (no value); every other one takes one value.
FLAG_OPTIONS = {"--allow-unverified"}


def scan_options(options):
    """The values of the dptext options the job needs to see, refusing the ones
    it sets itself. Every `privatize` option but the flags takes one value
    (--name VALUE or --name=VALUE), which is how a value is told from an input file."""
    values, position = {}, 0
    while position < len(options):
        token = options[position]
        name, has_value, value = token.partition("=")
        if not name.startswith("-"):
            raise JobError(f"'{token}' after -- is not an option: inputs come from --input", 64)
        if name in OWNED_OPTIONS:
            raise JobError(f"{name} is set by the job; use {OWNED_OPTIONS[name]} instead", 64)
        if name in FLAG_OPTIONS:
            values[name] = True
            position += 1
            continue
        if not has_value:
            if position + 1 >= len(options):
                raise JobError(f"{name} needs a value", 64)
            position += 1
            value = options[position]
        values[name] = value
        position += 1
    return values


def without(options, names):
    """options minus the given options and their values."""
    kept, position = [], 0
    while position < len(options):
        name = options[position].partition("=")[0]
        step = 1 if "=" in options[position] or name in FLAG_OPTIONS else 2
        if name not in names:
            kept += options[position:position + step]
        position += step
    return kept


def parse_conf(item):
    key, equals, value = item.partition("=")
    if not equals or not key.strip():
        raise JobError(f"--conf {item}: expected KEY=VALUE, e.g. --conf spark.executor.memory=4g", 64)
    return key.strip(), value


def is_static_build(path):
    """Whether `path` exists and loads no Swift library dynamically (ldd)."""
    if not os.path.exists(path):
        return False
    linked = subprocess.run(["ldd", path], capture_output=True, text=True)
    return linked.returncode == 0 and "libswift" not in linked.stdout


def find_binary(explicit):
    """--dptext, else $DPTEXT_BINARY, else the checkout's release build, made
    with Tools/install.sh --build-only when missing or when it loads the Swift
    runtime from the toolchain (a plain `swift build -c release`): executors
    have no toolchain."""
    path = explicit or os.environ.get("DPTEXT_BINARY")
    if path is None and not is_static_build(DEFAULT_BINARY):
        print(f"spark-privatize: building {DEFAULT_BINARY} (Tools/install.sh --build-only; a few minutes, once)",
              file=sys.stderr)
        if subprocess.run([INSTALL, "--build-only"], stdout=subprocess.DEVNULL).returncode != 0:
            raise JobError("Tools/install.sh --build-only failed (its error is above); fix the build or pass "
                           "--dptext BINARY", 70)
    path = path or DEFAULT_BINARY
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise JobError(f"dptext binary {path} not found or not executable; build one (Tools/install.sh "
                       "--build-only) or pass --dptext BINARY / set DPTEXT_BINARY", 66)
    return os.path.abspath(path)


def local_store_option(options):
    """The options with a file: --embeddings URI made a path: the driver's
    set-up run reads the store itself, so it must be on the driver's disk."""
    values = scan_options(options)
    store = values.get("--embeddings")
    if store is None or "://" not in store and not store.startswith("file:"):
        return options
    if not store.startswith("file:"):
        raise JobError(f"--embeddings {store}: the store must be a file on the driver (the job ships it to the "
                       "executors itself); copy it here first, e.g. hdfs dfs -get", 64)
    path = "/" + store[len("file:"):].lstrip("/")
    return without(options, {"--embeddings"}) + ["--embeddings", path]


# The options `dptext cache export` takes besides the mechanisms' own: the store and the caches.
EXPORT_OPTIONS = {"--mechanism", "--epsilon", "--decoder", "--hnsw-ef", "--embeddings", "--vocab-limit",
                  "--cache-dir", "--oov"}


def set_up(binary, options, field, key_field, caches, key, scratch):
    """Checks the options with a set-up run on empty input, exports the cache
    files the run needs into `caches` signed with the job's `key` (from the
    driver's own cache, building what is missing), and returns the store's
    path (from the set-up's report, so the store dptext would use is the one
    shipped)."""
    report = os.path.join(scratch, "setup-report.json")
    command = [binary, "privatize", "--format", "jsonl", "--field", field]
    command += ["--record-key", key_field] if key_field else []
    command += options + ["--report", report]
    run_dptext(command, "dptext refused the options")
    own = dptext_task.mechanism_option_names(binary)
    export = [binary, "cache", "export", "--to", caches, "--key", key]
    export += [option for name, value in scan_options(options).items() if name in EXPORT_OPTIONS | own
               for option in (name, value)]
    run_dptext(export, "dptext could not prepare the caches")
    with open(report) as handle:
        return os.path.abspath(json.load(handle)["embeddings"]["path"])


def run_dptext(command, what):
    """Runs a dptext command on empty input; a failure becomes a JobError with its message and status."""
    done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode != 0:
        raise JobError(f"{what} (status {done.returncode}): "
                       f"{dptext_task.error_line(done.stderr.decode('utf-8', 'replace'))}", done.returncode)


def make_job_key(scratch):
    """A fresh key for this job's caches (32 random bytes, mode 0600): the
    executors never see the driver user's own key."""
    path = os.path.join(scratch, "job.key")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(os.urandom(32))
    return path


def pack_caches(caches, scratch):
    """The cache folder as an uncompressed tar (Spark ships no local folders to
    a cluster); a README entry keeps it non-empty."""
    path = os.path.join(scratch, f"dptext-caches-{uuid.uuid4().hex[:12]}.tar")
    with tarfile.open(path, "w") as archive:
        for name in sorted(os.listdir(caches)):
            if os.path.isfile(os.path.join(caches, name)):
                archive.add(os.path.join(caches, name), arcname=name)
        note = b"dptext caches built by the Spark driver; executors only read them.\n"
        info = tarfile.TarInfo("README-dptext-spark")
        info.size = len(note)
        archive.addfile(info, BytesIO(note))
    return path


def package_zip(scratch):
    """The dptext package the driver imported (dptext.stream, which the tasks
    use, and the rest of the client) as a zip in `scratch`, for
    SparkContext.addPyFile: Spark ships single .py files and zips, not
    folders, and a zip on the executors' sys.path keeps the package a
    package. A new name every run: a SparkContext serves one path per name."""
    folder = os.path.dirname(os.path.abspath(dptext.__file__))
    path = os.path.join(scratch, f"dptext-python-{uuid.uuid4().hex[:12]}.zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py"):
                archive.write(os.path.join(folder, name), f"dptext/{name}")
    return path


def scan(spark, args):
    """(rows, schema): the input as an RDD of (item, file path, split start)
    in each split's file order, item being a JSONL line's raw bytes or a
    Parquet row tuple; schema is None for JSONL."""
    from pyspark.sql import functions as F
    try:
        frame = (spark.read.option("lineSep", "\n").text(args.input) if args.format == "jsonl"
                 else spark.read.parquet(args.input))
    except Exception as error:  # AnalysisException (names the path) or a file system's Java error
        text = java_error_text(error)
        if "PATH_NOT_FOUND" in text or "does not exist" in text:
            raise JobError(f"input {args.input} not found", 66) from None
        if "No FileSystem for scheme" in text or "ClassNotFoundException" in text:
            HadoopPath(spark, args.input, "--input")  # raises the scheme's error
        raise
    where = [F.col("_metadata.file_path"), F.col("_metadata.file_block_start")]
    if args.format == "jsonl":  # cast to binary: the line's bytes as read, no UTF-8 decoding
        rows = frame.select(F.col("value").cast("binary"), *where).rdd.map(lambda row: (bytes(row[0]), row[1], row[2]))
        return rows, None
    columns = [F.col(f"`{name}`") for name in frame.columns]
    return frame.select(*columns, *where).rdd.map(lambda row: (tuple(row[:-2]), row[-2], row[-1])), frame.schema


def check_columns(schema, field, key_field):
    """Parquet: the text column must be a string, the key a string or integer."""
    from pyspark.sql import types as T
    names = schema.fieldNames()
    for name, role in ((field, "--field"), (key_field, "--key-field")):
        if name is not None and name not in names:
            raise JobError(f"{role} {name}: no such column (columns: {', '.join(names)})", 65)
    if not isinstance(schema[field].dataType, T.StringType):
        raise JobError(f"--field {field} is a {schema[field].dataType.simpleString()} column; "
                       "it must be a string column", 65)
    if key_field is not None:
        kind = schema[key_field].dataType
        if not isinstance(kind, (T.StringType, T.ByteType, T.ShortType, T.IntegerType, T.LongType)):
            raise JobError(f"--key-field {key_field} is a {kind.simpleString()} column; record keys "
                           "must be strings or integers", 65)
    return names.index(field), (names.index(key_field) if key_field is not None else -1)


def count_and_check_keys(rows, field_index, key_field, key_index):
    """The splits' bases (dptext_order) from one pass over the input, which also
    checks that keys are unique: a duplicate fails naming the first duplicated
    key (by position) and its first two records."""
    if key_field is None:
        return dptext_order.SplitBases(rows.mapPartitions(
            lambda part: dptext_order.split_sizes(part, field_index)).collect())
    reduced = rows.mapPartitions(
        lambda part: dptext_order.count_and_keys(part, field_index, key_field, key_index)).reduceByKey(
        dptext_order.merge_keyed)
    # Two actions on one shuffle: the second reuses the first's map output.
    bases = dptext_order.SplitBases([(key[1], key[2], *value) for key, value in
                                     reduced.filter(lambda kv: kv[0][0] == "split").collect()])
    duplicated = reduced.filter(lambda kv: kv[0][0] == "key" and kv[1][0] > 1)
    first = duplicated.takeOrdered(1, key=lambda kv: kv[1][1])
    if first:
        (_, kind, value), (count, one, two) = first[0]
        one, two = (bases.bases[place[:2]][0] + place[2] for place in (one, two))
        more = duplicated.count() - 1
        shown = json.dumps(value, ensure_ascii=False)
        raise JobError(f"record key {shown} (--key-field {key_field}) is used by {count} records, first by "
                       f"input records {one + 1} and {two + 1}" + (f"; {more} more keys are duplicated" if more else "")
                       + ". Two records with one key would share their noise: give every record its own key.", 65)
    return bases


class Prepared:
    """What the driver settles before Spark runs anything: checked options, the
    binary, a scratch folder with the built caches and the store's path."""

    def __init__(self, args):
        self.args = args
        args.options = local_store_option(args.options)
        self.values = scan_options(args.options)
        if "--seed" in self.values and not args.key_field:
            raise JobError("a seeded run (--seed) needs --key-field: without record keys every partition's dptext "
                           "would derive its noise from the same line numbers and reuse it across partitions. "
                           "Pass --key-field FIELD naming a unique string or integer field of every record.", 64)
        if args.key_field is not None and args.key_field == args.field:
            raise JobError("--key-field must differ from --field", 64)
        if "://" not in args.output and os.path.exists(args.output.removeprefix("file:")):
            raise output_exists(args.output)  # early for local paths; execute() checks every file system
        self.binary = find_binary(args.dptext)
        self.scratch = tempfile.mkdtemp(prefix="dptext-spark-")
        try:
            caches = os.path.join(self.scratch, "caches")
            key = make_job_key(self.scratch)
            self.store = set_up(self.binary, args.options, args.field, args.key_field, caches, key, self.scratch)
            self.archive = pack_caches(caches, self.scratch)
            with open(self.archive, "rb") as handle:
                self.archive_sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
            with open(key, "rb") as handle:
                self.key = handle.read().hex()
        except BaseException:
            self.close()
            raise

    def close(self):
        shutil.rmtree(self.scratch, ignore_errors=True)


def output_exists(output):
    return JobError(f"output folder {output} exists; choose a new --output, or remove it if it is a failed run's "
                    "(a run that fails removes its own)", 73)


def run(spark, args):
    """The whole job on an existing SparkSession; returns a summary dict."""
    prepared = Prepared(args)
    try:
        return execute(spark, prepared)
    finally:
        prepared.close()


def execute(spark, prepared):
    """Ships what the executors need, runs one dptext per partition inside the
    tasks that write the output, then writes the merged reports. Any failure
    after the output folder may exist removes it, so a failed run leaves
    nothing half-written and never blocks the next one."""
    args, sc = prepared.args, spark.sparkContext
    output = HadoopPath(spark, args.output, "--output")
    report = HadoopPath(spark, args.report, "--report") if args.report else None
    if report is not None and report.inside(output):
        raise JobError(f"--report {args.report} is inside the output folder {args.output}, which is what "
                       "gets published; the private report must be kept elsewhere", 64)
    if output.exists():
        raise output_exists(args.output)
    threads = [] if "--threads" in prepared.values else ["--threads", sc.getConf().get("spark.task.cpus", "1")]
    for module in (dptext_task, dptext_order, sys.modules[__name__]):
        sc.addPyFile(os.path.abspath(module.__file__))
    sc.addPyFile(package_zip(prepared.scratch))
    for name in (prepared.binary, prepared.store, prepared.archive):
        sc.addFile(name)
    timings, clock = {}, time.monotonic()

    def lap(stage):
        nonlocal clock
        timings[stage] = round(time.monotonic() - clock, 2)
        clock = time.monotonic()

    writing = False
    try:
        rows, schema = scan(spark, args)
        field_index, key_index = check_columns(schema, args.field, args.key_field) if schema else (-1, -1)
        bases = count_and_check_keys(rows, field_index, args.key_field, key_index)
        lap("count and key check" if args.key_field else "count")

        partitions = args.partitions or sc.defaultParallelism
        config = dptext_task.TaskConfig(
            binary=os.path.basename(prepared.binary), store=os.path.basename(prepared.store),
            caches=os.path.basename(prepared.archive), caches_sha256=prepared.archive_sha256, cache_key=prepared.key,
            options=without(args.options, {"--embeddings", "--cache-dir"}) + threads, field=args.field,
            key_field=args.key_field, parquet=schema is not None, field_index=field_index, key_index=key_index,
            fail_once=os.environ.get("DPTEXT_SPARK_FAIL_ONCE"))
        placed = rows.mapPartitions(
            lambda part: dptext_order.place(part, bases.bases, partitions, bases.bytes, field_index))
        split = placed.repartitionAndSortWithinPartitions(partitions, partitionFunc=lambda key: key[0])
        accumulator = sc.accumulator([], dptext_task.ReportList())
        records = split.mapPartitionsWithIndex(
            functools.partial(dptext_task.privatize_partition, config=config, reports=accumulator))
        writing = True
        write_output(spark, records, schema, str(output))
        lap("privatize and write")
        reports = sorted(accumulator.value)
        if len(reports) != partitions:
            raise JobError(f"{len(reports)} partition reports for {partitions} partitions; this is a bug in the "
                           "job, please report it", 70)
        reports = [locate_in_input(entry, args.input) for entry in reports]
        merge_reports(prepared.binary, reports, output.child(REPORT_NAME), report, prepared.scratch)
        lap("reports")
        return {"records": bases.records, "partitions": partitions, "output": args.output,
                "report": f"{args.output.rstrip('/')}/{REPORT_NAME}", "timings": timings,
                "warnings": [f"partition {entry[0]}: {entry[3]}" for entry in reports if entry[3]]}
    except BaseException as error:
        if writing:
            output.remove()
        if isinstance(error, JobError) or not isinstance(error, Exception):
            raise
        text = str(error)
        failure = dptext_failure(text) or infrastructure_failure(text, os.environ.get("PYSPARK_PYTHON", "python3"))
        if failure is None:
            raise
        raise failure from None


def write_output(spark, records, schema, output):
    """Spark's folder layout: part files in partition order and _SUCCESS."""
    from pyspark.sql import functions as F
    if schema is None:  # JSONL: raw bytes out, cast to string without decoding
        frame = spark.createDataFrame(records.map(lambda line: (line,)), "value binary")
        frame.select(F.col("value").cast("string")).write.option("lineSep", "\n").text(output)
    else:
        spark.createDataFrame(records, schema, verifySchema=False).write.parquet(output)


def locate_in_input(report, input_path):
    """A partition's (partition, first, private, public, warnings) as
    (partition, private, public, warnings), its partition-relative places
    (<stdin>:LINE, the private report's skipped records) given as positions in
    the whole input, 1-based in input order."""
    partition, first, private, public, warnings = report
    private = json.loads(private)
    for skipped in private.get("counts", {}).get("skipped", []):
        if skipped.get("path") == "<stdin>" and isinstance(skipped.get("line"), int):
            skipped.update(path=input_path, line=first + skipped["line"])
    return partition, json.dumps(private, ensure_ascii=False, indent=2), public, dptext_task.locate(warnings, first)


def merge_reports(binary, reports, public, private, scratch):
    """Merges the partitions' reports: public into the output, private to --report."""
    for kind, position, destination in (("public", 2, public), ("private", 1, private)):
        if destination is None:
            continue
        parts = []
        for report in reports:
            parts.append(os.path.join(scratch, f"{kind}-{report[0]:05d}.json"))
            with open(parts[-1], "w") as handle:
                handle.write(report[position])
        merged = os.path.join(scratch, f"{kind}-merged.json")
        done = subprocess.run([binary, "report", "merge", *parts, "-o", merged], stderr=subprocess.PIPE)
        if done.returncode != 0:
            raise JobError(f"dptext report merge failed (status {done.returncode}): "
                           f"{dptext_task.error_line(done.stderr.decode('utf-8', 'replace'))}", done.returncode)
        destination.put(merged)


def make_session(master=None, conf=(), executor_python=None):
    """A SparkSession for the job. The master is --master, else spark-submit's,
    else local[*]. Executors run --executor-python, else $PYSPARK_PYTHON, else
    `python3` from the workers' PATH (never this driver's venv, which other
    machines do not have); in local mode the executors are this machine, so
    this interpreter. Local mode binds to loopback unless SPARK_LOCAL_IP says
    otherwise. Spark logs only errors, and not the task failures the job
    reports itself, unless --conf spark.log.level says otherwise: a retried
    task is not news, and the job's own error line is."""
    from pyspark import SparkConf, SparkContext
    from pyspark.sql import SparkSession
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # under spark-submit: its JVM holds its settings
    if not submitted and (master or "local").startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    SparkContext._ensure_initialized()
    settings = SparkConf()  # spark-submit's settings, when there are any
    if master:
        settings.setMaster(master)
    elif not settings.contains("spark.master"):
        settings.setMaster("local[*]")
    local = settings.get("spark.master").startswith("local")
    os.environ["PYSPARK_PYTHON"] = (executor_python or os.environ.get("PYSPARK_PYTHON")
                                    or (sys.executable if local else "python3"))
    settings.setIfMissing("spark.app.name", "dptext-privatize")
    settings.set("spark.ui.showConsoleProgress", "false")
    quiet = not settings.contains("spark.log.level") and all(key != "spark.log.level" for key, _ in conf)
    settings.setIfMissing("spark.log.level", "ERROR")
    for key, value in conf:
        settings.set(key, value)
    spark = SparkSession.builder.config(conf=settings).getOrCreate()
    if quiet:  # these repeat, with a trace each, a task failure that the job reports in one line
        jvm = spark.sparkContext._jvm
        for name in ("org.apache.spark.util.Utils", "org.apache.spark.executor.Executor",
                     "org.apache.spark.scheduler.TaskSetManager",
                     "org.apache.spark.sql.execution.datasources.FileFormatWriter"):
            jvm.org.apache.logging.log4j.core.config.Configurator.setLevel(name, jvm.org.apache.logging.log4j.Level.OFF)
    return spark


def main(argv=None, spark=None):
    """Command-line entry: returns the exit status (0, or dptext's / the job's).
    Options and the mechanism's set-up are checked before Spark starts."""
    argv = sys.argv[1:] if argv is None else argv
    own_session, prepared, failure = spark is None, None, None
    try:
        args = parse_args(argv)
        prepared = Prepared(args)
        if own_session:
            started = time.monotonic()
            spark = make_session(args.master, args.conf, args.executor_python)
            session_seconds = time.monotonic() - started
        summary = execute(spark, prepared)
    except JobError as error:
        failure = error
    finally:
        if prepared is not None:
            prepared.close()
        if own_session and spark is not None:
            spark.stop()  # before printing, so that the message is the last line
    if failure is not None:
        print(f"spark-privatize: error: {failure}", file=sys.stderr)
        return failure.status
    for warning in summary["warnings"]:
        print(f"spark-privatize: {warning}", file=sys.stderr)
    print(f"spark-privatize: {summary['records']} records in {summary['partitions']} partitions written to "
          f"{summary['output']}; public report {summary['report']}", file=sys.stderr)
    if os.environ.get("DPTEXT_SPARK_TIMINGS"):
        stages = {"session": round(session_seconds, 2)} if own_session else {}
        print(f"spark-privatize: seconds per stage {json.dumps({**stages, **summary['timings']})}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    import dptext_spark  # run as a module, so tasks pickle its functions by reference
    sys.exit(dptext_spark.main())
