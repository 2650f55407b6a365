"""`copier update` keeps user edits and leaves no conflicts (tags live in a temporary copy)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from copier import run_update

from matrix import (
    Matrix,
    compatible,
    default_answers,
    default_tools,
    read_tree,
    tree_digest,
    validate,
)

from .conftest import CATALOG, TEMPLATE_ROOT, git, render, template_snapshot

INIT_GIT = TEMPLATE_ROOT / "hooks" / "init_git.py"


def _committed_project(
    tmp_path: Path, template: Path = TEMPLATE_ROOT, tag: str | None = None, **answers
) -> Path:
    """A project rendered from ``template`` (tagged ``tag`` first, if given), committed in its
    own repository (as `copier copy` leaves it) before updating."""
    if tag:
        git(template, "tag", tag)
    project = render(tmp_path / "project", template=template, vcs_ref=tag or "HEAD", **answers)
    assert git(project, "status", "--porcelain") == ""  # copier's task made the first commit
    return project


def test_update_copy_ends_in_a_git_repository_with_a_first_commit(
    default_project: Path,
) -> None:
    """`make update` needs a repository: copy makes one, with everything but .env committed."""
    assert git(default_project, "rev-parse", "--show-toplevel").strip() == str(default_project)
    assert git(default_project, "log", "--format=%s").splitlines() == [
        "Initial commit from data-platform-template"
    ]
    assert git(default_project, "status", "--porcelain", "--ignored", "--", ".env").startswith(
        "!! .env"
    )
    tracked = git(default_project, "ls-files").splitlines()
    assert ".env" not in tracked
    assert {"pyproject.toml", ".copier-answers.yml", ".env.example"} <= set(tracked)


def test_update_copy_without_git_identity_commits_as_the_answered_author(
    tmp_path: Path,
) -> None:
    project = tmp_path / "p"
    copy = [sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "--quiet"]
    answers = ["--data", "author_name=Ada Data", "--data", "author_email=ada@example.com"]
    subprocess.run(
        [*copy, *answers, "--vcs-ref", "HEAD", str(TEMPLATE_ROOT), str(project)],
        env=_without_git_identity(tmp_path),
        check=True,
        capture_output=True,
    )
    assert git(project, "log", "--format=%an <%ae>").strip() == "Ada Data <ada@example.com>"
    assert git(project, "status", "--porcelain") == ""


def test_update_copy_inside_a_repository_leaves_that_repository_alone(tmp_path: Path) -> None:
    monorepo = tmp_path / "monorepo"
    monorepo.mkdir()
    git(monorepo, "init", "-q", "-b", "main")
    (monorepo / "README.md").write_text("monorepo\n")
    git(monorepo, "add", "-A")
    git(monorepo, "commit", "-q", "-m", "monorepo")

    project = render(monorepo / "platform")

    assert not (project / ".git").exists()
    assert len(git(monorepo, "log", "--format=%H").splitlines()) == 1
    assert git(monorepo, "status", "--porcelain") == "?? platform/\n"


def test_update_init_git_hook_is_idempotent_and_quiet_without_git(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "a.txt").write_text("a\n")
    hook = [sys.executable, str(INIT_GIT), ".", "Ada", "ada@example.com"]
    first = subprocess.run(hook, cwd=project, capture_output=True, text=True, check=True)
    again = subprocess.run(hook, cwd=project, capture_output=True, text=True, check=True)
    assert "first commit" in first.stdout
    assert "already inside a git repository" in again.stdout
    assert len(git(project, "log", "--format=%H").splitlines()) == 1

    bare = tmp_path / "no-git"
    bare.mkdir()
    python_only = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    assert shutil.which("git", path=python_only["PATH"]) is None
    done = subprocess.run(hook, cwd=bare, env=python_only, capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert not (bare / ".git").exists()


def _without_git_identity(home: Path) -> dict[str, str]:
    """The environment of a machine where git has never been told who the user is."""
    drop = {f"GIT_{who}_{what}" for who in ("AUTHOR", "COMMITTER") for what in ("NAME", "EMAIL")}
    drop |= {"EMAIL", "XDG_CONFIG_HOME"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    return {
        **env,
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": str(home / "no-gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        # git would otherwise guess an identity from the host; make it refuse, as many machines do.
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "user.useConfigOnly",
        "GIT_CONFIG_VALUE_0": "true",
    }


def _conflicts(project: Path) -> list[str]:
    unmerged = git(project, "ls-files", "-u").strip()
    markers = subprocess.run(
        ["git", "grep", "-lE", "^(<<<<<<<|>>>>>>>) "], cwd=project, capture_output=True, text=True
    ).stdout.split()
    rejects = list(project.rglob("*.rej"))
    return [*filter(None, unmerged.splitlines()), *markers, *map(str, rejects)]


def test_update_keeps_user_edits_without_conflicts(tmp_path: Path) -> None:
    template = template_snapshot(tmp_path / "template")
    project = _committed_project(tmp_path, template, "v0.1.0")

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


def test_update_rendered_make_update_fails_on_a_real_conflict_and_keeps_user_values(
    tmp_path: Path,
) -> None:
    """The real `make update` (its target, copier, scripts/check_conflicts.sh) on a project whose
    user and template changed the same line: non-zero exit, the file listed, .env and the
    user's own files untouched; once resolved, the check passes."""
    template = template_snapshot(tmp_path / "template")
    project = _committed_project(tmp_path, template, "v0.1.0")

    readme = project / "README.md"
    _title, rest = readme.read_text().split("\n", 1)
    readme.write_text("# Our platform (edited by the team)\n" + rest)
    (project / "docs" / "team.md").write_text("# Team notes\n")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "our edits")
    env_file = project / ".env"
    env_file.write_text(env_file.read_text() + "OUR_OWN_SETTING=kept\n")
    env_before = env_file.read_text()

    tpl_readme = template / "template" / "README.md.jinja"
    tpl_title, tpl_rest = tpl_readme.read_text().split("\n", 1)
    assert tpl_title.startswith("# "), "the README's first line is its title"
    tpl_readme.write_text(tpl_title + " (rendered by data-platform-template)\n" + tpl_rest)
    git(template, "commit", "-qam", "template v0.2.0: a new title")
    git(template, "tag", "v0.2.0")

    done = subprocess.run(
        ["make", "--no-print-directory", "update", f"COPIER={sys.executable} -m copier"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert done.returncode != 0, done.stdout + done.stderr
    assert "left conflicts" in done.stderr
    assert "  README.md" in done.stderr.splitlines(), done.stderr
    assert "<<<<<<<" in readme.read_text()
    assert env_file.read_text() == env_before
    assert (project / "docs" / "team.md").read_text() == "# Team notes\n"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v0.2.0"

    readme.write_text("# Our platform (edited by the team)\n" + rest)
    git(project, "add", "README.md")
    done = subprocess.run(
        ["bash", "scripts/check_conflicts.sh"], cwd=project, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_update_from_previous_version_equals_fresh_render(tmp_path: Path) -> None:
    """No user edits: updating v0.1.0 -> HEAD gives exactly what copying HEAD gives."""
    template = template_snapshot(tmp_path / "template")
    project = _committed_project(tmp_path, template, "v0.1.0")

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


def test_update_migration_renames_an_answer_and_keeps_its_value(tmp_path: Path) -> None:
    """A later version renames a question; hooks/migrate.py carries the user's answer over."""
    template = template_snapshot(tmp_path / "template")
    project = _committed_project(tmp_path, template, "v0.1.0", schedule_cron="15 2 * * *")

    copier_yml = template / "copier.yml"
    text = copier_yml.read_text().replace("schedule_cron", "pipeline_schedule")
    migration = (
        "_migrations:\n"
        "  - version: v0.2.0\n"
        "    when: \"{{ _stage == 'before' }}\"\n"
        '    command: ["{{ _copier_python }}", "{{ _copier_conf.src_path }}/hooks/migrate.py",'
        ' "rename-answer", "schedule_cron", "pipeline_schedule"]\n'
    )
    copier_yml.write_text(migration + text)
    for path in (template / "template").rglob("*.jinja"):
        path.write_text(path.read_text().replace("schedule_cron", "pipeline_schedule"))
    git(template, "add", "-A")
    git(template, "commit", "-q", "-m", "v0.2.0: schedule_cron is now pipeline_schedule")
    git(template, "tag", "v0.2.0")

    run_update(str(project), defaults=True, overwrite=True, unsafe=True, quiet=True, vcs_ref="HEAD")

    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["pipeline_schedule"] == "15 2 * * *"
    assert "schedule_cron" not in answers
    stack = yaml.safe_load((project / "config/stack_config.yaml").read_text())
    assert stack["platform"]["orchestrator"]["config"]["schedule"] == "15 2 * * *"
    assert _conflicts(project) == []


def _requirements(tool) -> dict[str, str]:
    """Answers that give ``tool`` what it `requires` of other layers (the first implemented
    tool each requirement allows): the project it is switched on already has them."""
    answers = {}
    for layer_id, allowed in tool.requires.items():
        layer = CATALOG.layer(layer_id)
        answers[layer.question] = next(t.id for t in layer.implemented if t.id in allowed)
    return answers


def _answer_changes() -> list[tuple[str, object, object, dict[str, str]]]:
    """(question, from, to, other answers) for every layer that has more than one implemented
    choice: switch a single-choice layer to each other choice (in a project that already has
    what that choice requires); remove each mart from a set and add it back."""
    changes: list[tuple[str, object, object, dict[str, str]]] = []
    for layer in CATALOG.layers:
        ids = [t.id for t in layer.implemented]
        q, default = layer.question, layer.default
        if layer.multiselect:
            for choice in ids:
                more = [i for i in ids if i in default or i == choice]
                fewer = [i for i in more if i != choice]
                if fewer:
                    changes += [(q, more, fewer, {}), (q, fewer, more, {})]
        else:
            changes += [
                (q, default, other, _requirements(layer.tool(other)))
                for other in ids
                if other != default
            ]
    return changes


CHANGES = _answer_changes()


@pytest.mark.parametrize(
    ("question", "before", "after", "others"),
    CHANGES,
    ids=[f"{q}:{b}->{a}" + "".join(f",{k}={v}" for k, v in o.items()) for q, b, a, o in CHANGES],
)
def test_update_changing_an_answer_equals_a_fresh_render(
    question: str, before: object, after: object, others: dict[str, str], tmp_path: Path
) -> None:
    """`copier update --data` switches a layer: the old choice's files go, the user's own edits
    (a dbt model, a README line) stay, and the rest equals a fresh render; checks still pass."""
    assert compatible(CATALOG, {**default_answers(CATALOG), **others, question: before})
    template = template_snapshot(tmp_path / "template")
    project = _committed_project(tmp_path, template, **others, **{question: before})
    model = project / "transform" / "models" / "team" / "team_kpis.sql"
    model.parent.mkdir(parents=True)
    model.write_text("select 1 as kpi\n")
    readme = project / "README.md"
    note = "\n## Team notes\n\nOwned by the data team.\n"
    readme.write_text(readme.read_text() + note)
    git(project, "add", "-A")
    git(project, "commit", "-qm", "our edits")

    run_update(
        str(project),
        data={question: after},
        defaults=True,
        overwrite=True,
        unsafe=True,
        quiet=True,
        vcs_ref="HEAD",
    )
    fresh = render(tmp_path / "fresh", template=template, **others, **{question: after})

    assert _conflicts(project) == []
    assert model.read_text() == "select 1 as kpi\n"
    assert readme.read_text().endswith(note)
    model.unlink()
    model.parent.rmdir()
    readme.write_text(readme.read_text().removesuffix(note))
    assert tree_digest(project) == tree_digest(fresh)
    manifest, blobs = read_tree(project, ignore=(".env",))
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    matrix = Matrix([answers], [manifest], blobs)
    report = validate(matrix, *default_tools())
    assert report.failures == []
