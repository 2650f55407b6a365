"""Every combination of answers, enumerated from the catalog, rendered and checked fast.

- :mod:`matrix.combinations`: which answer sets exist (from the catalog), the all-pairs subset
  for end-to-end runs, CI shards;
- :mod:`matrix.render`: every combination rendered into in-memory manifests (relative path ->
  (content hash, mode), each distinct content kept once), by copier's own ``Worker``
  (:mod:`matrix.fast`) or, with ``MATRIX_RENDERER=copier`` or when copier's private API moved,
  by plain ``copier.run_copy``;
- :mod:`matrix.checks`: static checks, each distinct file once, `dbt parse` on a covering set of
  the distinct dbt projects; digests to compare manifests with projects on disk.

``python -m matrix shards|count|pairwise|e2e`` prints what CI needs.
"""

from .checks import (
    Report,
    dbt_environment,
    default_tools,
    manifest_digest,
    tree_digest,
    validate,
)
from .combinations import (
    combinations,
    combo_id,
    compatible,
    default_answers,
    e2e_cells,
    light_answers,
    once,
    pairwise,
    runnable,
    shard_of,
)
from .render import RENDERERS, Manifest, Matrix, folder_snapshot, read_tree, render_manifests

__all__ = [
    "RENDERERS",
    "Manifest",
    "Matrix",
    "Report",
    "combinations",
    "combo_id",
    "compatible",
    "dbt_environment",
    "default_answers",
    "default_tools",
    "e2e_cells",
    "folder_snapshot",
    "light_answers",
    "manifest_digest",
    "once",
    "pairwise",
    "read_tree",
    "render_manifests",
    "runnable",
    "shard_of",
    "tree_digest",
    "validate",
]
