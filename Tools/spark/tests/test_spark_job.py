"""The Spark job in local mode against one dptext process over the same input.

Expected outputs are never written down: each test computes them with one
`dptext privatize --record-key` run, which a keyed, seeded Spark run must
equal record for record whatever the partitioning."""

import json
import os
import re
import subprocess

import pytest

import dptext_spark
from spark_helpers import SEEDED, STORE, TOOLS, concatenated, corpus_records, one_process, part_files, write_jsonl

TEXT_FIELD = re.compile(rb'"text"\s*:\s*"(?:[^"\\]|\\.)*"')


def job(spark, binary, input_path, output, partitions, options=SEEDED, key="id", fmt="jsonl", report=None):
    argv = ["--partitions", str(partitions), "--input", str(input_path), "--output", str(output),
            "--format", fmt, "--dptext", binary]
    argv += ["--key-field", key] if key else []
    argv += ["--report", str(report)] if report else []
    return dptext_spark.run(spark, dptext_spark.parse_args(argv + ["--", *options]))


@pytest.fixture(scope="module")
def reference(binary, varied_jsonl, tmp_path_factory):
    return one_process(binary, varied_jsonl, tmp_path_factory.mktemp("reference"))


@pytest.fixture(scope="module")
def keyed_runs(spark, binary, varied_jsonl, tmp_path_factory):
    """The varied corpus through the job with 2 and 5 partitions; the 5-partition
    run names its output and private report as file:// URIs in a folder of
    their own (through Spark's file system, not the driver's local I/O)."""
    runs = {}
    for partitions in (2, 5):
        folder = tmp_path_factory.mktemp(f"keyed{partitions}")
        output, report = folder / "out", folder / "private.json"
        if partitions == 5:
            output, report = folder / "nested" / "out", folder / "secure" / "private.json"
            summary = job(spark, binary, varied_jsonl, f"file://{output}", partitions, report=f"file://{report}")
        else:
            summary = job(spark, binary, varied_jsonl, output, partitions, report=report)
        runs[partitions] = (str(output), str(report), summary)
    return runs


@pytest.mark.parametrize("partitions", [2, 5])
def test_keyed_seeded_output_equals_one_process(keyed_runs, reference, partitions):
    output, _, summary = keyed_runs[partitions]
    assert summary["partitions"] == partitions
    assert len(part_files(output, ".txt")) == partitions
    assert os.path.exists(os.path.join(output, "_SUCCESS"))
    assert concatenated(output) == reference[0]


@pytest.mark.parametrize("partitions", [2, 5])
def test_jsonl_keeps_count_order_and_every_other_byte(keyed_runs, varied_jsonl, partitions):
    with open(varied_jsonl, "rb") as handle:
        before = handle.read().split(b"\n")
    after = concatenated(keyed_runs[partitions][0]).split(b"\n")
    assert len(after) == len(before)
    changed = 0
    for old, new in zip(before, after):
        old_field, new_field = TEXT_FIELD.search(old), TEXT_FIELD.search(new)
        if old_field is None:  # blank lines
            assert new == old
            continue
        assert new[:new_field.start()] == old[:old_field.start()]
        assert new[new_field.end():] == old[old_field.end():]
        changed += new_field.group() != old_field.group()
    assert changed > len(before) // 2  # the text really was privatized


@pytest.mark.parametrize("partitions", [2, 5])
def test_merged_reports_match_part_files_and_one_process(keyed_runs, reference, binary, tmp_path, partitions):
    output, private_path, _ = keyed_runs[partitions]
    with open(os.path.join(output, "_dptext-report.json")) as handle:
        public = json.load(handle)
    data = concatenated(output)
    # Words as dptext counts them: the identity pass's public report over the part files.
    (tmp_path / "all.jsonl").write_bytes(data)
    one_process(binary, tmp_path / "all.jsonl", tmp_path, ["--mechanism", "identity", "--embeddings", STORE], key=None)
    with open(tmp_path / "one-public.json") as handle:
        words = json.load(handle)["output"]["words"]
    assert public["output"] == {"records": data.count(b"\n"), "bytes": len(data), "words": words}
    assert public == reference[2]
    with open(private_path) as handle:
        private = json.load(handle)
    assert private["counts"] == reference[1]["counts"]
    assert private["randomness"] == reference[1]["randomness"]


