"""Which answer sets the matrix covers, enumerated from the catalog (never a hand-typed list)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from extensions.catalog import Catalog


def _subsets(ids: list[str]) -> Iterator[list[str]]:
    for size in range(1, len(ids) + 1):
        yield from (list(c) for c in itertools.combinations(ids, size))


def _constraints_hold(catalog: Catalog, answers: dict, kind: str) -> bool:
    """Whether every chosen tool's constraints ``kind`` (``requires``, ``e2e_requires``) hold."""
    picked = catalog.selected(answers)
    chosen: dict[str, set[str]] = {lyr.id: set() for lyr, _ in picked}
    for lyr, tool in picked:
        chosen[lyr.id].add(tool.id)
    return all(
        chosen.get(other, set()) <= set(allowed)
        for _, tool in picked
        for other, allowed in getattr(tool, kind).items()
    )


def compatible(catalog: Catalog, answers: dict) -> bool:
    """Whether every tool's ``requires`` (declared in the catalog) holds for ``answers``."""
    return _constraints_hold(catalog, answers, "requires")


def runnable(catalog: Catalog, answers: dict) -> bool:
    """``compatible``, and every tool's ``e2e_requires`` holds: what its end-to-end run here
    needs of the other choices (Superset reads the warehouse through the warehouse's dialect,
    and the Databricks twin, Spark, has no SQL endpoint for it)."""
    return compatible(catalog, answers) and _constraints_hold(catalog, answers, "e2e_requires")


def combinations(catalog: Catalog, *, valid: bool = True) -> list[dict]:
    """Answer sets for every combination of implemented tools (``valid``: compatible ones).

    One implemented tool per single-choice layer times every non-empty subset of the
    multiselect layers; ``valid=False`` gives the pairs the catalog declares incompatible
    (copier refuses those itself).
    """
    axes: list[list[tuple[str, object]]] = []
    for layer in catalog.layers:
        ids = [t.id for t in layer.implemented]
        options = list(_subsets(ids)) if layer.multiselect else ids
        axes.append([(layer.question, option) for option in options])
    return [
        dict(combo)
        for combo in itertools.product(*axes)
        if compatible(catalog, dict(combo)) == valid
    ]


def default_answers(catalog: Catalog) -> dict:
    """Every layer question with its default: the default platform's cell."""
    return {layer.question: layer.default for layer in catalog.layers}


def light_answers(catalog: Catalog) -> dict:
    """The default answers with each heavy default (`e2e: once` or `alone`, such as Superset)
    swapped for its layer's first all-pairs tool: the base the other cells start from, so the
    default's heavy tools run in the default cell only, not in every cell."""
    answers = default_answers(catalog)
    for layer in catalog.layers:
        if layer.multiselect or layer.tool(layer.default).e2e == "pairwise":
            continue
        light = [t.id for t in layer.implemented if t.runs_locally and t.e2e == "pairwise"]
        if light:
            answers[layer.question] = light[0]
    return answers


def _light(layer) -> list[str]:
    """A single-choice layer's locally runnable tools that join the all-pairs subset: the
    `e2e: pairwise` ones (the default alone when every one is `e2e: once`)."""
    local = [t for t in layer.implemented if t.runs_locally]
    light = [t.id for t in local if t.e2e == "pairwise"]
    return light or ([layer.default] if local else [])


def pairwise(catalog: Catalog) -> list[dict]:
    """An all-pairs subset of the locally runnable combinations, for end-to-end runs.

    Tools marked `e2e: once` in the catalog (heavy ones) are left out here: :func:`once`
    gives each of them its own cell.

    Every pair of choices of two single-choice layers appears in at least one combination
    (greedy covering); multiselect layers take all their locally runnable choices at once.
    One more combination narrows every multiselect layer to a single choice (the light
    answers, else the first covering combination), so a platform missing the other choices
    (no finance mart behind the summary, no mart beside it in dbt) is run too. One such cell
    is enough for what it catches and costs one more e2e cell (~3 min); it takes each layer's
    LAST locally runnable tool in catalog order: the first one is what code and docs tend to
    use as their example (the finance mart's headline figures), and for the marts today that
    is the product mart, whose day-by-day figures also show a time-zone dependence. Derived
    from the catalog, so it moves on when a tool is added at the end of a layer. The default
    cell's pairs count as covered (it runs anyway, first).
    """
    single = [lyr for lyr in catalog.layers if not lyr.multiselect]
    options = {lyr.question: _light(lyr) for lyr in single}
    multi = {
        lyr.question: [t.id for t in lyr.implemented if t.runs_locally]
        for lyr in catalog.layers
        if lyr.multiselect
    }
    if any(not ids for ids in options.values()) or any(not ids for ids in multi.values()):
        return []
    candidates = [
        {**dict(zip(options, values, strict=True)), **multi}
        for values in itertools.product(*options.values())
    ]
    candidates = [c for c in candidates if runnable(catalog, c)]
    questions = list(options)

    def pairs(combo: dict) -> set[tuple]:
        return {
            (a, combo[a], b, combo[b]) for i, a in enumerate(questions) for b in questions[i + 1 :]
        }

    uncovered = set().union(*(pairs(c) for c in candidates)) if candidates else set()
    # The default cell runs anyway (e2e_cells' first): its pairs are covered, also where a
    # heavy default (Superset) keeps it out of the candidates.
    uncovered -= pairs(default_answers(catalog))
    chosen: list[dict] = []
    while uncovered:
        best = max(candidates, key=lambda c: len(pairs(c) & uncovered))
        chosen.append(best)
        uncovered -= pairs(best)
    chosen = chosen or candidates[:1]
    solo = {question: ids[-1:] for question, ids in multi.items() if len(ids) > 1}
    light = light_answers(catalog)
    narrowed = [{**combo, **solo} for combo in ([light] if light in candidates else []) + chosen]
    extra = next((c for c in narrowed if runnable(catalog, c)), None) if solo else None
    return [*chosen, extra] if extra is not None else chosen


