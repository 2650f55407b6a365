"""Deterministic sample sources: an online shop with a subscription line (see ``simulate``).

``generate()`` writes batch 1 (fresh: every earlier sample file is replaced) or appends a later
batch (the next 7 days: new, changed and late-arriving rows, and the ``loyalty_tier`` column) to

- ``<files_dir>/<table>_<batch>.jsonl|csv``: customers, products, campaigns, ad_spend,
  web_sessions, web_events (one file per table and batch);
- the shop database (sqlite): orders, order_items, refunds, subscriptions, shipments,
  inventory_movements (changed rows are replaced in place, with a newer ``updated_at``);
- the data the sample API serves (sqlite): payments, support_tickets;
- ``<sources_dir>/ground_truth.json``: every mart figure computed from the clean rows, plus
  per table the clean, junk and duplicate row counts (cumulative over the batches so far), and
  the batch's late versions of existing keys (``late.py``: stale and tied, for the tests to
  load; the sources do not carry them).

The generator keeps its own store of the clean rows in ``<sources_dir>/generator/``. The same
seed and scale factor always give identical files and rows; rows are written in chunks, so
memory does not grow with the scale factor.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .late import late_versions
from .publish import Destinations, TableCounts, publish
from .schema import TABLES
from .simulate import SampleSizes, Simulation, period
from .store import Store, read_meta
from .truth import GroundTruth

if TYPE_CHECKING:
    from ..config import StackConfig

__all__ = ["GenerationError", "SamplePaths", "SampleSizes", "generate", "period"]

Progress = Callable[[str, int], None]


class GenerationError(ValueError):
    """A batch cannot be generated (e.g. batch 2 before batch 1); the message says why."""


@dataclass(frozen=True)
class SamplePaths:
    files_dir: Path
    shop_db: Path
    api_db: Path
    sources_dir: Path

    @classmethod
    def from_config(cls, cfg: StackConfig) -> SamplePaths:
        return cls(
            files_dir=cfg.files_dir,
            shop_db=cfg.sqlite_path,
            api_db=cfg.api_data_path,
            sources_dir=cfg.sources_dir,
        )

    @property
    def store(self) -> Path:
        return self.sources_dir / "generator" / "store.sqlite"

    @property
    def ground_truth(self) -> Path:
        return self.sources_dir / "ground_truth.json"

    def batch_files(self, table: str) -> list[Path]:
        """The files of a files-source table, oldest batch first."""
        spec = next(t for t in TABLES if t.name == table)
        return sorted(self.files_dir.glob(spec.file_pattern()))

    def exist(self) -> bool:
        """Whether a complete sample (at least batch 1) is present."""
        files = all(self.batch_files(t.name) for t in TABLES if t.file_format is not None)
        others = (self.shop_db, self.api_db, self.store, self.ground_truth)
        return files and all(path.is_file() for path in others)

    def generated_batches(self) -> int:
        return int(read_meta(self.store).get("batch", 0)) if self.ground_truth.is_file() else 0

    def remove(self) -> None:
        for table in TABLES:
            if table.file_format is not None:
                for path in self.batch_files(table.name):
                    path.unlink()
        for path in (self.shop_db, self.api_db, self.store, self.ground_truth):
            path.unlink(missing_ok=True)


def _open_store(paths: SamplePaths, batch: int, seed: int, scale_factor: float) -> Store:
    if batch == 1:
        paths.remove()
        store = Store(paths.store, fresh=True)
        store.set_meta("seed", seed)
        store.set_meta("scale_factor", repr(float(scale_factor)))
        return store
    done = paths.generated_batches()
    if done != batch - 1:
        raise GenerationError(
            f"cannot generate batch {batch}: the sample holds {done} batch(es); "
            f"generate batch {done + 1} next (or batch 1 to start over)"
        )
    return Store(paths.store, fresh=False)


def _merge_counts(store: Store, batch: int, counts: dict[str, TableCounts]) -> dict[str, Any]:
    totals: dict[str, Any] = json.loads(store.get_meta("row_counts", "{}") or "{}")
    written: dict[str, Any] = json.loads(store.get_meta("source_rows", "{}") or "{}")
    written[str(batch)] = {name: c.written for name, c in counts.items()}
    for name, table_counts in counts.items():
        total = totals.setdefault(name, {"junk_reasons": {}, "duplicates": 0})
        for reason, count in table_counts.junk.items():
            total["junk_reasons"][reason] = total["junk_reasons"].get(reason, 0) + count
        total["duplicates"] += table_counts.duplicates + table_counts.versions
    store.set_meta("row_counts", json.dumps(totals, sort_keys=True))
    store.set_meta("source_rows", json.dumps(written, sort_keys=True))
    row_counts: dict[str, Any] = {}
    for table in TABLES:
        (clean,) = store.query(f"SELECT count(*) FROM {table.name}").fetchone()
        total = totals[table.qualified_name]
        row_counts[table.qualified_name] = {
            "clean": int(clean),
            "junk": sum(total["junk_reasons"].values()),
            "duplicates": total["duplicates"],
            "junk_reasons": dict(sorted(total["junk_reasons"].items())),
        }
    return {"row_counts": row_counts, "source_rows": written}


def generate(
    paths: SamplePaths,
    *,
    seed: int = 42,
    scale_factor: float = 0.01,
    batch: int = 1,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write batch ``batch`` of every sample source; return the rows written per table.

    Batch 1 starts over with ``seed`` and ``scale_factor``; a later batch continues the sample
    already there (with its seed and scale factor) and must follow the last one generated.
    ``progress(table, rows)`` is called as work advances (orders, day by day).
    """
    if batch < 1:
        raise GenerationError("batches are numbered from 1")
    SampleSizes.for_scale(scale_factor)
    report = progress or (lambda _table, _rows: None)
    store = _open_store(paths, batch, seed, scale_factor)
    try:
        seed = int(store.get_meta("seed") or seed)
        scale_factor = float(store.get_meta("scale_factor") or scale_factor)
        Simulation(store, seed, SampleSizes.for_scale(scale_factor), batch).run(report)
        destinations = Destinations(paths.files_dir, paths.shop_db, paths.api_db)
        counts = publish(store, batch, destinations)
        accounting = _merge_counts(store, batch, counts)
        store.set_meta("batch", batch)
        store.commit()
        truth = {
            "seed": seed,
            "scale_factor": scale_factor,
            "batches": batch,
            "period_end": period(batch)[1],
            **accounting,
            "late_versions": late_versions(store, batch),
            **GroundTruth(store).compute(),
        }
    finally:
        store.close()
    partial = paths.ground_truth.with_name(paths.ground_truth.name + ".partial")
    partial.write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    partial.replace(paths.ground_truth)
    return {name.split(".", 1)[1]: c.written for name, c in counts.items()}
