"""SUMMARY.md's equal-ASR table and answer, from a tiny evaluation folder."""
import contextlib
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import summarize_evaluation  # noqa: E402

HEADER = ("mechanism,epsilon,prior,asr,asr_low,asr_high,unchanged,asr_plugin,method,draws,words,"
          "prior_mass,shadow_recovery,shadow_low,shadow_high,shadow_unchanged,shadow_tokens,seed,status")


def folder_with(tmp_path, lap_hi, rs_hi):
    """laplace and laplace+rank-softmax:c=0.1 at ε 4 and 8 (ASR 0.1 → 0.5 for both),
    three seeds whose accuracies differ by ±0.01 around the given values at ε 8."""
    (tmp_path / "attack.csv").write_text("\n".join([HEADER] + [
        f"{m},{e},uniform,{a},,,{a},,split-sample,100,500,0.01,{a},{a},{a},{a},99,1,ok"
        for m in ("laplace", "laplace+rank-softmax:c=0.1") for e, a in ((4, 0.1), (8, 0.5))]) + "\n")
    lines = ["dataset,mechanism,epsilon,accuracy,baseline_accuracy,changed_fraction,train_docs,"
             "test_docs,seconds,status,note,seed"]
    for seed, d in (("1", -0.01), ("2", 0.0), ("3", 0.01)):
        lines.append(f"polarity,none,,0.75,0.75,0,100,1000,1,baseline,,{seed}")
        for m, hi in (("laplace", lap_hi), ("laplace+rank-softmax:c=0.1", rs_hi)):
            lines.append(f"polarity,{m},4,{0.5 + d},0.75,0.9,100,1000,1,ok,,{seed}")
            lines.append(f"polarity,{m},8,{hi + d},0.75,0.3,100,1000,1,ok,,{seed}")
    (tmp_path / "utility.csv").write_text("\n".join(lines) + "\n")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        summarize_evaluation.print_equal_asr(tmp_path)
    return out.getvalue()


def test_equal_asr_table_is_interpolated_per_seed(tmp_path):
    text = folder_with(tmp_path, lap_hi=0.70, rs_hi=0.80)
    # ASR 0.3 is halfway from ε 4 to ε 8: laplace (0.5 + 0.7)/2 = 60 %, the other 65 %,
    # each seed shifted by ±1 point, so sd 1.0
    assert "| 0.3 | 60.0 ± 1.0 % | 65.0 ± 1.0 % |" in text
    assert "| 0.5 | 70.0 ± 1.0 % | 80.0 ± 1.0 % |" in text
    assert "| 0.6 |" not in text  # beyond both grids: no row
    assert "better than laplace beyond seed noise: laplace+rank-softmax:c=0.1" in text


def test_equal_asr_answer_follows_the_numbers(tmp_path):
    text = folder_with(tmp_path, lap_hi=0.80, rs_hi=0.70)
    assert "worse than laplace beyond seed noise: laplace+rank-softmax:c=0.1" in text
    assert "better than laplace" not in text
    text = folder_with(tmp_path, lap_hi=0.70, rs_hi=0.70)
    assert "within seed noise of laplace at every level: laplace+rank-softmax:c=0.1" in text


def test_headline_counts_the_comparisons(tmp_path):
    text = folder_with(tmp_path, lap_hi=0.70, rs_hi=0.80)
    # two attacks (uniform ASR, shadow: the same curve here) × levels 0.1–0.5: equal at 0.1,
    # above at the four others
    assert ("**In one sentence:** At equal attack success, laplace+rank-softmax:c=0.1 beats laplace "
            "beyond seed noise at 8 of 10 comparisons; none falls below it beyond noise") in text
    text = folder_with(tmp_path, lap_hi=0.70, rs_hi=0.70)
    assert "no mechanism beats laplace beyond seed noise at any of the 10 comparisons" in text
