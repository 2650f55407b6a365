"""``python -m <package>.orchestration.airflow``: one DAG run, or one Airflow component.

run                  the daily_platform DAG once through `airflow dags test` (a recorded run)
run --retry          the tasks that did not succeed in the last failed run, in a new run
component NAME       one Airflow component with this project's environment (docker-compose):
                     api-server (migrates the metadata database first), scheduler,
                     dag-processor, triggerer
airflow -- ARGS      any airflow command with this project's environment (AIRFLOW_HOME, ...),
                     e.g. airflow -- tasks clear daily_platform -t '^ingest_shop_db$' --yes
"""

from __future__ import annotations

import argparse
import sys

from ...config import load_config
from . import COMPONENTS, AirflowError, component, orchestrate, run_airflow


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.airflow", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="the DAG once through `airflow dags test`")
    run.add_argument("--retry", action="store_true", help="the last failed run's failed tasks")
    serve = commands.add_parser("component", help="one Airflow component (docker-compose)")
    serve.add_argument("name", choices=COMPONENTS)
    serve.add_argument("--host", default="0.0.0.0", help="api-server: address to listen on")
    serve.add_argument("--port", type=int, default=8080, help="api-server: port")
    command = commands.add_parser("airflow", help="any airflow command: airflow -- ARGS")
    command.add_argument("airflow_args", nargs=argparse.REMAINDER, help="arguments for airflow")
    args = parser.parse_args(argv)
    cfg = load_config()
    cfg.apply_runtime_env()
    try:
        if args.command == "airflow":
            airflow_args = (
                args.airflow_args[1:] if args.airflow_args[:1] == ["--"] else args.airflow_args
            )
            return run_airflow(cfg, airflow_args)
        if args.command == "component":
            return component(cfg, args.name, args.host, args.port)
        return orchestrate(cfg, retry=args.retry)
    except AirflowError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
