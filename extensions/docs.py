"""Generate the docs that restate catalog facts: docs/matrix.md, docs/layers/<layer>.md and
the matrix table in README.md.

Run `make docs` (python -m extensions.docs); `--check` exits non-zero when a page is stale, and
the test suite runs that check, so docs never drift from the catalog.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from extensions.catalog import KIND_LABELS, Catalog, Kind, Layer, load_catalog

DOCS = Path(__file__).resolve().parents[1] / "docs"
HEADER = "<!-- generated from extensions/catalog.yaml by `make docs`: do not edit -->\n"
# "{answer}" in a catalog text (filled at render time), shown as "<answer>"; ${VAR} is kept.
_ANSWER = re.compile(r"(?<!\$)\{(\w+)\}")
STATUS = {"implemented": "implemented", "planned": "planned"}


def matrix(catalog: Catalog) -> str:
    lines = [
        HEADER,
        "# The tool matrix",
        "",
        "Every layer and tool the template knows. **Implemented** tools are offered by",
        "`copier copy`; **planned** tools are catalogued (licence, docs) but never offered until",
        "they render a platform that works for real.",
        "",
        "| layer | tool | kind | status | summary |",
        "|---|---|---|---|---|",
    ]
    for layer in catalog.layers:
        for tool in layer.tools:
            lines.append(
                f"| [{layer.label}](layers/{layer.id}.md) | {tool.label} | {tool.kind_labels} "
                f"| {STATUS[tool.status.value]} | {tool.summary} |"
            )
    lines += ["", "## By licence kind (the user's Tool Selection Matrix)", ""]
    lines += ["| layer | " + " | ".join(KIND_LABELS[k] for k in Kind) + " |", "|---|---|---|---|"]
    for layer in catalog.layers:
        cells = [", ".join(t.label for t in layer.tools if kind in t.kinds) or "-" for kind in Kind]
        lines.append(f"| {layer.label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def layer_page(layer: Layer) -> str:
    lines = [
        HEADER,
        f"# {layer.label}",
        "",
        f"Question `{layer.question}`: {layer.help}",
        "",
        f"Default: `{layer.default}`.",
        "",
        "| tool | kind | status | summary |",
        "|---|---|---|---|",
    ]
    for tool in layer.tools:
        label = f"[{tool.label}]({tool.docs})" if tool.docs else tool.label
        lines.append(f"| {label} | {tool.kind_labels} | {tool.status.value} | {tool.summary} |")
    for tool in layer.implemented:
        if not (
            tool.python_dependencies
            or tool.dev_dependencies
            or tool.own_environment
            or tool.env_vars
            or tool.services
        ):
            continue
        lines += ["", f"## {tool.label}", ""]
        if tool.python_dependencies or tool.dev_dependencies:
            lines.append("Pinned Python dependencies of the rendered platform:")
            lines.append("")
            lines += [f"- `{dep}`" for dep in tool.python_dependencies]
            lines += [f"- `{dep}` (dev)" for dep in tool.dev_dependencies]
            lines.append("")
        if tool.own_environment:
            lines.append(
                f"Its own environment (`.venv-{tool.id}/` in the project, created on first use,"
                " never by `make setup`; the platform's steps run in `.venv`):"
            )
            lines.append("")
            lines += [f"- `{dep}`" for dep in tool.own_environment]
            lines.append("")
        if tool.env_vars:
            lines.append("Environment variables (in `.env.example`):")
            lines.append("")
            for var in tool.env_vars:
                if var.secret:
                    shown = " (default a generated secret)"
                else:
                    shown = f" (default `{var.default}`)" if var.default else ""
                lines.append(f"- `{var.name}`: {var.description}{shown}")
            lines.append("")
        if tool.services:
            lines.append("docker-compose services:")
            lines.append("")
            lines += [f"- `{svc.name}`: {svc.description}" for svc in tool.services]
            lines.append("")
        if tool.readme.get("switch"):
            lines.append("From the local twin to production (the rendered README, step by step):")
            lines.append("")
            lines += _ANSWER.sub(r"<\1>", tool.readme["switch"]).rstrip().splitlines()
            lines.append("")
        if tool.readme.get("deploy"):
            lines += ["### Deploying it for real", "", tool.readme["deploy"].strip(), ""]
        if tool.requires:
            needs = "; ".join(f"{k}: {', '.join(v)}" for k, v in tool.requires.items())
            lines += [f"Needs {needs}.", ""]
        if tool.bi_driver:
            driver = ", ".join(f"`{requirement}`" for requirement in tool.bi_driver)
            lines += [f"Reached by Superset through its SQLAlchemy dialect: {driver}.", ""]
        while lines[-1] == "":
            lines.pop()
    return "\n".join(lines) + "\n"


README = DOCS.parent / "README.md"
README_TABLE = (
    "<!-- matrix table: generated by `make docs` -->\n",
    "<!-- end of matrix table -->\n",
)


def readme(catalog: Catalog, current: str) -> str:
    """README.md with its matrix table (between the two marker lines) made from the catalog."""
    start, end = README_TABLE
    head, rest = current.split(start, 1)
    _, tail = rest.split(end, 1)
    rows = ["| layer | implemented | planned |", "|---|---|---|"]
    for layer in catalog.layers:
        cells = [
            ", ".join(t.label for t in layer.tools if t.status.value == status) or "-"
            for status in ("implemented", "planned")
        ]
        rows.append(f"| {layer.label} | " + " | ".join(cells) + " |")
    return head + start + "\n".join(rows) + "\n" + end + tail


def pages(catalog: Catalog) -> dict[Path, str]:
    out = {DOCS / "matrix.md": matrix(catalog)}
    out[README] = readme(catalog, README.read_text(encoding="utf-8"))
    for layer in catalog.layers:
        out[DOCS / "layers" / f"{layer.id}.md"] = layer_page(layer)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a page is out of date")
    args = parser.parse_args(argv)
    stale = []
    for path, text in pages(load_catalog()).items():
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for path in stale:
        verb = "stale" if args.check else "wrote"
        print(f"{verb}: {path.relative_to(DOCS.parent)}", file=sys.stderr)
    if args.check and stale:
        print("run `make docs` to regenerate", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
