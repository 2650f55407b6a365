"""Bad answers are refused by copier with a message that says what to do; nothing is rendered."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import render

BAD_ANSWERS = [
    ({"project_name": "1st platform"}, "not a valid project name"),
    ({"project_name": "x"}, "not a valid project name"),
    ({"project_name": "Data/Platform"}, "not a valid project name"),
    ({"project_name": "Platform"}, "shadows a module"),
    ({"project_name": "Dagster"}, "shadows a module"),
    ({"author_email": "nobody"}, "is not an e-mail address"),
    ({"schedule_cron": "daily"}, "is not a 5-field cron expression"),
    ({"dagster_port": 80}, "between 1024 and 65535"),
    ({"lake_path": "/var/lake"}, "Keep the lake inside the project"),
    ({"lake_path": "../lake"}, "Keep the lake inside the project"),
    ({"duckdb_path": "warehouse.db"}, "ending in .duckdb"),
    ({"bind_address": "localhost:80"}, "is not an IPv4 address"),
    ({"marts": []}, "Pick at least one mart"),
    ({"python_version": "2.7"}, "Invalid choice"),
]


@pytest.mark.parametrize(
    ("answers", "message"),
    BAD_ANSWERS,
    ids=[f"{k}={v!r}" for a, _ in BAD_ANSWERS for k, v in a.items()],
)
def test_answers_bad_value_is_refused_with_a_clear_message(
    answers: dict, message: str, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=message):
        render(tmp_path / "p", **answers)
    assert not (tmp_path / "p" / "pyproject.toml").exists()


@pytest.mark.parametrize(
    ("name", "slug", "package"),
    [
        ("Acme Data Platform", "acme-data-platform", "acme_data_platform"),
        ("ocean_analytics", "ocean-analytics", "ocean_analytics"),
        ("Retail-2026 Lake", "retail-2026-lake", "retail_2026_lake"),
    ],
)
def test_answers_project_name_derives_slug_and_package(
    name: str, slug: str, package: str, tmp_path: Path
) -> None:
    project = render(tmp_path / "p", project_name=name)
    assert f'name = "{slug}"' in (project / "pyproject.toml").read_text()
    assert (project / "src" / package / "__init__.py").is_file()
