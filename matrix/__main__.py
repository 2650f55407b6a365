"""`python -m matrix shards|count|pairwise|e2e`: the CI shards (JSON list), the number of
combinations, the all-pairs subset, or every end-to-end cell, computed from the catalog."""

from __future__ import annotations

import argparse
import json
import sys

from extensions.catalog import load_catalog

from .combinations import combinations, e2e_cells, pairwise, shard_of


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matrix", description=__doc__)
    parser.add_argument("command", choices=["shards", "count", "pairwise", "e2e"])
    args = parser.parse_args(argv)
    catalog = load_catalog()
    combos = combinations(catalog)
    if args.command == "shards":
        print(json.dumps(sorted({shard_of(a) for a in combos})))
    elif args.command == "count":
        print(len(combos))
    elif args.command == "pairwise":
        print(json.dumps(pairwise(catalog)))
    else:
        print(json.dumps(e2e_cells(catalog)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
