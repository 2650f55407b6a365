"""The data lake: one module per provider (``lake/<provider>.py``) exposing ``Settings``,
``runtime_env(cfg)``, ``bronze_url(cfg)``, ``bronze_tables(cfg)``, ``bronze_filesystem(cfg)``,
``object_store(cfg)``, ``init(cfg)``, ``isolated_settings(root)`` and ``check(cfg)``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Modules of this package that are not lakes (code the lakes share).
SHARED_MODULES = ("s3_common", "fsspec_common")


@dataclass(frozen=True)
class BronzeTable:
    """One bronze table as the lake holds it: its files and rows (from parquet footers)."""

    source: str
    table: str
    files: int
    rows: int
    location: str


@dataclass(frozen=True)
class ObjectStore:
    """How a lake is reached over the network, whatever reads or writes it: the ingestion
    tool's writer and a warehouse reading bronze in place turn this into their own settings.
    ``endpoint_url`` is None for the cloud provider itself. The S3 lakes fill the key fields;
    the others (GCS, Azure) fill ``options`` and, where a client wants one, ``credentials``."""

    protocol: str
    bucket: str
    prefix: str
    region: str
    endpoint_url: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    # Keyword arguments of the protocol's fsspec filesystem (gcsfs, adlfs): the credentials and
    # the endpoint, the one rule every Python reader and writer of the lake follows.
    options: dict[str, Any] = field(default_factory=dict, repr=False)
    # The provider SDK's credentials object (google-auth) for clients that take one; None:
    # the provider's default chain.
    credentials: Any = field(default=None, repr=False)

    @property
    def use_ssl(self) -> bool:
        return self.endpoint_url is None or self.endpoint_url.startswith("https://")

    @property
    def endpoint_host(self) -> str | None:
        """``host:port`` of a custom endpoint (what DuckDB's S3 secret wants)."""
        if self.endpoint_url is None:
            return None
        return self.endpoint_url.split("://", 1)[-1].rstrip("/")