def test_parquet_keeps_rows_values_and_types(spark, binary, tmp_path):
    from datetime import datetime
    from decimal import Decimal
    from pyspark.sql import types as T
    schema = T.StructType([
        T.StructField("id", T.LongType()), T.StructField("text", T.StringType()),
        T.StructField("chapter", T.IntegerType()), T.StructField("score", T.DoubleType()),
        T.StructField("ok", T.BooleanType()), T.StructField("tags", T.ArrayType(T.StringType())),
        T.StructField("when", T.TimestampType()), T.StructField("price", T.DecimalType(10, 2)),
        T.StructField("blob", T.BinaryType()),
        T.StructField("meta", T.StructType([T.StructField("a", T.StringType()), T.StructField("b", T.IntegerType())])),
    ])
    rows = [(r["id"] * 7, r["text"], r["chapter"], None if r["id"] % 4 == 0 else r["id"] / 3, r["id"] % 2 == 0,
             ["é", str(r["paragraph"])], datetime(1817, 12, 20, 10, r["id"] % 60), Decimal(r["id"]) / 4,
             bytes([r["id"] % 256, 0, 255]), (f"m{r['id']}", r["paragraph"])) for r in corpus_records(120)]
    source = tmp_path / "input.parquet"
    spark.createDataFrame(spark.sparkContext.parallelize(rows, 3), schema).write.parquet(str(source))
    job(spark, binary, source, tmp_path / "out", 2, fmt="parquet")

    import pyarrow.parquet as pq
    files = part_files(tmp_path / "out", ".parquet")
    assert len(files) == 2
    assert spark.read.parquet(str(tmp_path / "out")).schema == spark.read.parquet(str(source)).schema
    inputs = [row for path in part_files(source, ".parquet") for row in pq.read_table(path).to_pylist()]
    outputs = [row for path in files for row in pq.read_table(path).to_pylist()]
    assert [row["id"] for row in outputs] == [row[0] for row in rows]
    for old, new in zip(inputs, outputs):
        assert {k: v for k, v in new.items() if k != "text"} == {k: v for k, v in old.items() if k != "text"}
    lines = write_jsonl(tmp_path / "keyed.jsonl", [{"id": row[0], "text": row[1]} for row in rows])
    expected = [json.loads(line)["text"] for line in one_process(binary, lines, tmp_path)[0].splitlines()]
    assert [row["text"] for row in outputs] == expected
    assert sum(new["text"] != old["text"] for old, new in zip(inputs, outputs)) > len(rows) // 2


def test_task_killed_mid_partition_is_retried(spark, binary, tmp_path, monkeypatch):
    source = write_jsonl(tmp_path / "in.jsonl", corpus_records(90))
    marker = tmp_path / "killed-once"
    monkeypatch.setenv("DPTEXT_SPARK_FAIL_ONCE", f"1:{marker}")
    context = spark.sparkContext
    context.setJobGroup("kill-once", "failure injection")
    try:
        job(spark, binary, source, tmp_path / "out", 3)
    finally:
        context.setLocalProperty("spark.jobGroup.id", None)
    assert marker.exists()
    tracker = context.statusTracker()
    stages = [stage for job_id in tracker.getJobIdsForGroup("kill-once")
              for stage in tracker.getJobInfo(job_id).stageIds]
    failed = sum(info.numFailedTasks for info in map(tracker.getStageInfo, stages) if info is not None)
    assert failed == 1
    assert concatenated(tmp_path / "out") == one_process(binary, source, tmp_path)[0]


