"""Every combination of the catalog renders and passes static checks; the fast path is copier."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from copier import run_copy

from .conftest import CATALOG
from .matrix import (
    combinations,
    combo_id,
    default_tools,
    folder_snapshot,
    render_matrix,
    tree_digest,
    validate,
)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return folder_snapshot(tmp_path_factory.mktemp("tpl") / "template")


@pytest.fixture(scope="module")
def matrix(snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    combos = combinations(CATALOG)
    return render_matrix(combos, tmp_path_factory.mktemp("matrix"), snapshot)


def test_matrix_combinations_come_from_the_catalog() -> None:
    expected = 1
    for layer in CATALOG.layers:
        n = len(layer.implemented)
        expected *= (2**n - 1) if layer.multiselect else n
    valid, refused = combinations(CATALOG), combinations(CATALOG, valid=False)
    assert len(valid) + len(refused) == expected
    assert len({combo_id(a) for a in valid}) == len(valid)


def test_matrix_every_combination_renders_and_validates(matrix: list[Path]) -> None:
    ruff, actionlint = default_tools()
    report = validate(matrix, ruff, actionlint)
    assert report.projects == len(combinations(CATALOG))
    assert report.distinct > 0 and report.checks.get("python", 0) > 0
    assert report.failures == []


def test_matrix_fast_path_is_byte_for_byte_copier_copy(matrix: list[Path], tmp_path: Path) -> None:
    """The pool renders from a plain folder in-process; a user runs the CLI on the git repo."""
    sample = random.Random(7).sample(matrix, k=min(3, len(matrix)))
    for fast in sample:
        answers = yaml.safe_load((fast / ".copier-answers.yml").read_text())
        data = [f"--data={k}={v}" for k, v in answers.items() if not k.startswith("_")]
        marts = answers["marts"]
        data = [d for d in data if not d.startswith("--data=marts=")]
        data.append(f"--data=marts={yaml.safe_dump(marts, default_flow_style=True).strip()}")
        dst = tmp_path / fast.name
        root = Path(__file__).resolve().parents[1]
        flags = ["-q", "--trust", "--defaults", "--vcs-ref", "HEAD", *data]
        done = subprocess.run(
            [sys.executable, "-m", "copier", "copy", *flags, str(root), str(dst)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert tree_digest(dst) == tree_digest(fast)
        env_keys = {line.split("=")[0] for line in (dst / ".env").read_text().splitlines()}
        fast_keys = {line.split("=")[0] for line in (fast / ".env").read_text().splitlines()}
        assert env_keys == fast_keys


def test_matrix_incompatible_pair_is_refused_by_copier(snapshot: Path, tmp_path: Path) -> None:
    """A `requires` declared in the catalog becomes a choice validator copier enforces."""
    tpl = tmp_path / "tpl"
    shutil.copytree(snapshot, tpl)
    catalog_file = tpl / "extensions" / "catalog.yaml"
    data = yaml.safe_load(catalog_file.read_text())
    layers = {layer["id"]: layer for layer in data["layers"]}
    warehouse = {t["id"]: t for t in layers["warehouse"]["tools"]}
    warehouse["postgres"]["status"] = "implemented"
    orchestrators = {t["id"]: t for t in layers["orchestration"]["tools"]}
    orchestrators["dagster"]["requires"] = {"warehouse": ["duckdb"]}
    catalog_file.write_text(yaml.safe_dump(data, sort_keys=False))

    with pytest.raises(ValueError, match="PostgreSQL cannot be used with Dagster"):
        run_copy(
            str(tpl),
            str(tmp_path / "p"),
            data={"warehouse": "postgres"},
            defaults=True,
            unsafe=True,
            quiet=True,
            vcs_ref=None,
        )
    assert not (tmp_path / "p" / "pyproject.toml").exists()
