"""Accuracy at equal privacy (Tools/study_frontier.py): small CSVs, values worked by hand."""
import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import study_frontier as sf  # noqa: E402

ATTACK_HEADER = ("mechanism,epsilon,prior,asr,asr_low,asr_high,unchanged,asr_plugin,method,draws,words,"
                 "prior_mass,shadow_recovery,shadow_low,shadow_high,shadow_unchanged,shadow_tokens,seed,status")


def write(path, text):
    path.write_text(text.strip() + "\n")
    return path


def test_attack_curves_split_priors_and_shadow(tmp_path):
    rows = sf.read_rows(write(tmp_path / "attack.csv", ATTACK_HEADER + """
laplace,8,uniform,0.4,,,0.3,,split-sample,100,500,0.01,0.25,,,,,1,ok
laplace,4,uniform,0.1,,,0.1,,split-sample,100,500,0.01,0.05,,,,,1,ok
laplace,4,zipf,0.2,,,0.1,,split-sample,100,500,0.6,,,,,,1,ok
laplace+rank-softmax:c=0.1,4,uniform,0.08,,,0.02,,split-sample,100,500,0.01,,,,,,1,ok
truncated-gumbel,10,uniform,,,,,,,,,,,,,,,1,refused
"""))
    curves = sf.attack_curves(rows)
    assert curves["asr:uniform"]["laplace"] == [(4.0, 0.1), (8.0, 0.4)]
    assert curves["asr:zipf"]["laplace"] == [(4.0, 0.2)]
    assert curves["shadow"]["laplace"] == [(4.0, 0.05), (8.0, 0.25)]
    # a label with '+' and ':' is a mechanism like any other; refused rows are dropped
    assert curves["asr:uniform"]["laplace+rank-softmax:c=0.1"] == [(4.0, 0.08)]
    assert "truncated-gumbel" not in curves["asr:uniform"]
    assert "laplace+rank-softmax:c=0.1" not in curves["shadow"]


def test_along_curve_interpolates_in_epsilon_order():
    # x = 0.1 at ε 4, 0.3 at ε 6, 0.7 at ε 8; target 0.5 lies halfway on the ε 6–8 segment
    pts = [(8, 0.7, 0.60), (4, 0.1, 0.80), (6, 0.3, 0.70)]
    assert sf.along_curve(pts, 0.5) == pytest.approx(0.65)
    assert sf.along_curve(pts, 0.2) == pytest.approx(0.75)
    assert sf.along_curve(pts, 0.1) == pytest.approx(0.80)
    assert sf.along_curve(pts, 0.9) is None  # beyond the grid: not extrapolated
    assert sf.along_curve(pts, 0.05) is None
    assert sf.along_curve([(1, 0.4, 0.9)], 0.4) == 0.9
    assert sf.along_curve([(1, 0.4, 0.9)], 0.5) is None


def test_along_curve_takes_the_first_crossing_of_a_noisy_curve():
    # x rises, dips, rises: target 0.35 is crossed first between ε 1 and 2
    pts = [(1, 0.2, 0.9), (2, 0.4, 0.7), (3, 0.3, 0.6), (4, 0.5, 0.5)]
    assert sf.along_curve(pts, 0.35) == pytest.approx(0.75)
    # a flat segment at the target averages its two accuracies
    assert sf.along_curve([(1, 0.3, 0.8), (2, 0.3, 0.6)], 0.3) == pytest.approx(0.7)


def test_mean_sd():
    assert sf.mean_sd([]) == (None, None, 0)
    assert sf.mean_sd([0.5]) == (0.5, None, 1)
    mean, sd, n = sf.mean_sd([0.6, 0.7, 0.8])
    assert (mean, n) == (pytest.approx(0.7), 3)
    assert sd == pytest.approx(0.1)  # sample sd: √((0.01 + 0 + 0.01) / 2)