def test_outputs_that_exist_or_no_file_system_reaches_are_refused(spark, binary, tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", corpus_records(5))
    (tmp_path / "out").mkdir()
    for output in (tmp_path / "out", f"file://{tmp_path}/out"):
        with pytest.raises(dptext_spark.JobError, match="exists; choose a new --output") as refused:
            job(spark, binary, source, output, 2)
        assert refused.value.status == 73
    for output in ("s3a://bucket/private/out", "nosuch://host/out"):
        with pytest.raises(dptext_spark.JobError, match=r"^--output \S+: Spark has no file system for it") as refused:
            job(spark, binary, source, output, 2)
        assert refused.value.status == 64 and "\n" not in str(refused.value)
    with pytest.raises(dptext_spark.JobError, match="must be a file on the driver") as refused:
        job(spark, binary, source, tmp_path / "o", 2, options=["--epsilon", "10", "--embeddings", "hdfs:///x.h5"])


def test_spark_settings_are_parsed_and_checked():
    args = dptext_spark.parse_args(["--input", "a", "--output", "b", "--conf", "spark.executor.memory=4g",
                                    "--conf", "spark.x=a=b", "--executor-python", "/opt/py/bin/python3"])
    assert args.conf == [("spark.executor.memory", "4g"), ("spark.x", "a=b")]
    assert args.executor_python == "/opt/py/bin/python3" and args.master is None
    with pytest.raises(dptext_spark.JobError, match="expected KEY=VALUE") as refused:
        dptext_spark.parse_args(["--input", "a", "--output", "b", "--conf", "spark.executor.memory"])
    assert refused.value.status == 64


def test_seeded_run_without_key_is_refused(spark, binary, tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", corpus_records(5))
    with pytest.raises(dptext_spark.JobError, match="--key-field") as refused:
        job(spark, binary, source, tmp_path / "out", 2, key=None)
    assert refused.value.status == 64
    assert not (tmp_path / "out").exists()


def test_dptext_error_fails_the_job_with_its_message(spark, binary, tmp_path):
    records = corpus_records(60)
    records[44] = {"id": records[44]["id"], "body": "no text field here"}  # input record 45
    source = write_jsonl(tmp_path / "in.jsonl", records)
    with pytest.raises(dptext_spark.JobError) as failed:
        job(spark, binary, source, tmp_path / "out", 2)
    assert failed.value.status == 65
    found = re.search(r'on partition 1 \(from input record (\d+)\): dptext: error: <stdin>:(\d+): the record has no '
                      r'top-level field "text".* \(<stdin>:(\d+) is input record 45\)$', str(failed.value))
    assert found, str(failed.value)
    first, line, again = map(int, found.groups())
    assert line == again == 45 - first + 1
    assert not (tmp_path / "out").exists()


def test_skipped_records_are_located_in_the_whole_input(spark, binary, tmp_path):
    """Also the unseeded, keyless run: no key is needed without --seed."""
    records = corpus_records(60)
    records[44] = {"id": records[44]["id"], "body": "no text field here"}  # input record 45, partition 1
    source = write_jsonl(tmp_path / "in.jsonl", records)
    options = ["--epsilon", "10", "--embeddings", STORE, "--on-error", "skip", "--max-unprotected-fraction", "1"]
    summary = job(spark, binary, source, tmp_path / "out", 2, options=options, key=None,
                  report=tmp_path / "private.json")
    assert summary["records"] == 60
    with open(tmp_path / "private.json") as handle:
        skipped = json.load(handle)["counts"]["skipped"]
    assert [(entry["path"], entry["line"]) for entry in skipped] == [(source, 45)]
    assert any(warning.startswith("partition 1:") and "input record 45" in warning for warning in summary["warnings"])
    assert concatenated(tmp_path / "out").split(b"\n")[44] == json.dumps(records[44]).encode()


def test_duplicate_keys_across_partitions_are_refused(spark, binary, tmp_path):
    records = corpus_records(60)
    records[49]["id"] = records[2]["id"]  # records 3 and 50: in different partitions
    source = write_jsonl(tmp_path / "in.jsonl", records)
    with pytest.raises(dptext_spark.JobError, match="record key 3 .* input records 3 and 50") as refused:
        job(spark, binary, source, tmp_path / "out", 2)
    assert refused.value.status == 65


def test_private_report_inside_output_is_refused(spark, binary, tmp_path):
    source = write_jsonl(tmp_path / "in.jsonl", corpus_records(5))
    with pytest.raises(dptext_spark.JobError, match="private report") as refused:
        job(spark, binary, source, tmp_path / "out", 2, report=tmp_path / "out" / "private.json")
    assert refused.value.status == 64


def test_caches_are_built_once_on_the_driver(spark, binary, tmp_path):
    """truncated-gumbel needs a neighbour table and the vocabulary's extent: the
    driver builds them into its own --cache-dir and exports them for the job,
    executors get the shipped copy (a task fails if its dptext writes a cache
    file), and the output equals a local run that uses the same caches."""
    caches = tmp_path / "caches"
    options = ["--mechanism", "truncated-gumbel", "--epsilon", "80", "--seed", "5", "--embeddings", STORE,
               "--vocab-limit", "8000", "--cache-dir", str(caches), "--allow-unverified"]
    source = write_jsonl(tmp_path / "in.jsonl", corpus_records(40))
    job(spark, binary, source, tmp_path / "out", 2, options=options)
    built = sorted(os.listdir(caches))
    assert any(name.startswith("neighbor-table-") for name in built)
    assert any(name.startswith("vocabulary-extent-") for name in built)
    assert concatenated(tmp_path / "out") == one_process(binary, source, tmp_path, options)[0]
    assert sorted(os.listdir(caches)) == built


def test_the_script_refuses_a_bad_command_line_before_spark_starts(binary, tmp_path):
    """Tools/spark-privatize.sh itself (its own venv); a successful run of the
    script is the standalone-cluster test's (test_cluster.py)."""
    script = os.path.join(TOOLS, "spark-privatize.sh")
    source = write_jsonl(tmp_path / "in.jsonl", corpus_records(5))
    done = subprocess.run([script, "--input", source, "--output", str(tmp_path / "out"), "--", *SEEDED],
                          capture_output=True, text=True, env=dict(os.environ, DPTEXT_BINARY=binary), timeout=900)
    assert done.returncode == 64 and "needs --key-field" in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("spark-privatize: error: a seeded run")
    assert not (tmp_path / "out").exists()


def test_a_changed_cache_archive_is_refused_by_the_task(tmp_path):
    """The archive's SHA-256 comes from the driver with the task; an archive
    changed on its way (a shared staging folder, a cluster's file server) is
    never unpacked, let alone used."""
    import tarfile
    import dptext_task
    caches = tmp_path / "caches"
    caches.mkdir()
    (caches / "neighbor-table-x.bin").write_bytes(b"signed payload")
    archive = tmp_path / "caches.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(caches / "neighbor-table-x.bin", arcname="neighbor-table-x.bin")
    with open(archive, "rb") as handle:
        digest = dptext_task.hashlib.file_digest(handle, "sha256").hexdigest()
    scratch = tmp_path / "task"
    scratch.mkdir()
    folder, key = dptext_task.unpack_caches(str(archive), digest, "07" * 32, str(scratch))
    assert os.listdir(folder) == ["neighbor-table-x.bin"]
    assert oct(os.stat(key).st_mode & 0o777) == "0o600" and open(key, "rb").read() == bytes([7] * 32)

    with open(archive, "r+b") as handle:  # one byte changed after the driver hashed it
        handle.seek(600)
        handle.write(b"X")
    other = tmp_path / "task2"
    other.mkdir()
    with pytest.raises(dptext_task.UntrustedCaches, match="not the one the driver made"):
        dptext_task.unpack_caches(str(archive), digest, "07" * 32, str(other))
    assert os.listdir(other) == []


def test_an_unverified_mechanism_needs_allow_unverified(spark, binary, tmp_path):
    """Refused by the driver's set-up, before Spark runs anything; with the flag
    the mechanism runs (test_caches_are_built_once_on_the_driver)."""
    source = write_jsonl(tmp_path / "in.jsonl", corpus_records(10))
    options = ["--mechanism", "truncated-gumbel", "--epsilon", "80", "--embeddings", STORE]
    with pytest.raises(dptext_spark.JobError, match="--allow-unverified") as refused:
        job(spark, binary, source, tmp_path / "out", 2, options=options, key=None)
    assert refused.value.status == 64
    assert not (tmp_path / "out").exists()


def test_cluster_failures_are_recognised_in_sparks_messages():
    """The messages the cluster test cannot cause cheaply, in Spark 4.1's words."""
    from dptext_cluster import infrastructure_failure
    mismatch = ("org.apache.spark.api.python.PythonException: [PYTHON_VERSION_MISMATCH] Python in worker has "
                "different version: 3.10 than that in driver: 3.11, PySpark cannot run with different minor versions.")
    failure = infrastructure_failure(mismatch, "python3")
    assert failure.status == 69 and "(workers 3.10, driver 3.11)" in str(failure)
    lost = ("Job aborted due to stage failure: Task 1 in stage 3.0 failed 4 times, most recent failure: Lost task "
            "1.3 in stage 3.0 (TID 9) (10.0.0.7 executor 3): ExecutorLostFailure (executor 3 exited caused by one "
            "of the running tasks) Reason: Command exited with code 137")
    failure = infrastructure_failure(lost, "python3")
    assert failure.status == 75 and "spark.task.maxFailures" in str(failure)
    assert infrastructure_failure("java.lang.OutOfMemoryError: Java heap space", "python3") is None
