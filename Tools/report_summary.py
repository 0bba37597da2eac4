"""Two lines about a `dptext privatize --report` JSON file (used by Tools/demo.sh).

    python3 Tools/report_summary.py REPORT.json
"""
from __future__ import annotations

import json
import sys


def summary(report: dict) -> list[str]:
    guarantee = report["mechanism"]["guarantee"]
    c = report["counts"]
    share = 100 * c["replaced"] / max(c["in_vocabulary"], 1)
    return [
        f'guarantee: {guarantee["kind"]}, ε = {guarantee.get("epsilon")}, seeded: {report["randomness"]["seeded"]}',
        f'tokens {c["tokens"]}, in vocabulary {c["in_vocabulary"]}, replaced {c["replaced"]} '
        f'({share:.1f} %), out of vocabulary {c["oov_unk"]} (policy {report["oov_policy"]})',
    ]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[0]) as f:
        print("\n".join(summary(json.load(f))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
