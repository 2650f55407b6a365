"""Make a freshly copied project a git repository with a first commit (a copier `_task`).

    init_git.py DEST AUTHOR_NAME AUTHOR_EMAIL

`make update` (copier update) needs a git repository, so `copier copy` ends with one. Does
nothing when DEST is already inside a git work tree (a re-run, or a project rendered into a
monorepo: commit it there) and says so, and skips quietly when git is not installed. The
answers' author signs the commit only where git has no identity configured. Touches nothing
outside DEST; `.env` stays out of the commit because the rendered `.gitignore` ignores it.
Never fails the copy: if git refuses (a signing key that is not available, say), it explains
and leaves the repository for the user to commit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

MESSAGE = "Initial commit from data-platform-template"
# Variables that would point git at another repository than DEST.
FOREIGN_GIT_VARS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY")


def _git(dest: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_GIT_VARS}
    return subprocess.run(
        ["git", *args], cwd=dest, env=env, capture_output=True, text=True, check=False
    )


def _configured(dest: Path, key: str) -> bool:
    return bool(_git(dest, "config", "--get", key).stdout.strip())


def init_git(dest: Path, author_name: str, author_email: str) -> str:
    """Initialise DEST and commit everything not ignored; return what was done."""
    if shutil.which("git") is None:
        return ""
    if _git(dest, "rev-parse", "--is-inside-work-tree").stdout.strip() == "true":
        return "git: already inside a git repository; nothing initialised"
    branch = _git(dest, "config", "--get", "init.defaultBranch").stdout.strip() or "main"
    done = _git(dest, "init", "--quiet", "--initial-branch", branch)
    if done.returncode:
        return f"git: `git init` failed, so no repository was created: {done.stderr.strip()}"
    # Only where git has no identity configured (GIT_AUTHOR_* / GIT_COMMITTER_* still win).
    identity: list[str] = []
    if not _configured(dest, "user.name"):
        identity += ["-c", f"user.name={author_name}"]
    if not _configured(dest, "user.email"):
        identity += ["-c", f"user.email={author_email}"]
    _git(dest, "add", "--all")
    done = _git(dest, *identity, "commit", "--quiet", "--no-verify", "--message", MESSAGE)
    if done.returncode:
        return (
            "git: initialised, but the first commit failed; commit by hand before `make update`:"
            f"\n  {done.stderr.strip()}"
        )
    return f"git: initialised a repository on branch {branch} with a first commit"


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    report = init_git(Path(argv[0]).resolve(), argv[1], argv[2])
    if report:
        print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
