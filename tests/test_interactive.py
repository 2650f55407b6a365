"""The real interactive flow: `copier copy` in a pseudo-terminal, answered prompt by prompt."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect
import pytest
import yaml

from extensions.catalog import KIND_LABELS
from extensions.context import layer_choices

from .conftest import CATALOG, TEMPLATE_ROOT

CLEAR_LINE = "\x15"  # Ctrl-U: drop the pre-filled default before typing
COPIER = [sys.executable, "-m", "copier"]


def _copier_copy(dst: Path) -> pexpect.spawn:
    """`copier copy` of this checkout in a pseudo-terminal, as a person would type it."""
    env = {**os.environ, "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm", "COLUMNS": "200"}
    return pexpect.spawn(
        COPIER[0],
        [*COPIER[1:], "copy", "--trust", "--vcs-ref", "HEAD", str(TEMPLATE_ROOT), str(dst)],
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 200),
    )


def _expect_prompt(child: pexpect.spawn, help_text: str) -> None:
    child.expect(re.escape(help_text.split("(")[0].strip()[:40]))


def test_interactive_asks_layers_in_order_with_help_and_defaults(tmp_path: Path) -> None:
    dst = tmp_path / "ocean"
    child = _copier_copy(dst)
    transcript: list[str] = []
    child.logfile_read = _Recorder(transcript)

    _expect_prompt(child, "Project name")
    child.sendline(CLEAR_LINE + "Ocean Analytics")
    for help_text in ("One-line description", "Author or team name", "Author or team e-mail"):
        _expect_prompt(child, help_text)
        child.sendline("")  # keep the default
    _expect_prompt(child, "Python version")
    child.sendline("")
    for layer in CATALOG.layers:  # one question per layer, in the catalog's (data-flow) order
        _expect_prompt(child, layer.help)
        child.sendline("")
    _expect_prompt(child, "Lake folder")
    child.sendline(CLEAR_LINE + "lake")
    _expect_prompt(child, "DuckDB database file")
    child.sendline("")
    _expect_prompt(child, "Port of the Dagster UI")
    child.sendline(CLEAR_LINE + "3300")
    _expect_prompt(child, "Port of the Superset UI")
    child.sendline(CLEAR_LINE + "8188")
    _expect_prompt(child, "When the daily pipeline runs")
    child.sendline(CLEAR_LINE + "30 4 * * *")
    _expect_prompt(child, "IPv4 address that docker-compose publishes")
    child.sendline("")
    child.expect(pexpect.EOF, timeout=120)
    child.close()
    assert child.exitstatus == 0, "".join(transcript)[-3000:]

    answers = yaml.safe_load((dst / ".copier-answers.yml").read_text())
    assert answers["project_name"] == "Ocean Analytics"
    assert answers["lake_path"] == "lake"
    assert answers["dagster_port"] == 3300
    assert answers["superset_port"] == 8188
    assert answers["schedule_cron"] == "30 4 * * *"
    for layer in CATALOG.layers:
        assert answers[layer.question] == layer.default
    stack = yaml.safe_load((dst / "config/stack_config.yaml").read_text())["platform"]
    assert stack["storage"]["data_lake"]["config"]["path"] == "lake"
    assert stack["orchestrator"]["config"]["schedule"] == "30 4 * * *"
    assert "127.0.0.1:3300:3000" in (dst / "docker-compose.yml").read_text()
    assert "127.0.0.1:8188:8088" in (dst / "docker-compose.yml").read_text()
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", "".join(transcript))
    for layer in CATALOG.layers:
        assert layer.help.split("(")[0].strip() in shown
    assert "Dagster (open source, self-hosted)" in shown
    assert "Finance (" not in shown
    assert "None (query the marts directly) (" not in shown
    assert "It is a git repository with a first commit" in shown
    assert (dst / ".git").is_dir()


def test_interactive_bad_project_name_is_explained_and_asked_again(tmp_path: Path) -> None:
    """Enter on a refused name keeps the question open with the reason; a corrected name
    is taken and the next question comes."""
    child = _copier_copy(tmp_path)
    _expect_prompt(child, "Project name")
    child.sendline(CLEAR_LINE + "9 lives")
    child.expect("Start with a letter")
    refused = child.expect([re.escape("One-line description"), pexpect.TIMEOUT], timeout=3)
    assert refused == 1, "a refused name must not move on to the next question"
    child.send(CLEAR_LINE + "Nine Lives")
    child.expect("Nine Lives")
    child.sendline("")
    _expect_prompt(child, "One-line description")
    child.sendintr()
    child.expect(pexpect.EOF)
    assert not (tmp_path / "pyproject.toml").exists()


@pytest.mark.parametrize("layer", CATALOG.layers, ids=lambda layer: layer.id)
def test_interactive_choices_show_licence_kinds_of_real_tools_only(layer) -> None:
    """A mart is content the template writes and "none" installs nothing: no licence label."""
    choices = yaml.safe_load(layer_choices(layer.id))
    titles = {entry["value"]: title for title, entry in choices.items()}
    for tool in layer.implemented:
        labelled = any(f"({KIND_LABELS[kind]}" in titles[tool.id] for kind in tool.kinds)
        assert labelled == (layer.id != "marts" and tool.id != "none"), titles[tool.id]
        assert titles[tool.id].startswith(tool.label)


class _Recorder:
    def __init__(self, sink: list[str]) -> None:
        self.sink = sink

    def write(self, data: str) -> None:
        self.sink.append(data)

    def flush(self) -> None:
        pass
