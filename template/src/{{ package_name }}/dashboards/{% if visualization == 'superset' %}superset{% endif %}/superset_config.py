"""Superset's configuration for this project (``SUPERSET_CONFIG_PATH`` points here): the
metadata database and the secret key come from the environment the platform sets
(``platform dashboards publish``, the compose service), never from this file."""

import os

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = os.environ["SUPERSET_METADATA_URL"]
# The bundled examples, and the telemetry of the UI, stay off.
SUPERSET_LOAD_EXAMPLES = False
FEATURE_FLAGS = {"DASHBOARD_RBAC": False}
