"""Parse SQL with sqlglot in one dialect and report what does not parse (a JSON report).

Runs inside the environment that holds the warehouse's dbt adapter and sqlglot (see
``tests/test_warehouse_offline.py``), as ``python sql_check.py < request.json``; the request is
``{"dialect": ..., "commands": [...], "files": {name: sql}}``, the answer ``{name: [problem]}``.

A statement passes when sqlglot parses it into an expression of its own and its parentheses
balance (sqlglot's parser closes one left open). For statements it does
not model (account administration: CREATE ROLE, GRANT ROLE, ...) sqlglot falls back to an opaque
``Command``; such a statement passes only if it starts with one of the request's ``commands``
phrases, so a misspelt keyword (``alter sesion ...``) cannot slip through as a Command.
"""

from __future__ import annotations

import json
import logging
import sys

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType


def problems(sql: str, dialect: str, commands: list[str]) -> list[str]:
    """Why ``sql`` is not valid in ``dialect`` (empty when every statement parses)."""
    try:
        tokens = sqlglot.tokenize(sql, read=dialect)
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except (ParseError, TokenError) as exc:
        return [" ".join(str(exc).split())[:400]]
    # sqlglot closes a parenthesis left open at the end of an expression: count them.
    opened = sum(token.token_type is TokenType.L_PAREN for token in tokens)
    closed = sum(token.token_type is TokenType.R_PAREN for token in tokens)
    if opened != closed:
        return [f"unbalanced parentheses: {opened} opened, {closed} closed"]
    if not statements:
        return ["no SQL statement"]
    found = []
    for statement in statements:
        if not isinstance(statement, exp.Command):
            continue
        words = " ".join(f"{statement.this} {statement.args.get('expression') or ''}".split())
        if not words.lower().startswith(tuple(phrase.lower() for phrase in commands)):
            found.append(f"not understood by sqlglot {sqlglot.__version__}: {words[:120]}")
    return found


def main() -> int:
    logging.getLogger("sqlglot").setLevel(logging.ERROR)  # its Command fallback warnings
    request = json.load(sys.stdin)
    report = {
        name: problems(sql, request["dialect"], request.get("commands", []))
        for name, sql in request["files"].items()
    }
    json.dump(report, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
