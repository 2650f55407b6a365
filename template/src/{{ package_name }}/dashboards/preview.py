"""``platform dashboards preview``: one static HTML page per dashboard, drawn from the marts.

No server and no network: the figures are queried now and written into the page, and the
charting library is plotly.js as the ``plotly`` PyPI package ships it (``plotly.min.js``),
copied beside the pages. Open ``index.html`` in the preview folder (``build/dashboards/`` unless
``platform.visualization.config.preview_dir`` says otherwise) in any browser. Once a page has
drawn, every chart's element carries ``data-drawn``: what plotly drew (its traces' figures and
the SVG marks it made), which the tests read back in a headless browser.
"""

from __future__ import annotations

import html
import json
import shutil
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..config import StackConfig
from .queries import ChartData, chart_data
from .spec import Spec, load_specs

PAGE = Path(__file__).with_name("preview_page.html")


@dataclass(frozen=True)
class Preview:
    """What a preview wrote: the index page, one page per dashboard, the charts drawn."""

    index: Path
    pages: dict[str, Path]
    charts: int
    seconds: float


def plotly_js() -> Path:
    """plotly.min.js from the installed ``plotly`` package (never a CDN)."""
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


def _chart_payload(data: ChartData) -> dict[str, Any]:
    chart = data.chart
    return {
        "id": chart.id,
        "title": chart.title,
        "kind": chart.kind.value,
        "x": data.x,
        "series": [
            {"name": metric.title, "values": data.series[metric.name]} for metric in chart.metrics
        ],
        "columns": data.columns,
        "rows": data.rows,
    }


def _grid(spec: Spec) -> str:
    cells = []
    for row in spec.dashboard.rows:
        for cell in row:
            chart = spec.dashboard.chart(cell.chart)
            cells.append(
                f'<section class="card" style="grid-column: span {cell.width}">'
                f"<h2>{html.escape(chart.title)}</h2>"
                f'<div class="chart kind-{chart.kind.value}" id="chart-{chart.id}"></div>'
                "</section>"
            )
    return "\n".join(cells)


def _filters(spec: Spec) -> str:
    if not spec.dashboard.filters:
        return ""
    items = ", ".join(
        f"{html.escape(f.title)} ({f.kind.value} on {html.escape(f.column)})"
        for f in spec.dashboard.filters
    )
    return f'<p class="filters">Filters in the BI tool: {items}. The preview shows every row.</p>'


def _page(spec: Spec, payload: list[dict[str, Any]], nav: str) -> str:
    board = spec.dashboard
    # `</` never appears inside the JSON script element (a value cannot close it).
    data = json.dumps(payload).replace("</", "<\\/")
    return (
        PAGE.read_text(encoding="utf-8")
        .replace("{{TITLE}}", html.escape(board.title))
        .replace("{{DESCRIPTION}}", html.escape(board.description))
        .replace("{{NAV}}", nav)
        .replace("{{FILTERS}}", _filters(spec))
        .replace("{{GRID}}", _grid(spec))
        .replace("{{DATA}}", data)
    )


def _nav(specs: list[Spec], current: str | None) -> str:
    links = ['<a href="index.html">All dashboards</a>']
    for spec in specs:
        name = html.escape(spec.dashboard.title)
        cls = ' class="current"' if spec.mart == current else ""
        links.append(f'<a href="{spec.mart}.html"{cls}>{name}</a>')
    return " ".join(links)


def write_preview(cfg: StackConfig, out_dir: Path | None = None) -> Preview:
    """Query every configured mart's dashboard and write the pages; return what was written."""
    started = time.perf_counter()
    specs = load_specs(cfg.dashboard_specs_dir, cfg.marts, cfg.root)
    out = out_dir or cfg.dashboard_preview_dir
    (out / "assets").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(plotly_js(), out / "assets" / "plotly.min.js")
    pages: dict[str, Path] = {}
    charts = 0
    for spec in specs:
        payload = [_chart_payload(chart_data(cfg, spec.mart, c)) for c in spec.dashboard.charts]
        page = out / f"{spec.mart}.html"
        page.write_text(_page(spec, payload, _nav(specs, spec.mart)), encoding="utf-8")
        pages[spec.mart] = page
        charts += len(payload)
    index = out / "index.html"
    items = "\n".join(
        f'<li><a href="{spec.mart}.html">{html.escape(spec.dashboard.title)}</a>: '
        f"{html.escape(spec.dashboard.description)} ({len(spec.dashboard.charts)} charts)</li>"
        for spec in specs
    )
    index.write_text(
        PAGE.read_text(encoding="utf-8")
        .replace("{{TITLE}}", "Dashboards")
        .replace("{{DESCRIPTION}}", "One dashboard per mart, drawn from the warehouse.")
        .replace("{{NAV}}", _nav(specs, None))
        .replace("{{FILTERS}}", "")
        .replace("{{GRID}}", f'<ul class="index" style="grid-column: span 12">{items}</ul>')
        .replace("{{DATA}}", "[]"),
        encoding="utf-8",
    )
    return Preview(index, pages, charts, time.perf_counter() - started)