def once(catalog: Catalog) -> list[dict]:
    """Cells for the implemented, locally runnable `e2e: once` (heavy) tools, each in exactly
    one cell, packed: heavy tools of different layers share a cell (an Airflow cell can also be
    the GCS cell), so the suite pays for as many heavy cells as the layer with the most heavy
    tools has, not one per tool. Layers with the most heavy tools are placed first; each tool
    goes to the runnable cell with the fewest heavy tools so far whose layer is still free
    (a new cell while there are fewer cells than that busiest layer has tools), so the cells
    stay about equally heavy. A cell starts from the light answers (:func:`light_answers`: the
    default ones without their heavy tools) or, when a tool `requires` other choices, the
    first all-pairs combination it is compatible with. Then each `e2e: alone` tool gets a cell
    of its own, built the same way, never shared. A heavy tool that is its layer's default
    runs in the default cell (:func:`e2e_cells`' first), not here."""
    default = light_answers(catalog)
    fallbacks = pairwise(catalog)
    heavy = [
        (
            layer,
            [
                t
                for t in layer.implemented
                if t.runs_locally and t.e2e == "once" and t.id != layer.default
            ],
        )
        for layer in catalog.layers
        if not layer.multiselect
    ]
    heavy = sorted((item for item in heavy if item[1]), key=lambda item: -len(item[1]))
    most = max((len(tools) for _, tools in heavy), default=0)
    cells: list[dict] = []
    swapped: list[set[str]] = []  # per cell: the layers a heavy tool took
    for layer, tools in heavy:
        for tool in tools:
            options = [
                (len(swapped[i]), i, {**cell, layer.question: tool.id})
                for i, cell in enumerate(cells)
                if layer.question not in swapped[i]
            ]
            options = [option for option in options if runnable(catalog, option[2])]
            if len(cells) < most or not options:
                for base in (default, *fallbacks):
                    cell = {**base, layer.question: tool.id}
                    if runnable(catalog, cell):
                        options.append((0, len(cells), cell))
                        break
            if not options:
                raise ValueError(f"{layer.id}={tool.id}: no runnable cell to run it end to end")
            _, index, cell = min(options, key=lambda option: option[:2])
            if index == len(cells):
                cells.append(cell)
                swapped.append(set())
            cells[index] = cell
            swapped[index].add(layer.question)
    for layer in catalog.layers:  # `e2e: alone`: a cell of its own, never packed
        for tool in layer.implemented:
            if layer.multiselect or not tool.runs_locally or tool.e2e != "alone":
                continue
            if tool.id == layer.default:  # the default cell runs it
                continue
            for base in (default, *fallbacks):
                cell = {**base, layer.question: tool.id}
                if runnable(catalog, cell):
                    cells.append(cell)
                    break
            else:
                raise ValueError(f"{layer.id}={tool.id}: no runnable cell to run it end to end")
    return cells


def e2e_cells(catalog: Catalog) -> list[dict]:
    """Every cell the end-to-end suite runs: the default first, the all-pairs subset, then the
    heavy (`e2e: once`) tools' packed cells; no cell twice."""
    default = default_answers(catalog)
    cells = [default]
    for cell in (*pairwise(catalog), *once(catalog)):
        if cell not in cells:
            cells.append(cell)
    return cells


def combo_id(answers: dict) -> str:
    return "-".join("+".join(v) if isinstance(v, list) else str(v) for v in answers.values())


def shard_of(answers: dict) -> str:
    """CI shards the matrix by orchestrator x warehouse: one job per pair."""
    return f"{answers['orchestrator']}-{answers['warehouse']}"
