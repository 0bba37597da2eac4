"""Privatize a corpus with dptext on Spark, one dptext process per partition.

    Tools/spark-privatize.sh [--master URL] [--partitions N] --input PATH --output DIR
        [--format jsonl|parquet] [--field text] [--key-field id] [--report PATH]
        [--dptext BINARY] [--checkpoint-dir DIR] -- [dptext privatize options]

(the shell script sets up Java and PySpark and runs main() below). Why it is
built this way:

* Order: records are numbered in input order (files by path, lines or rows in
  file order), split into exactly N ranges of consecutive records and sorted
  within each, so part-00000, part-00001, ... concatenated are the input's
  order.
* Exact bytes: JSONL is read as raw line bytes and each line goes to dptext as
  it is, so every byte outside the text field survives. Parquet rows send only
  {key, text} to dptext and get the new text spliced back, so every other
  column keeps its value and type.
* Noise: a seeded run must be keyed (--key-field): without a key each
  partition's dptext would derive the same streams from the same line numbers.
  Keys are checked unique over the whole input here; dptext checks each
  partition again.
* One computation: the per-partition results are persisted and checkpointed
  before the output and the reports are read from them, so no partition is
  computed twice with different noise.
* Set-up once, caches trusted: the driver exports the cache files the
  mechanism needs (`dptext cache export`, from the driver's own signed cache,
  building what is missing) into a fresh folder signed with a key made for
  this job, checks the options with a set-up run on empty input, and ships
  the binary, the store and the caches as one tar (SparkContext.addFile).
  Each task checks the tar's SHA-256 — passed from the driver in the task's
  closure, with the job's key — before it unpacks it into a private folder,
  so no executor uses a cache that the driver did not write, and none builds one.
* Reports: every partition writes a private and a public report; the driver
  merges them with `dptext report merge` into DIR/dptext-report.json (public,
  published with DIR) and, with --report, the private one outside DIR.
"""

import argparse
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import uuid
from io import BytesIO

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dptext_task  # noqa: E402  (beside this file; shipped to executors too)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
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


class JobError(Exception):
    """A failure to print as one line; status is the process exit status."""

    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status


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
              "       [--field text] [--key-field id] [--report PATH] [--dptext BINARY] [--checkpoint-dir DIR]\n"
              "       -- [dptext privatize options, e.g. --epsilon 10 --seed 7]",
        epilog=f"Writes DIR in Spark's layout (part files in input order, _SUCCESS) and DIR/{REPORT_NAME}, "
               "the merged public report. Test only: DPTEXT_SPARK_FAIL_ONCE=<partition>:<marker file> kills that "
               "partition's dptext once (see dptext_task.fail_once_target).")
    parser.add_argument("--master", metavar="URL", default="local[*]", help="Spark master (default local[*])")
    parser.add_argument("--partitions", metavar="N", type=int, help="partitions, one dptext process each "
                        "(default: Spark's default parallelism)")
    parser.add_argument("--input", metavar="PATH", required=True, help="input file, folder or glob")
    parser.add_argument("--output", metavar="DIR", required=True, help="output folder (must not exist)")
    parser.add_argument("--format", choices=["jsonl", "parquet"], default="jsonl", help="default jsonl")
    parser.add_argument("--field", metavar="NAME", default="text", help="the text field or column (default text)")
    parser.add_argument("--key-field", metavar="NAME", help="a unique string or integer field or column of "
                        "every record; required with --seed")
    parser.add_argument("--report", metavar="PATH", help="the merged PRIVATE report (outside DIR)")
    parser.add_argument("--dptext", metavar="BINARY",
                        help=f"dptext binary (default $DPTEXT_BINARY, else {DEFAULT_BINARY})")
    parser.add_argument("--checkpoint-dir", metavar="DIR", help="reliable checkpoint folder that every executor "
                        "and the driver reach (e.g. on HDFS); default: a local checkpoint on the executors")
    args = parser.parse_args(argv[:split])
    args.options = argv[split + 1:]
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


def find_binary(explicit):
    """--dptext, else $DPTEXT_BINARY, else the checkout's release build."""
    path = explicit or os.environ.get("DPTEXT_BINARY") or DEFAULT_BINARY
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise JobError(f"dptext binary {path} not found or not executable; build it "
                       "(swift build -c release) or pass --dptext BINARY / set DPTEXT_BINARY", 66)
    return os.path.abspath(path)


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


def is_local(path):
    return "://" not in path and not path.startswith("file:")


def hadoop_path(spark, path):
    jvm = spark.sparkContext._jvm
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    return hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), hpath


def output_exists(spark, path):
    if is_local(path):
        return os.path.exists(path)
    fs, hpath = hadoop_path(spark, path)
    return fs.exists(hpath)


def put_file(spark, local, destination):
    """Copies a driver-local file to a local or Hadoop path."""
    if is_local(destination):
        shutil.copyfile(local, destination)
    else:
        fs, hpath = hadoop_path(spark, destination)
        fs.copyFromLocalFile(False, True, spark.sparkContext._jvm.org.apache.hadoop.fs.Path(local), hpath)


