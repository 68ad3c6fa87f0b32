"""Every option that takes a value names it in ``--help`` with the word its help text uses (``--since DATE``,
``--limit N``, ``--db PATH``), never a bare Python type (``<str>``, ``<int>``) or click's ``INTEGER``/``FLOAT``.

Why: the help line "--since <str>  Only repositories modified at or after DATE" makes the reader map the two; and
the metavar is what a reader copies into a script. Arguments are named in capitals in the usage line
(``openscope audit [OPTIONS] {PATH}``), as the docs write them.
"""

from __future__ import annotations

import re

import pytest

from openscope.cli import COMMAND_MODULES

# typer >= 0.16 shows an option without a metavar as its Python type; older typer shows click's type names
# (``TEXT`` too, which is also our ``--search`` metavar: a word the help text uses, so not looked for)
_TYPE_WORDS = re.compile(r"<(?:str|int|float|Path|bool)>|\b(?:INTEGER|FLOAT)\b")


def _commands() -> list[str]:
    return sorted(COMMAND_MODULES)


def test_the_app_has_its_commands() -> None:
    # the parametrisation below must not silently shrink to nothing
    assert {"assess", "audit", "crawl", "ingest", "lineage", "model", "sql"} <= set(_commands())


@pytest.mark.parametrize("command", ["", *_commands()])
def test_options_name_their_value(cli, command: str) -> None:
    r = cli(*([command] if command else []), "--help")
    assert r.code == 0, r.stderr
    options = [ln for ln in r.stdout.splitlines() if ln.lstrip().startswith("-")]
    assert options, r.stdout
    bare = [ln.strip() for ln in options if _TYPE_WORDS.search(ln)]
    assert not bare, f"options with a bare type for their value in `openscope {command} --help`: {bare}"


@pytest.mark.parametrize(("command", "usage"), [
    ("audit", "openscope audit [OPTIONS] {PATH}"),
    ("ingest", "openscope ingest [OPTIONS] {FILE}"),
    ("assess", "openscope assess [OPTIONS] [ID|PATH]"),
    ("sql", "openscope sql [OPTIONS] {QUERY}"),
    ("model", "openscope model [OPTIONS] {ID}"),
])
def test_arguments_are_named_in_capitals(cli, command: str, usage: str) -> None:
    r = cli(command, "--help")
    assert r.code == 0, r.stderr
    # (typer < 0.16 writes a required argument without braces: accept either form)
    assert usage in r.stdout or usage.replace("{", "").replace("}", "") in r.stdout, r.stdout.splitlines()[:2]
