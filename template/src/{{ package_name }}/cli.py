"""``platform``: run the data platform from the command line.

platform run         sample data (if missing) -> ingest -> dbt build -> mart summary
platform ingest      sources -> lake bronze (the configured ingestion tool)
platform transform   dbt build: silver, gold, marts and their tests
platform generate    write the sample sources [--scale-factor, --seed; --batch 2: 7 more days]
platform summary     what bronze and the marts hold
platform doctor      check config, environment, lake, warehouse, dbt project and sources
platform dbt -- ARGS any dbt command with this project's paths and environment
platform lake init   create the lake (bucket or folder) if it is missing; idempotent
platform dev         the orchestrator's UI on 127.0.0.1 (port from the stack config)
platform orchestrate the pipeline once through the orchestrator's own runner (a recorded run)
platform dashboards  preview|check|publish: static HTML pages; specs vs dbt; to the BI tool
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from .config import ConfigError, StackConfig, load_config
from .sample.schema import SOURCE_TABLES
from .warehouse import WarehouseUnreachable

# sqlglot's deprecated Rust tokenizer (sqlglotrs, installed by a dependency's `sqlglot[rs]`) warns
# twice on import: "sqlglotrs is deprecated ..." (DeprecationWarning) and "sqlglot[rs] is
# deprecated ..." (UserWarning). Not actionable here; pyproject.toml's pytest filter matches both.
warnings.filterwarnings("ignore", message=r"sqlglot(rs|\[rs\]) is deprecated")

OK = "[green]OK  [/green]"
FAIL = "[red]FAIL[/red]"

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def _progress(*columns: Any) -> Progress:
    """A transient progress display; silent when the output is not a terminal (logs, CI)."""
    return Progress(*columns, console=console, transient=True, disable=not console.is_terminal)


class StepFailed(Exception):
    """A pipeline step failed; the message says which and why."""


@contextmanager
def _spinner(description: str) -> Iterator[Progress]:
    with _progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()
    ) as progress:
        progress.add_task(description, total=None)
        yield progress


def _rows(rows: dict[str, int]) -> str:
    return ", ".join(f"{table} {count:,}" for table, count in rows.items())


def _step(name: str, detail: str, seconds: float) -> None:
    console.print(f"{OK} {name:<22} {escape(detail)}  [dim]{seconds:.2f} s[/dim]")


# ------------------------------------------------------------------------------- steps
def step_generate(
    cfg: StackConfig, seed: int | None, scale_factor: float | None, batch: int = 1
) -> None:
    from .pipeline.ingest import generate_sample_data
    from .sample.generator import GenerationError, SamplePaths, SampleSizes
    from .sample.store import read_meta

    sf = cfg.sample.scale_factor if scale_factor is None else scale_factor
    if batch > 1:
        sf = float(read_meta(SamplePaths.from_config(cfg).store).get("scale_factor", sf))
    total = SampleSizes.for_scale(sf).orders // (1 if batch == 1 else 12)
    started = time.perf_counter()
    with _progress(
        TextColumn("generate sample data"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    ) as progress:
        task = progress.add_task("orders", total=total)

        def advance(table: str, rows: int) -> None:
            if table == "orders":
                progress.advance(task, rows)

        try:
            counts = generate_sample_data(
                cfg, seed=seed, scale_factor=sf, batch=batch, progress=advance
            )
        except GenerationError as exc:
            raise StepFailed(str(exc)) from None
    name = f"generate batch {batch} (SF {sf:g})"
    _step(name, f"{_rows(counts)} rows", time.perf_counter() - started)
    if batch == 1 and cfg.module("data_lake").bronze_tables(cfg):
        console.print(
            "[yellow]note:[/yellow] earlier loads exist; incremental ingest skips rows older "
            "than the last load. For a fresh start: make clean"
        )


def step_ensure_sample(cfg: StackConfig) -> None:
    from .pipeline.ingest import sample_data_present

    if sample_data_present(cfg):
        console.print(f"{OK} {'sample data':<22} present in {_relative(cfg, cfg.sources_dir)}")
        return
    step_generate(cfg, seed=None, scale_factor=None)


def step_ingest(cfg: StackConfig, sources: tuple[str, ...]) -> None:
    from .pipeline.ingest import IngestError, api_endpoint, run_source

    with api_endpoint(cfg) as api_url:
        for source in sources:
            with _spinner(f"ingest {source}"):
                try:
                    load = run_source(cfg, source, api_base_url=api_url)
                except IngestError as exc:
                    raise StepFailed(str(exc)) from None
            _step(f"ingest {source}", f"{_rows(load.rows)} rows", load.seconds)


def step_transform(cfg: StackConfig, extra: list[str]) -> None:
    from .pipeline.transform import run_dbt

    with _progress(
        SpinnerColumn(), TextColumn("dbt build: {task.completed} nodes done"), TimeElapsedColumn()
    ) as progress:
        task = progress.add_task("dbt", total=None)

        def on_event(event: Any) -> None:
            if event.info.name == "NodeFinished":
                progress.advance(task)

        run = run_dbt(cfg, ["build", "--quiet", *extra], callbacks=[on_event])
    statuses = ", ".join(f"{status} {count}" for status, count in sorted(run.statuses.items()))
    if not run.success:
        details = "\n  ".join(run.failures) or "see dbt's log (transform/logs/dbt.log)"
        raise StepFailed(f"dbt build failed ({statuses}):\n  {details}")
    _step("dbt build", f"{run.nodes} nodes ({statuses})", run.seconds)


def step_summary(cfg: StackConfig) -> None:
    from .pipeline.summary import mart_summary

    bronze = cfg.module("data_lake").bronze_tables(cfg)
    if bronze:
        table = Table(title="bronze (lake)", title_justify="left")
        table.add_column("source/table")
        table.add_column("files", justify="right")
        table.add_column("rows", justify="right")
        for item in bronze:
            table.add_row(f"{item.source}/{item.table}", str(item.files), f"{item.rows:,}")
        console.print(table)
    summary = mart_summary(cfg)
    marts = Table(title="marts (warehouse)", title_justify="left")
    marts.add_column("table")
    marts.add_column("rows", justify="right")
    for name, rows in summary.tables.items():
        marts.add_row(name, f"{rows:,}")
    console.print(marts)
    if summary.revenue:
        r = summary.revenue
        console.print(
            f"revenue {r['first_day']} .. {r['last_day']} ({r['days']} days): "
            f"{r['orders']:,} orders, gross {r['gross_revenue']:,.2f}, "
            f"average order {r['average_order_value']:,.2f}"
        )
    if summary.payment_mix:
        mix = Table(title="payment mix (succeeded payments)", title_justify="left")
        for column in ("method", "payments", "amount", "share"):
            mix.add_column(column, justify="left" if column == "method" else "right")
        for row in summary.payment_mix:
            mix.add_row(
                row["payment_method"],
                f"{row['payment_count']:,}",
                f"{row['total_amount']:,.2f}",
                f"{row['share_of_amount']:.2%}",
            )
        console.print(mix)


def step_preview(cfg: StackConfig) -> None:
    from .dashboards.preview import write_preview
    from .dashboards.spec import SpecError

    try:
        preview = write_preview(cfg)
    except SpecError as exc:
        raise StepFailed(f"dashboard spec:\n{exc}") from None
    detail = f"{len(preview.pages)} dashboards, {preview.charts} charts"
    _step("dashboards preview", detail, preview.seconds)
    console.print(f"dashboards preview: {escape(str(preview.index))}")


def _relative(cfg: StackConfig, path: Path) -> str:
    try:
        return str(path.relative_to(cfg.root))
    except ValueError:
        return str(path)


# ------------------------------------------------------------------------------- commands
def cmd_run(cfg: StackConfig, args: argparse.Namespace) -> int:
    from .pipeline.ingest import SOURCE_NAMES

    started = time.perf_counter()
    step_ensure_sample(cfg)
    step_ingest(cfg, SOURCE_NAMES)
    step_transform(cfg, [])
    console.print(f"{OK} {'pipeline':<22} done  [dim]{time.perf_counter() - started:.2f} s[/dim]")
    step_summary(cfg)
    step_preview(cfg)
    return 0


def cmd_ingest(cfg: StackConfig, args: argparse.Namespace) -> int:
    from .pipeline.ingest import SOURCE_NAMES

    step_ensure_sample(cfg)
    step_ingest(cfg, tuple(args.source or SOURCE_NAMES))
    return 0


def cmd_transform(cfg: StackConfig, args: argparse.Namespace) -> int:
    step_transform(cfg, ["--select", *args.select] if args.select else [])
    return 0


def cmd_generate(cfg: StackConfig, args: argparse.Namespace) -> int:
    step_generate(cfg, seed=args.seed, scale_factor=args.scale_factor, batch=args.batch)
    return 0


def cmd_summary(cfg: StackConfig, args: argparse.Namespace) -> int:
    step_summary(cfg)
    return 0


def cmd_dbt(cfg: StackConfig, args: argparse.Namespace) -> int:
    from .pipeline.transform import run_dbt

    dbt_args = list(args.dbt_args)
    if dbt_args[:1] == ["--"]:
        dbt_args = dbt_args[1:]
    if not dbt_args:
        raise StepFailed("usage: platform dbt -- COMMAND [ARGS] (e.g. platform dbt -- ls)")
    return 0 if run_dbt(cfg, dbt_args).success else 1


def cmd_lake_init(cfg: StackConfig, args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        done = cfg.module("data_lake").init(cfg)
    except Exception as exc:  # the lake's own error (unreachable, refused, ...)
        raise StepFailed(f"lake init failed: {exc} (`platform doctor` says why)") from None
    _step("lake init", done, time.perf_counter() - started)
    return 0


def cmd_dashboards(cfg: StackConfig, args: argparse.Namespace) -> int:
    if args.action == "preview":
        step_preview(cfg)
        return 0
    if args.action == "publish":
        from .dashboards import PublishError

        started = time.perf_counter()
        try:
            detail = cfg.module("visualization").publish(cfg)
        except PublishError as exc:
            raise StepFailed(f"dashboards publish: {exc}") from None
        tool = cfg.tool("visualization")
        _step(f"dashboards publish ({tool})", detail, time.perf_counter() - started)
        return 0
    from .dashboards.check import check_specs
    from .dashboards.spec import SpecError

    started = time.perf_counter()
    try:
        specs, problems = check_specs(cfg)
    except SpecError as exc:
        raise StepFailed(f"dashboard spec:\n{exc}") from None
    if problems:
        raise StepFailed("dashboard specs name what the dbt project lacks:\n" + "\n".join(problems))
    charts = sum(len(spec.dashboard.charts) for spec in specs)
    detail = f"{len(specs)} specs, {charts} charts: every model and column exists"
    _step("dashboards check", detail, time.perf_counter() - started)
    return 0


def cmd_orchestrate(cfg: StackConfig, args: argparse.Namespace) -> int:
    cmd_lake_init(cfg, args)
    return cfg.module("orchestration").orchestrate(cfg)


def cmd_dev(cfg: StackConfig, args: argparse.Namespace) -> int:
    cmd_lake_init(cfg, args)  # a fresh lake (a new MinIO volume, a new bucket) works at once
    return cfg.module("orchestration").dev(cfg, args.host, args.port)


def cmd_doctor(config_path: Path | None) -> int:
    from .doctor import run_checks

    failed = 0
    for check in run_checks(config_path):
        console.print(f"{OK if check.ok else FAIL} {check.name:<22} {escape(check.detail)}")
        if not check.ok:
            failed += 1
            if check.fix:
                console.print(f"     [dim]fix:[/dim] {escape(check.fix)}")
    if failed:
        err_console.print(f"[red]{failed} check(s) failed[/red]")
        return 1
    console.print("all checks passed")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="platform",
        description="Run the data platform: sources -> lake (bronze) -> dbt (silver, gold, marts).",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="stack config file (default: $PLATFORM_CONFIG or config/stack_config.yaml)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Callable[..., int], help_text: str) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(handler=handler)
        return command

    add("run", cmd_run, "generate sample data if missing, ingest, dbt build, print the marts")
    ingest = add("ingest", cmd_ingest, "load the sources into the lake's bronze zone")
    ingest.add_argument(
        "--source",
        action="append",
        choices=tuple(SOURCE_TABLES),
        help="only this source (repeatable)",
    )
    transform = add("transform", cmd_transform, "dbt build: silver, gold, marts and tests")
    transform.add_argument("--select", nargs="+", help="dbt node selection")
    generate = add(
        "generate", cmd_generate, "write the sample sources (batch 1: the first 90 days)"
    )
    generate.add_argument("--scale-factor", type=float, help="rows scale (1 ~ 1M order lines)")
    generate.add_argument("--seed", type=int, help="random seed (same seed, same data)")
    generate.add_argument(
        "--batch",
        type=int,
        default=1,
        help="2, 3, ...: append the next 7 days (new, changed and late rows) to the sources",
    )
    add("summary", cmd_summary, "print what bronze and the marts hold")
    add("doctor", cmd_doctor, "check config, env vars, lake, warehouse, dbt and sources")
    dbt = add("dbt", cmd_dbt, "run any dbt command with this project's paths: dbt -- ARGS")
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER, help="arguments for dbt")
    lake = add("lake", cmd_lake_init, "manage the data lake: lake init")
    lake.add_argument("action", choices=["init"], help="init: create the lake if it is missing")
    dashboards = add(
        "dashboards", cmd_dashboards, "dashboards as code: preview (static HTML), check (vs dbt)"
    )
    dashboards.add_argument(
        "action",
        choices=["preview", "check", "publish"],
        help="preview: static HTML pages from the marts; check: specs vs dbt's manifest; "
        "publish: to the chosen BI tool",
    )
    add(
        "orchestrate",
        cmd_orchestrate,
        "run the pipeline once through the orchestrator's own runner (recorded in its UI)",
    )
    dev = add("dev", cmd_dev, "start the orchestrator's UI (and scheduler) for this project")
    dev.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    dev.add_argument("--port", type=int, help="port (default: orchestrator.config.port)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.handler is cmd_doctor:
        return cmd_doctor(args.config)
    try:
        cfg = load_config(args.config)
        cfg.apply_runtime_env()
        return args.handler(cfg, args)
    except ConfigError as exc:
        err_console.print("[red]configuration error[/red]")
        err_console.print(str(exc), markup=False)
        return 2
    except (StepFailed, FileNotFoundError, WarehouseUnreachable) as exc:
        err_console.print(f"[red]error:[/red] {escape(str(exc))}")
        return 1
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/yellow]")
        return 130


if __name__ == "__main__":
    sys.exit(main())
