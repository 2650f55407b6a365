"""`copier update` keeps user edits and leaves no conflicts (tags live in a temporary copy)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml
from copier import run_update

from .conftest import git, render, template_snapshot
from .matrix import tree_digest


def _conflicts(project: Path) -> list[str]:
    unmerged = git(project, "ls-files", "-u").strip()
    markers = subprocess.run(
        ["git", "grep", "-lE", "^(<<<<<<<|>>>>>>>) "], cwd=project, capture_output=True, text=True
    ).stdout.split()
    rejects = list(project.rglob("*.rej"))
    return [*filter(None, unmerged.splitlines()), *markers, *map(str, rejects)]


def test_update_keeps_user_edits_without_conflicts(tmp_path: Path) -> None:
    template = template_snapshot(tmp_path / "template")
    git(template, "tag", "v0.1.0")
    project = render(tmp_path / "project", template=template, vcs_ref="v0.1.0")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "render v0.1.0")

    # The user edits files the template also changes, in unrelated places.
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\n## Team notes\n\nOwned by the data team.\n")
    makefile = project / "Makefile"
    makefile.write_text(makefile.read_text() + "\nhello: ## our own task\n\t@echo hello\n")
    git(project, "commit", "-qam", "our edits")

    # The template moves on: a change near the top of those files, and a new file.
    tpl_readme = template / "template" / "README.md.jinja"
    lines = tpl_readme.read_text().splitlines(keepends=True)
    tpl_readme.write_text(
        "".join([*lines[:1], "\n> Rendered by data-platform-template.\n", *lines[1:]])
    )
    tpl_make = template / "template" / "Makefile.jinja"
    tpl_make.write_text("# Maintained by the template.\n" + tpl_make.read_text())
    (template / "template" / "CONTRIBUTING.md").write_text("# Contributing\n")
    git(template, "add", "-A")
    git(template, "commit", "-q", "-m", "template v0.2.0")
    git(template, "tag", "v0.2.0")

    run_update(str(project), defaults=True, overwrite=True, unsafe=True, quiet=True, vcs_ref="HEAD")

    assert _conflicts(project) == []
    text = readme.read_text()
    assert "Owned by the data team." in text
    assert "> Rendered by data-platform-template." in text
    assert "@echo hello" in makefile.read_text()
    assert makefile.read_text().startswith("# Maintained by the template.")
    assert (project / "CONTRIBUTING.md").is_file()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v0.2.0"


def test_update_rendered_make_update_fails_loudly_on_conflicts(tmp_path: Path) -> None:
    project = render(tmp_path / "project")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "render")
    readme = project / "README.md"
    readme.write_text("<<<<<<< before updating\nours\n=======\ntheirs\n>>>>>>> after updating\n")
    done = subprocess.run(
        ["bash", "scripts/check_conflicts.sh"], cwd=project, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "README.md" in done.stderr
    readme.write_text("resolved\n")
    done = subprocess.run(
        ["bash", "scripts/check_conflicts.sh"], cwd=project, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_update_from_previous_version_equals_fresh_render(tmp_path: Path) -> None:
    """No user edits: updating v0.1.0 -> HEAD gives exactly what copying HEAD gives."""
    template = template_snapshot(tmp_path / "template")
    git(template, "tag", "v0.1.0")
    project = render(tmp_path / "project", template=template, vcs_ref="v0.1.0")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "render v0.1.0")

    tpl_readme = template / "template" / "README.md.jinja"
    tpl_readme.write_text(tpl_readme.read_text() + "\n## Support\n\nAsk the data team.\n")
    (template / "template" / "docs").mkdir(exist_ok=True)
    (template / "template" / "docs" / "runbook.md").write_text("# Runbook\n")
    git(template, "add", "-A")
    git(template, "commit", "-q", "-m", "template v0.2.0")
    git(template, "tag", "v0.2.0")

    run_update(str(project), defaults=True, overwrite=True, unsafe=True, quiet=True, vcs_ref="HEAD")
    fresh = render(tmp_path / "fresh", template=template, vcs_ref="HEAD")

    assert _conflicts(project) == []
    assert tree_digest(project) == tree_digest(fresh)
    env_keys = {line.split("=")[0] for line in (project / ".env").read_text().splitlines()}
    assert env_keys == {line.split("=")[0] for line in (fresh / ".env").read_text().splitlines()}
