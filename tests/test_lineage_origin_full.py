"""The full refresh's origins (a shortcut for models of one parent and one row) equal the general per-model
aggregate (:func:`openscope.derive.lineage.origin.compute`) row for row, on hand-made and random graphs.

Why: :func:`origin.full` sends a model down the general path only when its id has several chosen edges or several
(model, root) rows of depth 2 or more (a model of one parent that is a root has one row, of depth 1); a model with
two deeper rows and a single parent must still get both roots and a ``multiple`` country.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from lineage_graphs import entry, write_jsonl
from test_lineage_property import _tags, graphs

from openscope.derive import lineage
from openscope.derive.lineage import graph, origin
from openscope.jobs.ingest import ingest_file
from openscope.store import open_store

_COLS = "id, depth, n_parents, roots, root_countries, root_regions, root_country, root_region"


def _general(store) -> list[tuple]:
    """Every model's origin by the general aggregate, into a scratch table of the stored shape."""
    con = store.con
    con.execute("CREATE OR REPLACE TEMP TABLE _o_all AS SELECT * FROM lineage_origin LIMIT 0")
    graph.chosen_edges(store)
    origin.compute(store, paths="lineage_paths", out="_o_all")
    rows = con.execute(f"SELECT {_COLS} FROM _o_all ORDER BY id").fetchall()
    con.execute("DROP TABLE _o_all")
    con.execute("DROP TABLE _ce")
    return rows


def _stored(store) -> list[tuple]:
    return store.con.execute(f"SELECT {_COLS} FROM lineage_origin ORDER BY id").fetchall()


def test_one_parent_with_two_deeper_rows(tmp_path) -> None:
    # c has one parent, b; b merges two roots of different countries: c has two rows, both of depth 2
    models = {"meta-llama/base": [], "qwen/base": [], "acme/b": ["meta-llama/base", "qwen/base"], "acme/c": ["acme/b"],
              "acme/d": ["acme/c"], "acme/e": ["meta-llama/base"]}
    path = write_jsonl(tmp_path / "a.jsonl", [entry(v, _tags(v, ps)) for v, ps in models.items()])
    with open_store(tmp_path / "s.duckdb") as store:
        ingest_file(store, path)
        assert lineage.refresh(store, full=True)["mode"] == "full"
        stored = {r[0]: r for r in _stored(store)}
        assert stored["acme/c"][1:4] == (2, 1, ["meta-llama/base", "qwen/base"])
        assert stored["acme/d"][1:4] == (3, 1, ["meta-llama/base", "qwen/base"])
        assert stored["acme/e"][1:4] == (1, 1, ["meta-llama/base"])
        countries = store.con.execute(
            "SELECT count(DISTINCT country) FROM publishers WHERE lower(org) IN ('meta-llama', 'qwen')").fetchone()[0]
        if countries == 2:  # both publishers known, in two countries
            assert stored["acme/c"][6] == "multiple"
        assert _stored(store) == _general(store)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(g=graphs())
def test_full_origins_equal_the_general_aggregate(tmp_path_factory, g: dict[str, list[str]]) -> None:
    d = tmp_path_factory.mktemp("origin")
    with open_store(":memory:") as store:
        ingest_file(store, write_jsonl(d / "a.jsonl", [entry(v, _tags(v, ps)) for v, ps in g.items()]))
        lineage.refresh(store, full=True)
        assert _stored(store) == _general(store)
