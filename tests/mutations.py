"""`make mutate`: break one promised behaviour at a time and check that a test catches it.

Each mutation replaces one exact snippet in one file, either of the default rendered platform
(``platform``) or of the template repository (``template``), runs only the tests that should
catch it, and restores the file. The work happens in a temporary copy of this checkout (as
it is, committed or not) and a platform rendered from it; nothing here is touched. Prints a
table (mutation, caught by, seconds) and exits 1 if a mutation survives or no longer applies.

    python -m tests.mutations                 # every mutation
    python -m tests.mutations -k update       # those whose name contains "update"
    python -m tests.mutations --list          # the list, without running it

Not part of `make test` (one mutation can cost minutes: the pipeline tests rebuild the
platform). docs/testing.md holds the last table; add a tool's mutations with the tool.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from copier import run_copy

from .conftest import template_snapshot

PLATFORM = "platform"
TEMPLATE = "template"
PACKAGE = "acme_data_platform"  # the default project's package
DLT = f"src/{PACKAGE}/ingestion/dlt"
READERS = f"src/{PACKAGE}/ingestion/readers"


@dataclass(frozen=True)
class Mutation:
    name: str
    where: str  # PLATFORM (the rendered default project) or TEMPLATE (this repository)
    path: str
    old: str
    new: str
    tests: tuple[str, ...]  # pytest arguments, run where the file is
    env: tuple[tuple[str, str], ...] = ()


MUTATIONS: tuple[Mutation, ...] = (
    Mutation(
        "quarantine: zero quantity reaches silver (<= 0 becomes < 0)",
        PLATFORM,
        "transform/macros/silver.sql",
        "{{ '<= 0' if column.check == 'positive' else '< 0' }}",
        "{{ '< 0' if column.check == 'positive' else '< 0' }}",
        ("tests/test_pipeline.py", "-k", "batch1_every_bronze_row"),
    ),
    Mutation(
        "quarantine: invalid e-mails reach silver",
        PLATFORM,
        "transform/macros/silver.sql",
        "when {{ column.name }} is not null and not {{ is_valid_email(column.name) }}",
        "when false and not {{ is_valid_email(column.name) }}",
        ("tests/test_pipeline.py", "-k", "batch1_every_bronze_row"),
    ),
    Mutation(
        "incremental: current silver rows no longer compete with late versions",
        PLATFORM,
        "transform/macros/silver.sql",
        "    select * from valid\n    {%- if is_incremental() %}",
        "    select * from valid\n    {%- if false %}",
        ("tests/test_pipeline.py", "-k", "incremental_build_equals_a_full_refresh"),
    ),
    Mutation(
        "tie-break: the oldest load wins a tie on updated_at",
        PLATFORM,
        "transform/macros/latest_per_key.sql",
        "order by {{ updated_at }} desc, _load_id desc",
        "order by {{ updated_at }} desc, _load_id asc",
        ("tests/test_pipeline.py", "-k", "late_versions_keep_the_current_row_or_win_the_tie"),
    ),
    Mutation(
        "mart comparison: the ground truth repeats a row (a set would hide it)",
        PLATFORM,
        f"src/{PACKAGE}/sample/truth.py",
        "            for method in sorted(counts)\n",
        "            for method in sorted(counts) * 2\n",
        ("tests/test_pipeline.py", "-k", "batch1_marts_equal_ground_truth and payment_mix"),
    ),
    Mutation(
        "time zone: the dbt session no longer runs in UTC (tests under America/New_York)",
        PLATFORM,
        "transform/profiles.yml",
        "        TimeZone: UTC\n",
        "",
        ("tests/test_pipeline.py", "-k", "batch1_marts_equal_ground_truth"),
        (("TZ", "America/New_York"),),
    ),
    Mutation(
        "idempotent re-run: rows at the cursor are loaded again",
        PLATFORM,
        f"{READERS}/cursor.py",
        "pc.greater(moments, pa.scalar(self.start, type=INSTANT))",
        "pc.greater_equal(moments, pa.scalar(self.start, type=INSTANT))",
        ("tests/test_ingest.py", "-k", "second_run_adds_nothing"),
    ),
    Mutation(
        "crash recovery: packages of a killed run are not loaded first",
        PLATFORM,
        f"{DLT}/load.py",
        "        if pipeline.has_pending_data:\n",
        "        if False:\n",
        ("tests/test_reliability.py",),
    ),
    Mutation(
        "drift: a column missing from older loads is no longer NULL-filled",
        PLATFORM,
        "transform/macros/silver.sql",
        "{%- if not execute or name in columns -%}",
        "{%- if true -%}",
        ("tests/test_pipeline.py", "-k", "new_column_reaches_bronze_and_silver"),
    ),
    Mutation(
        "update: `make update` no longer checks for conflicts",
        TEMPLATE,
        "template/Makefile.jinja",
        "\t@bash scripts/check_conflicts.sh\n",
        "",
        ("tests/test_update.py", "-k", "real_conflict"),
    ),
    Mutation(
        "update: the .env task rewrites the user's values",
        TEMPLATE,
        "template/scripts/make_env.py",
        'previous = env.read_text(encoding="utf-8") if env.is_file() else None',
        "previous = None",
        ("tests/test_update.py", "-k", "real_conflict"),
    ),
    Mutation(
        "update: the answers file forgets the template version",
        TEMPLATE,
        "template/{{ _copier_conf.answers_file }}.jinja",
        "{{ _copier_answers|to_nice_yaml -}}",
        "{{ _copier_answers|to_nice_yaml|replace('_commit:', '_old_commit:') -}}",
        ("tests/test_update.py", "-k", "keeps_user_edits"),
    ),
    Mutation(
        "refused answers: a bad project name is accepted",
        TEMPLATE,
        "copier.yml",
        'validator: "{{ project_name_problem(project_name) }}"',
        'validator: ""',
        ("tests/test_interactive.py", "-k", "bad_project_name"),
    ),
)

FAILED = re.compile(r"^(?:FAILED|ERROR) (\S+)", re.MULTILINE)


@dataclass
class Outcome:
    mutation: Mutation
    caught_by: list[str]
    seconds: float
    note: str = ""

    @property
    def caught(self) -> bool:
        return bool(self.caught_by)


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{done.stdout}\n{done.stderr}")


def prepare(work: Path) -> dict[str, Path]:
    """A copy of this checkout and the default platform rendered from it, installed."""
    template = template_snapshot(work / "template")
    platform = work / "platform"
    run_copy(str(template), str(platform), defaults=True, unsafe=True, vcs_ref="HEAD", quiet=True)
    _run(["make", "--no-print-directory", "setup"], platform)
    return {TEMPLATE: template, PLATFORM: platform}


def apply(mutation: Mutation, roots: dict[str, Path]) -> Outcome:
    root = roots[mutation.where]
    path = root / mutation.path
    original = path.read_text(encoding="utf-8")
    if original.count(mutation.old) != 1:
        found = original.count(mutation.old)
        return Outcome(mutation, [], 0.0, f"snippet found {found} times in {mutation.path}")
    path.write_text(original.replace(mutation.old, mutation.new), encoding="utf-8")
    if mutation.where == PLATFORM:
        python = [str(root / ".venv" / "bin" / "python")]
    else:
        python = [sys.executable]
    env = {**os.environ, **dict(mutation.env)}
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [*python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *mutation.tests],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        path.write_text(original, encoding="utf-8")
    seconds = time.perf_counter() - started
    caught = sorted({node.split("::")[-1] for node in FAILED.findall(done.stdout)})
    note = ""
    if done.returncode != 0 and not caught:
        caught, note = [], f"pytest exit {done.returncode} without a failed test"
    return Outcome(mutation, caught, seconds, note)


def table(outcomes: list[Outcome]) -> str:
    lines = ["| mutation | where | caught by | seconds |", "|---|---|---|---|"]
    for outcome in outcomes:
        caught = ", ".join(f"`{name}`" for name in outcome.caught_by[:3])
        if len(outcome.caught_by) > 3:
            caught += f" (+{len(outcome.caught_by) - 3})"
        result = caught or f"**SURVIVED** {outcome.note}".strip()
        row = [outcome.mutation.name, outcome.mutation.where, result, f"{outcome.seconds:.0f}"]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only mutations whose name contains this")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if args.k.lower() in m.name.lower()]
    if args.list:
        for mutation in chosen:
            print(f"{mutation.where:9} {mutation.name}  ({' '.join(mutation.tests)})")
        return 0
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="mutate-") as tmp:
        roots = prepare(Path(tmp))
        for mutation in chosen:
            outcome = apply(mutation, roots)
            outcomes.append(outcome)
            state = "caught" if outcome.caught else "SURVIVED"
            print(f"{state:8} {outcome.seconds:5.0f}s  {mutation.name}", flush=True)
    print()
    print(table(outcomes))
    survivors = [o for o in outcomes if not o.caught]
    if survivors:
        print(f"\n{len(survivors)} mutation(s) survived", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