def read_ordered(spark, args):
    """(items, schema): the input's records in input order, as an RDD of raw
    JSONL line bytes or of Parquet row tuples. Order is files by path, then
    rows within each file (block start, then position within the block)."""
    from pyspark.sql import functions as F
    reader = spark.read
    try:
        frame = (reader.option("lineSep", "\n").text(args.input) if args.format == "jsonl"
                 else reader.parquet(args.input))
    except Exception as error:  # AnalysisException; its message names the path
        if "PATH_NOT_FOUND" in str(error) or "does not exist" in str(error):
            raise JobError(f"input {args.input} not found", 66) from None
        raise
    columns = [F.col(f"`{name}`") for name in frame.columns]
    order = [F.col("_metadata.file_path").alias("_dptext_file"),
             F.col("_metadata.file_block_start").alias("_dptext_block"),
             F.monotonically_increasing_id().alias("_dptext_position")]
    ordered = frame.select(*columns, *order).orderBy("_dptext_file", "_dptext_block", "_dptext_position")
    if args.format == "jsonl":  # cast to binary: the line's bytes as read, no UTF-8 decoding
        return ordered.select(F.col("value").cast("binary")).rdd.map(lambda row: bytes(row[0])), None
    return ordered.select(*columns).rdd.map(tuple), frame.schema


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


def typed_key(value):
    """A key as dptext compares it ("1" and 1 differ), or None when it is no
    valid key (missing, null, float, bool, ...): dptext reports those itself."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return ("i", value)
    if isinstance(value, str):
        return ("s", value)
    return None


def line_key(line, key_field):
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return typed_key(record.get(key_field)) if isinstance(record, dict) else None


def check_unique_keys(indexed, key_field, key_index):
    """Fails naming the first duplicated key (by position) and both records."""
    def keyed(pair):
        index, item = pair
        key = typed_key(item[key_index]) if key_index >= 0 else line_key(item, key_field)
        return [] if key is None else [(key, (1, index, None))]

    def merge(a, b):
        first, second = sorted(i for i in (a[1], a[2], b[1], b[2]) if i is not None)[:2]
        return (a[0] + b[0], first, second)

    duplicated = indexed.flatMap(keyed).reduceByKey(merge).filter(lambda kv: kv[1][0] > 1)
    first = duplicated.takeOrdered(1, key=lambda kv: kv[1][1])
    if first:
        (kind, value), (count, one, two) = first[0]
        more = duplicated.count() - 1
        shown = json.dumps(value, ensure_ascii=False)
        raise JobError(f"record key {shown} (--key-field {key_field}) is used by {count} records, first by "
                       f"input records {one + 1} and {two + 1}" + (f"; {more} more keys are duplicated" if more else "")
                       + ". Two records with one key would share their noise: give every record its own key.", 65)


def balanced_split(indexed, partitions, field_index):
    """((partition, index), item) for every (index, item): consecutive records
    go to the same partition, each partition gets about 1/N of the input's
    bytes (so that the processes finish together even when record sizes vary),
    and partition order is input order."""
    def weight(item):  # a JSONL line's bytes, or a Parquet row's text
        return 1 + (len(item) if field_index < 0 else len(item[field_index] or ""))

    sizes = indexed.mapPartitions(lambda pairs: [sum(weight(item) for _, item in pairs)]).collect()
    bases = [sum(sizes[:number]) for number in range(len(sizes))]
    total = max(sum(sizes), 1)

    def assign(number, pairs):
        before = bases[number]
        for index, item in pairs:
            yield (min(partitions - 1, before * partitions // total), index), item
            before += weight(item)

    return indexed.mapPartitionsWithIndex(assign)


def dptext_failure(error):
    """The DPTextFailed message inside a Spark job failure, if there is one."""
    found = re.findall(r"DPTextFailed: (.*?) \[exit status (-?\d+)\]", str(error))
    if not found:
        return None
    message, status = found[-1]
    status = int(status)
    return JobError(message, 128 - status if status < 0 else status)


class Prepared:
    """What the driver settles before Spark runs anything: checked options, the
    binary, a scratch folder with the built caches and the store's path."""

    def __init__(self, args):
        self.args = args
        self.values = scan_options(args.options)
        if "--seed" in self.values and not args.key_field:
            raise JobError("a seeded run (--seed) needs --key-field: without record keys every partition's dptext "
                           "would derive its noise from the same line numbers and reuse it across partitions. "
                           "Pass --key-field FIELD naming a unique string or integer field of every record.", 64)
        if args.key_field is not None and args.key_field == args.field:
            raise JobError("--key-field must differ from --field", 64)
        if is_local(args.output) and os.path.exists(args.output):
            raise JobError(f"output folder {args.output} exists; choose a new one (Spark writes it whole)", 73)
        if args.report and is_local(args.output):
            report, output = os.path.realpath(args.report), os.path.realpath(args.output)
            if report == output or report.startswith(output + os.sep):
                raise JobError(f"--report {args.report} is inside the output folder {args.output}, which is what "
                               "gets published; the private report must be kept elsewhere", 64)
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


