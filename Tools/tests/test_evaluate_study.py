"""The data steps of Tools/evaluate-study.sh (Tools/evaluate_study.py): catalog, resume verdicts, merges."""
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import evaluate_study as es  # noqa: E402

CATALOG = [
    {"name": "laplace", "takes_epsilon": True, "guarantee_kind": "pure-metric",
     "epsilon_grid": {"values": [4, 6.5, 12]}},
    {"name": "truncated-gumbel", "takes_epsilon": True, "guarantee_kind": "unverified",
     "epsilon_grid": {"multiples_of_minimum": [1, 2, 10000]}},
    {"name": "identity", "takes_epsilon": False, "guarantee_kind": "none", "epsilon_grid": {}},
]


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.strip() + "\n")
    return path


def test_catalog_lines_skip_identity_and_format_grids():
    assert es.catalog_lines(CATALOG) == ["laplace|4 6.5 12|", "truncated-gumbel||1 2 10000"]


def test_catalog_without_grid_is_an_error():
    with pytest.raises(SystemExit, match="tem no ε grid"):
        es.catalog_lines([{"name": "tem", "takes_epsilon": True, "guarantee_kind": "pure-metric"}])


def test_catalog_command_reads_stdin(monkeypatch, capsys):
    import io
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(CATALOG)))
    assert es.main(["catalog"]) == 0
    assert capsys.readouterr().out.splitlines() == ["laplace|4 6.5 12|", "truncated-gumbel||1 2 10000"]


ROWS = [
    {"mechanism": "laplace", "epsilon": "4"},
    {"mechanism": "laplace", "epsilon": "6.500000000001"},
    {"mechanism": "laplace", "epsilon": ""},
    {"mechanism": "tem", "epsilon": "12"},
    {"mechanism": "truncated-gumbel", "epsilon": "0.0131"},
    {"mechanism": "truncated-gumbel", "epsilon": "0.0262"},
]


def test_measured_needs_every_grid_epsilon_of_that_mechanism():
    assert es.is_measured(ROWS, "laplace", ["4", "6.5"])  # within 1e-9 relative
    assert not es.is_measured(ROWS, "laplace", ["4", "6.5", "12"])  # 12 is tem's
    assert not es.is_measured(ROWS, "kde-mh", ["4"])


def test_measured_with_count_counts_distinct_epsilons():
    assert es.is_measured(ROWS, "truncated-gumbel", [], count=2)
    assert not es.is_measured(ROWS, "truncated-gumbel", [], count=3)


def test_measured_command_exit_status(tmp_path):
    csv_path = write(tmp_path / "deniability.csv", "mechanism,epsilon\nlaplace,4\nlaplace,8\n")
    assert es.main(["measured", str(csv_path), "laplace", "4 8"]) == 0
    assert es.main(["measured", str(csv_path), "laplace", "4 8 12"]) == 1
    assert es.main(["measured", str(csv_path), "laplace", "", "--count", "2"]) == 0
    assert es.main(["measured", str(tmp_path / "missing.csv"), "laplace", "4"]) == 1


def test_epsilons_sorted_distinct(tmp_path, capsys):
    csv_path = write(tmp_path / "d.csv", "mechanism,epsilon\ng,0.5\ng,0.25\ng,0.5\nlaplace,4\n")
    assert es.main(["epsilons", str(csv_path), "g"]) == 0
    assert capsys.readouterr().out.strip() == "0.25 0.5"


def test_merge_attacks_concatenates_prior_folders(tmp_path):
    write(tmp_path / "attack/uniform/attack.csv", "mechanism,epsilon,prior\nlaplace,4,uniform\n")
    write(tmp_path / "attack/zipf/attack.csv", "mechanism,epsilon,prior\nlaplace,4,zipf\n")
    assert es.merge_attacks(tmp_path) == 2
    assert (tmp_path / "attack.csv").read_text() == "mechanism,epsilon,prior\nlaplace,4,uniform\nlaplace,4,zipf\n"


def test_seed_of_folder():
    assert es.seed_of_folder("seed12") == "12"
    assert es.seed_of_folder("polarity") == "1"  # older runs: one seed, no seed folder


def test_merge_utility_rows_one_baseline_per_dataset_and_seed_sorted():
    def row(dataset, mechanism, epsilon, seed, acc):
        return {"dataset": dataset, "mechanism": mechanism, "epsilon": epsilon, "seed": seed, "accuracy": acc}
    rows = [
        row("polarity", "laplace", "8", "2", "0.6"),
        row("polarity", "none", "", "2", "0.7"),
        row("polarity", "laplace", "4", "1", "0.5"),
        row("polarity", "none", "", "1", "0.7"),
        row("polarity", "none", "", "1", "0.9"),  # the same baseline from another run: dropped
        row("20newsgroups", "tem", "2", "1", "0.3"),
    ]
    merged = es.merge_utility_rows(rows)
    assert [(r["dataset"], r["mechanism"], r["epsilon"], r["seed"]) for r in merged] == [
        ("20newsgroups", "tem", "2", "1"),
        ("polarity", "none", "", "1"),
        ("polarity", "none", "", "2"),
        ("polarity", "laplace", "4", "1"),
        ("polarity", "laplace", "8", "2"),
    ]
    assert merged[1]["accuracy"] == "0.7"


def test_merge_utility_writes_csv_and_data(tmp_path):
    for seed, acc in (("1", "0.5"), ("2", "0.6")):
        folder = tmp_path / f"downstream/seed{seed}/polarity"
        write(folder / "utility.csv", f"dataset,mechanism,epsilon,accuracy\npolarity,laplace,4,{acc}\n")
        write(folder / "utility.json", json.dumps({"config": {"data": {"polarity": {"classes": ["neg", "pos"]}}}}))
    assert es.merge_utility(tmp_path) == 2
    assert (tmp_path / "utility.csv").read_text().splitlines() == [
        "dataset,mechanism,epsilon,accuracy,seed", "polarity,laplace,4,0.5,1", "polarity,laplace,4,0.6,2"]
    data = json.loads((tmp_path / "utility.json").read_text())
    assert data["config"]["data"] == {"polarity": {"classes": ["neg", "pos"]}}
    assert len(data["rows"]) == 2
