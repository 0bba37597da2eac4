"""Throughput of the Spark job in local mode against one dptext process.

    Tools/.venv-spark/bin/python Tools/spark/measure_throughput.py [--records 24000]
        [--master local[2]] [--partitions 2] [--mechanisms laplace identity] [--repeat 1] [--dptext BINARY]

Builds a keyed JSONL corpus from the bundled texts (Pride and Prejudice lines
and Persuasion paragraphs, cycled to --records records, deterministic), then
for each mechanism times one `dptext privatize --record-key id` process over
it and the Spark job over it (seeded, ε = 10), checks that both outputs are
equal, and prints a Markdown table: records/s, tokens/s (tokens from the
private report) and the job's time relative to the single process. Spark's
session start-up is measured once and reported apart from the job times.
With --repeat R each run is timed R times and the fastest kept: on a shared
machine the minimum is the time least disturbed by other work.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dptext_spark  # noqa: E402

STORE = os.path.join(dptext_spark.REPO, "Embeddings", "glove-6B-50d-50k.h5")
CORPORA = os.path.join(dptext_spark.REPO, "Corpora")


def build_corpus(path, count):
    with open(os.path.join(CORPORA, "pride-and-prejudice.txt"), encoding="utf-8") as handle:
        texts = [line.strip() for line in handle if line.strip()]
    with open(os.path.join(CORPORA, "persuasion-paragraphs.jsonl"), encoding="utf-8") as handle:
        texts += [json.loads(line)["text"] for line in handle]
    with open(path, "w", encoding="utf-8") as handle:
        for number in range(count):
            handle.write(json.dumps({"id": number, "copy": number // len(texts), "text": texts[number % len(texts)]})
                         + "\n")


def concatenated(folder):
    data = b""
    for name in sorted(os.listdir(folder)):
        if name.startswith("part-"):
            with open(os.path.join(folder, name), "rb") as handle:
                data += handle.read()
    return data


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=24000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--partitions", type=int, default=2)
    parser.add_argument("--mechanisms", nargs="+", default=["laplace", "identity"])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--dptext")
    args = parser.parse_args()
    binary = dptext_spark.find_binary(args.dptext)
    work = tempfile.mkdtemp(prefix="dptext-measure-")
    corpus = os.path.join(work, "corpus.jsonl")
    build_corpus(corpus, args.records)

    load = os.getloadavg()[0]
    started = time.monotonic()
    spark = dptext_spark.make_session(args.master)
    spark.range(1).count()
    startup = time.monotonic() - started
    rows = []
    for mechanism in args.mechanisms:
        options = ["--mechanism", mechanism, "--epsilon", "10", "--seed", "7", "--embeddings", STORE]
        single_out, report = os.path.join(work, f"{mechanism}.jsonl"), os.path.join(work, f"{mechanism}.json")
        output = os.path.join(work, f"{mechanism}-spark")
        single = spark_seconds = float("inf")
        for _ in range(args.repeat):
            started = time.monotonic()
            subprocess.run([binary, "privatize", corpus, "-o", single_out, "--format", "jsonl", "--record-key", "id",
                            "--report", report, *options], check=True)
            single = min(single, time.monotonic() - started)
            shutil.rmtree(output, ignore_errors=True)
            job = ["--partitions", str(args.partitions), "--input", corpus, "--output", output, "--key-field", "id",
                   "--dptext", binary, "--", *options]
            started = time.monotonic()
            dptext_spark.run(spark, dptext_spark.parse_args(job))
            spark_seconds = min(spark_seconds, time.monotonic() - started)
        with open(report) as handle:
            tokens = json.load(handle)["counts"]["tokens"]
        with open(single_out, "rb") as handle:
            assert concatenated(output) == handle.read(), f"{mechanism}: Spark output differs from one process"
        for how, seconds in (("one dptext process", single), (f"Spark {args.master}, {args.partitions} partitions",
                                                               spark_seconds)):
            rows.append(f"| {mechanism} | {how} | {args.records:,} | {tokens:,} | {seconds:.1f} | "
                        f"{args.records / seconds:,.0f} | {tokens / seconds:,.0f} | {seconds / single:.2f}× |")
    spark.stop()
    print(f"Spark session start-up (not in the job times): {startup:.1f} s; 1-minute load average at the start: {load:.2f}")
    print("| mechanism | run | records | tokens | seconds | records/s | tokens/s | time vs one process |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
