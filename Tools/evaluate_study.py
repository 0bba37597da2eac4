"""The data steps of Tools/evaluate-study.sh (stdlib only; tested in Tools/tests).

    python3 Tools/evaluate_study.py catalog < mechanisms.json
        each mechanism that takes ε, as NAME|VALUES|MULTIPLES (space-separated
        ε values, or the multiples of its smallest valid ε), from
        `dptext mechanisms --json`
    python3 Tools/evaluate_study.py measured FILE.csv MECHANISM "ε1 ε2 …" [--count N]
        exit status 0 when FILE.csv already holds every ε of the grid for
        MECHANISM (with --count: at least N distinct ε), else 1
    python3 Tools/evaluate_study.py epsilons FILE.csv MECHANISM
        the distinct ε of MECHANISM in FILE.csv, ascending, space-separated
    python3 Tools/evaluate_study.py merge-attacks FOLDER
        FOLDER/attack/*/attack.csv into FOLDER/attack.csv
    python3 Tools/evaluate_study.py merge-utility FOLDER
        FOLDER/downstream/seed<S>/<folder>/utility.{csv,json} into
        FOLDER/utility.csv and FOLDER/utility.json
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path


def catalog_lines(mechanisms: list[dict]) -> list[str]:
    """NAME|VALUES|MULTIPLES for each mechanism with an ε (not identity)."""
    lines = []
    for m in mechanisms:
        grid = m.get("epsilon_grid") or {}
        if not m.get("takes_epsilon") or m.get("guarantee_kind") == "none":
            continue
        values = " ".join(f"{v:g}" for v in grid.get("values", []))
        multiples = " ".join(f"{v:g}" for v in grid.get("multiples_of_minimum", []))
        if not values and not multiples:
            raise SystemExit(f"error: dptext mechanisms --json gives {m['name']} no ε grid")
        lines.append("|".join((m["name"], values, multiples)))
    return lines


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def epsilons_of(rows: list[dict], mechanism: str) -> list[float]:
    """The distinct ε of a mechanism's rows, ascending (rows without ε skipped)."""
    return sorted({float(r["epsilon"]) for r in rows if r["mechanism"] == mechanism and r["epsilon"]})


def is_measured(rows: list[dict], mechanism: str, grid: list[str], count: int | None = None) -> bool:
    """Whether rows hold every ε of grid for mechanism (relative tolerance 1e-9),
    or, given count (a grid of multiples, resolved per store), that many ε."""
    have = epsilons_of(rows, mechanism)
    if count is not None:
        return len(have) >= count
    return all(any(abs(h - float(e)) <= 1e-9 * max(1, h) for h in have) for e in grid)


def write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def merge_attacks(out: Path) -> int:
    rows = [r for p in sorted((out / "attack").glob("*/attack.csv")) for r in read_csv(p)]
    if rows:
        write_csv(out / "attack.csv", rows)
    return len(rows)


def seed_of_folder(top: str) -> str:
    """The seed of a downstream/seed<S> folder; older runs (one seed) had none: 1."""
    return top[4:] if top.startswith("seed") and top[4:].isdigit() else "1"


def merge_utility_rows(rows: list[dict]) -> list[dict]:
    """One row per (dataset, mechanism, ε, seed), the first seen (every run of a
    seed computes the same baseline), in (dataset, baseline first, mechanism,
    ε, seed) order."""
    seen, merged = set(), []
    for row in rows:
        key = (row["dataset"], row["mechanism"], row["epsilon"], row["seed"])
        if key not in seen:
            seen.add(key)
            merged.append(row)
    merged.sort(key=lambda r: (r["dataset"], r["mechanism"] != "none", r["mechanism"],
                               float(r["epsilon"] or 0), int(r["seed"])))
    return merged


def merge_utility(out: Path) -> int:
    rows, data = [], {}
    for path in sorted((out / "downstream").rglob("utility.csv")):
        seed = seed_of_folder(path.relative_to(out / "downstream").parts[0])
        rows += [dict(row, seed=seed) for row in read_csv(path)]
        config = json.loads((path.parent / "utility.json").read_text())["config"]
        data.update(config.get("data", {}))
    merged = merge_utility_rows(rows)
    if merged:
        write_csv(out / "utility.csv", merged)
        # the dataset descriptions and class lists, for the plots' chance levels
        (out / "utility.json").write_text(json.dumps({"config": {"data": data}, "rows": merged}, indent=2) + "\n")
    return len(merged)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("catalog")
    m = sub.add_parser("measured")
    m.add_argument("csv", type=Path)
    m.add_argument("mechanism")
    m.add_argument("grid")
    m.add_argument("--count", type=int)
    e = sub.add_parser("epsilons")
    e.add_argument("csv", type=Path)
    e.add_argument("mechanism")
    for name in ("merge-attacks", "merge-utility"):
        sub.add_parser(name).add_argument("folder", type=Path)
    args = p.parse_args(argv)

    if args.command == "catalog":
        print("\n".join(catalog_lines(json.load(sys.stdin))))
    elif args.command == "measured":
        if not args.csv.is_file():
            return 1
        return 0 if is_measured(read_csv(args.csv), args.mechanism, args.grid.split(), args.count) else 1
    elif args.command == "epsilons":
        print(" ".join(repr(v) for v in epsilons_of(read_csv(args.csv), args.mechanism)))
    elif args.command == "merge-attacks":
        print(f"{merge_attacks(args.folder)} attack rows in {args.folder / 'attack.csv'}")
    else:
        print(f"{merge_utility(args.folder)} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
