"""Runs inside Superset's own environment (``.venv-superset``), never imported by the platform.

``python runner.py import BUNDLE``: imports the bundle folder through Superset's assets
importer, which overwrites what the bundle names (database, datasets, charts, dashboards),
so a second import updates them instead of adding copies or keeping stale charts.
``python runner.py figures BUNDLE``: every chart of the bundle through the chart-data API
(Flask's test client, logged in as the admin: no server), printed as JSON by chart uuid.
The admin's name and password, and the warehouse password, come from the environment.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import yaml

DATABASE_FILE = "databases/warehouse.yaml"


def _contents(bundle: Path) -> dict[str, str]:
    """The bundle's files as the importer reads them; ``assets`` is the importer's type."""
    contents = {
        str(path.relative_to(bundle)): path.read_text(encoding="utf-8")
        for path in sorted(bundle.rglob("*.yaml"))
    }
    metadata = yaml.safe_load(contents["metadata.yaml"])
    contents["metadata.yaml"] = yaml.safe_dump({**metadata, "type": "assets"})
    return contents


def _app() -> Any:
    from superset.app import create_app

    return create_app()


def import_bundle(bundle: Path) -> dict[str, int]:
    password = os.environ.get("SUPERSET_WAREHOUSE_PASSWORD", "")
    with _app().app_context():  # Superset's models import only once its app exists
        from superset import db, security_manager
        from superset.commands.importers.v1.assets import ImportAssetsCommand
        from superset.models.dashboard import Dashboard
        from superset.models.slice import Slice
        from superset.utils.core import override_user

        user = security_manager.find_user(username=os.environ["SUPERSET_ADMIN_USER"])
        if user is None:
            raise SystemExit("the Superset admin does not exist: run the publish step again")
        with override_user(user):
            ImportAssetsCommand(
                _contents(bundle), passwords={DATABASE_FILE: password} if password else {}
            ).run()
        return {
            "dashboards": db.session.query(Dashboard).count(),
            "charts": db.session.query(Slice).count(),
        }


def figures(bundle: Path) -> dict[str, Any]:
    app = _app()
    charts = [
        yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(bundle.glob("charts/*.yaml"))
    ]
    with app.app_context():
        from superset import db
        from superset.models.slice import Slice

        found = db.session.query(Slice.uuid, Slice.id, Slice.slice_name)
        ids = {str(uuid): (pk, name) for uuid, pk, name in found}
    # Each request gets an application context of its own (one shared context would carry the
    # first request's user and session into the next).
    client = app.test_client()
    login = client.post(
        "/api/v1/security/login",
        json={
            "username": os.environ["SUPERSET_ADMIN_USER"],
            "password": os.environ["SUPERSET_ADMIN_PASSWORD"],
            "provider": "db",
            "refresh": False,
        },
    )
    if login.status_code != 200:
        raise SystemExit(f"login as the Superset admin failed: {login.status_code} {login.text}")
    headers = {"Authorization": f"Bearer {login.get_json()['access_token']}"}
    out: dict[str, Any] = {}
    for chart in charts:
        if chart["uuid"] not in ids:
            out[chart["uuid"]] = {"status": 404, "error": "chart not imported", "data": []}
            continue
        pk, name = ids[chart["uuid"]]
        response = client.get(f"/api/v1/chart/{pk}/data/?format=json", headers=headers)
        body = response.get_json(silent=True) or {}
        result = (body.get("result") or [{}])[0]
        out[chart["uuid"]] = {
            "status": response.status_code,
            "title": name,
            "data": result.get("data", []),
            "error": body.get("message") or result.get("error"),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in {"import", "figures"}:
        print("usage: runner.py import|figures BUNDLE_DIR", file=sys.stderr)
        return 2
    bundle = Path(args[1])
    result = import_bundle(bundle) if args[0] == "import" else figures(bundle)
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