def test_at_equal_over_seeds(tmp_path):
    rows = sf.read_rows(write(tmp_path / "utility.csv", """
dataset,mechanism,epsilon,accuracy,baseline_accuracy,changed_fraction,train_docs,test_docs,seconds,status,note,seed
polarity,none,,0.75,0.75,0,30,10,1,baseline,,1
polarity,laplace,4,0.50,0.75,0.9,30,10,1,ok,,1
polarity,laplace,8,0.70,0.75,0.3,30,10,1,ok,,1
polarity,laplace,4,0.54,0.75,0.9,30,10,1,ok,,2
polarity,laplace,8,0.66,0.75,0.3,30,10,1,ok,,2
polarity,laplace,12,0.74,0.75,0.1,30,10,1,skipped,,2
polarity,laplace,6,,0.75,,30,10,1,failed,,2
"""))
    data = sf.accuracy_by_seed(rows)["polarity"]
    assert data["baseline"] == {"1": 0.75}
    seeds = data["mechanisms"]["laplace"]
    assert seeds == {"1": [(4.0, 0.50), (8.0, 0.70)], "2": [(4.0, 0.54), (8.0, 0.66)]}
    curve = [(4.0, 0.1), (8.0, 0.5)]  # ASR 0.1 at ε 4, 0.5 at ε 8
    # target 0.2 is a quarter of the way: seed 1 → 0.55, seed 2 → 0.57
    mean, sd, n = sf.at_equal(curve, seeds, 0.2)
    assert n == 2 and mean == pytest.approx(0.56)
    assert sd == pytest.approx(math.sqrt(2) * 0.01)
    assert sf.at_equal(curve, seeds, 0.6) == (None, None, 0)
    # an accuracy at an ε the attack did not measure cannot be placed
    assert sf.at_equal([(4.0, 0.1)], seeds, 0.2) == (None, None, 0)


def test_compare_uses_seed_noise():
    ref = (0.70, 0.01, 3)
    # noise = 2·√(0.01²/3 + 0.01²/3) = 0.01633
    diff, noise, verdict = sf.compare((0.72, 0.01, 3), ref)
    assert diff == pytest.approx(0.02) and noise == pytest.approx(0.016330, abs=1e-6)
    assert verdict == "above"
    assert sf.compare((0.685, 0.01, 3), ref)[2] == "within"
    assert sf.compare((0.60, 0.05, 3), ref)[2] == "below"
    assert sf.compare((0.72, None, 1), ref) is None  # one seed: no noise estimate
    assert sf.compare((None, None, 0), ref) is None


def test_fmt_cell():
    assert sf.fmt_cell((0.8123, 0.0041, 3)) == "81.2 ± 0.4 %"
    assert sf.fmt_cell((0.8123, None, 1)) == "81.2 %"
    assert sf.fmt_cell((None, None, 0)) == "–"


def test_table_comparisons_and_classes():
    # one ASR curve per mechanism (ε → ASR) and three seeds of accuracy
    curves = {"laplace": [(1, 0.1), (2, 0.5)], "good": [(1, 0.1), (2, 0.5)],
              "bad": [(1, 0.1), (2, 0.5)], "short": [(1, 0.1), (2, 0.2)]}
    def seeds(lo, hi):  # accuracies at ε 1 and 2, spread ±0.01 over three seeds
        return {str(k): [(1, lo + d), (2, hi + d)] for k, d in ((1, -0.01), (2, 0.0), (3, 0.01))}
    acc = {"laplace": seeds(0.60, 0.70), "good": seeds(0.65, 0.75),
           "bad": seeds(0.55, 0.70), "short": seeds(0.60, 0.70)}
    table = sf.table_at(curves, acc, (0.1, 0.3))
    assert table[(0.3, "good")][0] == pytest.approx(0.70)  # halfway from 0.65 to 0.75
    assert table[(0.3, "short")] == (None, None, 0)  # its ASR never reaches 0.3
    rows = sf.comparisons(table, "laplace")
    # sd 0.01 over 3 seeds for every cell: noise 2·√(2·0.01²/3) = 0.0163
    by = {(t, m): (d, v) for t, m, d, _, v in rows}
    assert by[(0.1, "good")] == (pytest.approx(0.05), "above")
    assert by[(0.3, "bad")] == (pytest.approx(-0.025), "below")
    assert by[(0.1, "short")] == (pytest.approx(0.0), "within")
    assert (0.3, "short") not in by and not any(m == "laplace" for _, m, *_ in rows)
    groups = sf.classify(rows)
    assert groups == {"better": ["good"], "worse": ["bad"], "same": ["short"], "mostly-same": [],
                      "mixed": []}
    assert sf.describe(rows, "bad") == ("bad: 0 of 2 points above, 2 below, 0 within noise "
                                        "(-5.0 to -2.5 pp, at ASR 0.1–0.3)")


def test_classify_mixed_and_mostly_within():
    rows = [(0.1, "a", 0.05, 0.01, "above"), (0.2, "a", -0.05, 0.01, "below"),
            (0.1, "b", -0.05, 0.01, "below"), (0.2, "b", 0.0, 0.01, "within"),
            (0.3, "b", 0.0, 0.01, "within"),
            (0.1, "c", -0.05, 0.01, "below"), (0.2, "c", 0.0, 0.01, "within")]
    assert sf.classify(rows) == {"better": [], "worse": ["c"], "same": [], "mostly-same": ["b"],
                                 "mixed": ["a"]}
