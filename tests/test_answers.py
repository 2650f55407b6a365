"""Bad answers are refused by copier with a message that says what to do; nothing is rendered."""

from __future__ import annotations

from pathlib import Path

import pytest
from copier import run_copy

from extensions.context import ipv4_problem, project_name_problem

from .conftest import TEMPLATE_ROOT, render

BAD_ANSWERS = [
    ({"project_name": "1st platform"}, "not a valid project name"),
    ({"project_name": "x"}, "not a valid project name"),
    ({"project_name": "Data/Platform"}, "not a valid project name"),
    ({"project_name": "数据平台"}, "ASCII spelling"),
    ({"project_name": "Ü"}, "not a valid project name"),
    ({"project_name": "Acme-"}, "End with a letter or a digit"),
    ({"project_name": "Class"}, "Python keywords can't be packages"),
    ({"project_name": "import"}, "Python keywords can't be packages"),
    ({"project_name": "Def"}, "Python keywords can't be packages"),
    ({"project_name": "Match"}, "Python keywords can't be packages"),
    ({"project_name": "type"}, "Python keywords can't be packages"),
    ({"project_name": "Platform"}, "must not shadow a module"),
    ({"project_name": "Dagster"}, "must not shadow a module"),
    ({"author_email": "nobody"}, "is not an e-mail address"),
    ({"schedule_cron": "daily"}, "is not a 5-field cron expression"),
    ({"dagster_port": 80}, "between 1024 and 65535"),
    ({"orchestrator": "prefect", "prefect_port": 80}, "between 1024 and 65535"),
    ({"project_name": "Prefect"}, "must not shadow a module"),
    ({"orchestrator": "mage", "mage_port": 80}, "between 1024 and 65535"),
    ({"orchestrator": "airflow", "airflow_port": 80}, "between 1024 and 65535"),
    ({"lake_path": "/var/lake"}, "Keep the lake inside the project"),
    ({"lake_path": "../lake"}, "Keep the lake inside the project"),
    ({"duckdb_path": "warehouse.db"}, "ending in .duckdb"),
    ({"bind_address": "localhost:80"}, "is not an IPv4 address"),
    ({"bind_address": "999.999.999.999"}, "is not an IPv4 address"),
    ({"bind_address": "127.0.0.256"}, "is not an IPv4 address"),
    ({"bind_address": "::1"}, "is not an IPv4 address"),
    ({"marts": []}, "Pick at least one mart"),
    ({"python_version": "2.7"}, "Invalid choice"),
]


@pytest.mark.parametrize(
    ("answers", "message"),
    BAD_ANSWERS,
    ids=[",".join(f"{k}={v!r}" for k, v in a.items()) for a, _ in BAD_ANSWERS],
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
        ("Über Data", "uber-data", "uber_data"),
        ("Straße Ødegård Café", "strasse-odegard-cafe", "strasse_odegard_cafe"),
    ],
)
def test_answers_project_name_derives_slug_and_package(
    name: str, slug: str, package: str, tmp_path: Path
) -> None:
    project = render(tmp_path / "p", project_name=name)
    assert f'name = "{slug}"' in (project / "pyproject.toml").read_text()
    assert (project / "src" / package / "__init__.py").is_file()


REFUSALS = [
    (project_name_problem, name)
    for name in ("1st platform", "x", "Data/Platform", "Acme-", "数据平台", "Class", "Platform")
] + [(ipv4_problem, "999.999.999.999")]


@pytest.mark.parametrize(("check", "value"), REFUSALS, ids=[v for _, v in REFUSALS])
def test_answers_refusal_states_the_rule_first_in_short_lines(check, value: str) -> None:
    """The rule comes first, whole beside copier's prefix in an 80-column prompt (whose error
    bar shows one line); the verdict on the answer follows, in a line that fits 80 columns."""
    rule, verdict = check(value).splitlines()
    assert len("Validation error for question 'project_name': " + rule) <= 80, rule
    assert value not in rule
    assert value in verdict
    assert len(verdict) <= 80, verdict


@pytest.mark.parametrize("name", ["Acme Data Platform", "Über Data", "Retail-2026 Lake"])
def test_answers_valid_project_name_has_no_refusal(name: str) -> None:
    assert project_name_problem(name) == ""


def test_answers_bind_address_off_loopback_is_flagged_after_copy_and_in_readme(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _render_loud(tmp_path / "open", capsys, bind_address="0.0.0.0")
    assert "reachable from the network" in capsys.readouterr().err
    readme = (project / "README.md").read_text()
    assert "Reachable from the network" in readme
    compose = (project / "docker-compose.yml").read_text()
    assert '"0.0.0.0:' in compose
    assert "# Ports bind to 0.0.0.0: every network this machine is on" in compose
    assert "0.0.0.0 only" not in compose


def test_answers_bind_address_on_loopback_is_not_flagged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = _render_loud(tmp_path / "private", capsys, bind_address="127.0.0.2")
    message = capsys.readouterr().err
    assert "Next steps" in message
    assert "reachable from the network" not in message
    assert "Reachable from the network" not in (project / "README.md").read_text()
    assert (
        "# Ports bind to 127.0.0.2: this machine only"
        in (project / "docker-compose.yml").read_text()
    )


def _render_loud(dst: Path, capsys: pytest.CaptureFixture[str], **answers) -> Path:
    """Render with copier's messages on (the message after copy goes to stderr)."""
    capsys.readouterr()
    run_copy(str(TEMPLATE_ROOT), str(dst), data=answers, defaults=True, unsafe=True, vcs_ref="HEAD")
    return dst