def run(spark, args):
    """The whole job on an existing SparkSession; returns a summary dict."""
    prepared = Prepared(args)
    try:
        return execute(spark, prepared)
    finally:
        prepared.close()


def execute(spark, prepared):
    """Ships what the executors need, runs one dptext per partition, writes the
    output and the merged reports."""
    from pyspark import StorageLevel
    args, sc = prepared.args, spark.sparkContext
    if not is_local(args.output) and output_exists(spark, args.output):
        raise JobError(f"output folder {args.output} exists; choose a new one (Spark writes it whole)", 73)
    threads = [] if "--threads" in prepared.values else ["--threads", sc.getConf().get("spark.task.cpus", "1")]
    sc.addPyFile(dptext_task.__file__)
    sc.addPyFile(os.path.abspath(__file__))
    sc.addFile(prepared.binary)
    sc.addFile(prepared.store)
    sc.addFile(prepared.archive)
    indexed = results = None
    try:
        items, schema = read_ordered(spark, args)
        field_index, key_index = check_columns(schema, args.field, args.key_field) if schema else (-1, -1)
        indexed = items.zipWithIndex().map(lambda pair: (pair[1], pair[0])).persist(StorageLevel.MEMORY_AND_DISK)
        total = indexed.count()
        if args.key_field:
            check_unique_keys(indexed, args.key_field, key_index)

        partitions = args.partitions or sc.defaultParallelism
        config = dptext_task.TaskConfig(
            binary=os.path.basename(prepared.binary), store=os.path.basename(prepared.store),
            caches=os.path.basename(prepared.archive), caches_sha256=prepared.archive_sha256, cache_key=prepared.key,
            options=without(args.options, {"--embeddings", "--cache-dir"}) + threads, field=args.field,
            key_field=args.key_field, parquet=schema is not None, field_index=field_index, key_index=key_index,
            fail_once=os.environ.get("DPTEXT_SPARK_FAIL_ONCE"))
        split = balanced_split(indexed, partitions, field_index).repartitionAndSortWithinPartitions(
            partitions, partitionFunc=lambda key: key[0])
        results = split.mapPartitionsWithIndex(functools.partial(dptext_task.privatize_partition, config=config))
        results.persist(StorageLevel.MEMORY_AND_DISK)
        if args.checkpoint_dir:
            sc.setCheckpointDir(args.checkpoint_dir)
            results.checkpoint()
        else:
            results.localCheckpoint()
        results.count()  # the one computation: dptext runs here, once per partition (plus retries)

        records = results.filter(lambda item: item[0] == "rec").map(lambda item: item[2])
        write_output(spark, records, schema, args.output)
        reports = sorted(results.filter(lambda item: item[0] == "report").map(lambda item: item[1:]).collect())
        reports = [locate_in_input(report, args.input) for report in reports]
        merge_reports(spark, prepared.binary, reports, args, prepared.scratch)
        return {"records": total, "partitions": partitions, "output": args.output,
                "report": os.path.join(args.output, REPORT_NAME),
                "warnings": [f"partition {report[0]}: {report[3]}" for report in reports if report[3]]}
    except JobError:
        raise
    except Exception as error:
        failure = dptext_failure(error)
        if failure is None:
            raise
        raise failure from None
    finally:
        if indexed is not None:
            indexed.unpersist()
        if results is not None and args.checkpoint_dir:
            results.unpersist()  # a local checkpoint's blocks are its only copy: they go with the session


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


def merge_reports(spark, binary, reports, args, scratch):
    """Merges the partitions' reports: public into the output, private to --report."""
    for kind, position, destination in (("public", 2, os.path.join(args.output, REPORT_NAME)),
                                        ("private", 1, args.report)):
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
        put_file(spark, merged, destination)


def make_session(master):
    """A SparkSession for the job; executors' Python is this interpreter unless
    PYSPARK_PYTHON says otherwise, and local mode binds to loopback unless
    SPARK_LOCAL_IP says otherwise."""
    from pyspark.sql import SparkSession
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # local mode: stay on loopback
    return (SparkSession.builder.master(master).appName("dptext-privatize")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.log.level", "WARN")
            .getOrCreate())


def main(argv=None, spark=None):
    """Command-line entry: returns the exit status (0, or dptext's / the job's).
    Options and the mechanism's set-up are checked before Spark starts."""
    argv = sys.argv[1:] if argv is None else argv
    own_session, prepared, failure = spark is None, None, None
    try:
        args = parse_args(argv)
        prepared = Prepared(args)
        if own_session:
            spark = make_session(args.master)
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
    return 0


if __name__ == "__main__":
    import dptext_spark  # run as a module, so tasks pickle its functions by reference
    sys.exit(dptext_spark.main())
