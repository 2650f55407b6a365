"""`python -m matrix shards|count|pairwise`: the CI shards (JSON list), the number of
combinations, or the end-to-end subset, computed from the catalog."""

from __future__ import annotations

import argparse
import json
import sys

from extensions.catalog import load_catalog

from .combinations import combinations, pairwise, shard_of


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matrix", description=__doc__)
    parser.add_argument("command", choices=["shards", "count", "pairwise"])
    args = parser.parse_args(argv)
    catalog = load_catalog()
    combos = combinations(catalog)
    if args.command == "shards":
        print(json.dumps(sorted({shard_of(a) for a in combos})))
    elif args.command == "count":
        print(len(combos))
    else:
        print(json.dumps(pairwise(catalog)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
