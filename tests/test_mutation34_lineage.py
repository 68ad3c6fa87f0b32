"""Lineage's SQL text: behaviour that the ninth mutation round (thirty-fourth session) showed no test asserted.

mutmut does not mutate the text of a statement, so the round changed the SQL of ``derive/lineage/graph.py``,
``origin.py`` and ``publishers.py`` by hand, one predicate, operator or column at a time; docs/reviews.md, "Mutation
testing, ninth round", lists the mutants each test kills. Every expectation is a rule of docs/lineage.md; the stores
are built by the real ingest and the real refresh and read back through the contract's tables and commands.
"""

from __future__ import annotations

import csv
from pathlib import Path

from lineage_graphs import entry, ingest_refresh

from openscope.store import open_store

LATER = "2024-06-01T00:00:00.000Z"


def _rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with open_store(db, read_only=True, create=False) as s:
        return s.con.execute(sql, params or []).fetchall()


# -- the curated publishers table: an empty cell is unknown, never an empty value ------------------------------------

# allura-forge's shipped row names the organisation and nothing else: ATOM states its region unknown and no source
# gives a country, a display name or a kind (publishers.csv leaves those cells empty).
SILENT = "allura-forge"


def test_a_publisher_row_that_states_nothing_reads_null_not_empty(tmp_path: Path, cli) -> None:
    """docs/lineage.md, *Publishers*: a country or region only where a source states it, otherwise unknown, never
    guessed; ``model --json``'s ``publisher`` is the curated row, and a model without parents is its own root. An
    empty CSV cell is unknown (NULL), so the organisation, a root, lists no root country and no root region: a
    model of an unknown origin had ``[None]`` there (the ``model_origin`` view listing its own publisher's country
    without dropping NULL: hand mutants V07, V16; the derivative's, in a full refresh's fast path, OF05, OF12, and in
    the general aggregate, O26, O27). DuckDB's CSV reader already reads an empty cell as NULL; the
    ``nullif``s of ``publishers.load`` are a second guard (their mutants P01-P12 are equivalent)."""
    db = tmp_path / "s.duckdb"
    ingest_refresh(db, [entry(f"{SILENT}/base"), entry("u/ft", (f"base_model:finetune:{SILENT}/base",))], "s",
                   full=True)
    _check_silent(db, cli)
    # the incremental refresh computes the derivative's origin by the general aggregate, the full one by its fast path
    res = ingest_refresh(db, [entry("u/ft", (f"base_model:finetune:{SILENT}/base",), created=LATER)], "later", full=False)
    assert res is not None and res["mode"] == "incremental"
    _check_silent(db, cli)


def _check_silent(db: Path, cli) -> None:
    own = cli("--db", db, "model", f"{SILENT}/base", "--json", "--quiet")
    assert own.code == 0, own.stderr
    assert own.json()["publisher"] == {
        "org": SILENT, "name": None, "organisation": SILENT, "alias_of": None, "country": None, "region": None,
        "kind": None, "country_source": None, "region_source": None}
    ft = cli("--db", db, "model", "u/ft", "--json", "--quiet").json()
    assert [(r["id"], r["country"], r["region"]) for r in ft["lineage"]["roots"]] == [(f"{SILENT}/base", None, None)]
    assert (ft["root_countries"], ft["root_regions"], ft["root_country"], ft["root_region"]) == ([], [], None, None)
    assert _rows(db, "SELECT root_countries, root_country, root_regions, root_region FROM model_origin "
                     "WHERE id IN ('u/ft', ?) ORDER BY id", [f"{SILENT}/base"]) == [([], None, [], None)] * 2


def test_every_source_statement_is_kept_with_whether_it_is_used(tmp_path: Path) -> None:
    """docs/lineage.md, *Publishers*: ``publisher_sources`` holds every statement of every source and which one is
    used. ai21labs: Epoch AI's IL and ATOM's ``us`` used, the ``other`` bucket implied by IL kept unused, each with
    the note saying why; allura-forge: ATOM's "unknown" region kept as a NULL value, not used; a statement without
    a note has a NULL note (hand mutants P10-P13: ``used`` inverted or always true, an empty value or note kept as
    ``''``)."""
    db = tmp_path / "s.duckdb"
    ingest_refresh(db, [entry("u/m")], "s", full=True)
    got = _rows(db, """SELECT org, attribute, value, used, note IS NULL FROM publisher_sources
                       WHERE org IN ('ai21labs', 'allura-forge', '01-ai') ORDER BY org, attribute, value""")
    assert got == [
        ("01-ai", "country", "CN", True, True), ("01-ai", "region", "china", True, True),
        ("ai21labs", "country", "IL", True, False), ("ai21labs", "region", "other", False, False),
        ("ai21labs", "region", "us", True, False),
        ("allura-forge", "region", None, False, False),
    ]
    assert _rows(db, "SELECT count(*) FROM publisher_sources WHERE value = '' OR note = ''") == [(0,)]



def test_new_publisher_data_replaces_the_stored_table_without_doubling_it(tmp_path: Path) -> None:
    """docs/lineage.md, *Publishers*: the shipped CSVs are loaded into ``publishers``, ``publisher_sources`` and
    ``model_publishers`` whenever their content changes (a store refreshed by an older version of openscope). The
    load replaces the tables: each organisation, statement and per-model row once, as shipped. Without the
    ``DELETE`` before each ``INSERT`` (hand mutants P14, P15, P16) a store whose recorded data differs from the
    shipped one held every row twice after its next refresh (the tables have no key to refuse the second copy)."""
    from openscope.derive import lineage as lineage_step
    from openscope.derive.lineage.publishers import data_dir

    def n_csv(name: str) -> int:
        with (data_dir() / name).open(encoding="utf-8", newline="") as fh:
            return sum(1 for _ in csv.DictReader(fh))

    want = [(n_csv("publishers.csv"), n_csv("publishers.csv"), n_csv("publisher_sources.csv"),
             n_csv("model_publishers.csv"))]
    count = """SELECT (SELECT count(*) FROM publishers), (SELECT count(DISTINCT org) FROM publishers),
                      (SELECT count(*) FROM publisher_sources), (SELECT count(*) FROM model_publishers)"""
    db = tmp_path / "s.duckdb"
    ingest_refresh(db, [entry("u/m")], "s", full=True)
    assert _rows(db, count) == want
    with open_store(db) as store:  # the data recorded by the last refresh is not the shipped data
        store.con.execute("UPDATE lineage_state SET value = 'older' WHERE key = 'publishers_hash'")
        assert lineage_step.refresh(store)["reason"] == "publisher data changed"
    assert _rows(db, count) == want

def test_a_model_without_parents_is_its_own_root_in_model_origin(tmp_path: Path) -> None:
    """docs/lineage.md: a model without parents is its own root (depth 0, no parents, the roots list holding itself);
    its root countries and regions are its own publisher's, known or not. ``model_origin`` says so for Qwen (CN,
    china) and for an organisation whose row states no place. Hand mutants V04 (depth 1), V05 (one parent), V06 (no
    root listed), V08 (its root country unknown), V09 (its root region read from the country column)."""
    db = tmp_path / "s.duckdb"
    qwen, silent = "Qwen/Qwen2.5-7B", f"{SILENT}/base"
    ingest_refresh(db, [entry(qwen), entry(silent), entry("u/ft", (f"base_model:finetune:{qwen}",))], "s", full=True)
    got = _rows(db, """SELECT id, depth, n_parents, roots, root_countries, root_regions, root_country, root_region
                       FROM model_origin ORDER BY id""")
    assert got == [(qwen, 0, 0, [qwen], ["CN"], ["china"], "CN", "china"),
                   (silent, 0, 0, [silent], [], [], None, None),
                   ("u/ft", 1, 1, [qwen], ["CN"], ["china"], "CN", "china")]


# -- rootless cycles: one number per cycle, also after an incremental refresh ----------------------------------------

def _cycle(a: str, b: str, created: str = "2024-05-01T00:00:00.000Z") -> list[dict]:
    return [entry(a, (f"base_model:finetune:{b}",), created=created),
            entry(b, (f"base_model:finetune:{a}",), created=created)]


def _cycles(db: Path) -> list:
    """The rootless cycles as the partition of their members, and the number of distinct ``cycle_id``s."""
    rows = _rows(db, "SELECT cycle_id, list_sort(list(id)) FROM lineage_cycles GROUP BY 1")
    return [sorted(m for _, m in rows), len({c for c, _ in rows})]


def test_an_incremental_refresh_numbers_a_rebuilt_cycle_apart_from_the_others(tmp_path: Path) -> None:
    """docs/lineage.md: the members of a cycle no outside root reaches are listed in ``lineage_cycles``, one
    ``cycle_id`` per strongly connected set; they, and the models built on them, get no lineage row: no root, no
    depth, no root country (``model_origin``: empty lists, not a list holding NULL, and not the row of a model
    without parents). An incremental refresh rebuilds only the cycles it touches and numbers them after the largest
    id kept: numbered after the smallest kept id, or from 0, a rebuilt cycle took the number of a cycle it did not
    touch, and two cycles read as one (hand mutants Y11, Y12). Three cycles and a model below one; the middle cycle
    and then the first one re-read by a snapshot."""
    db = tmp_path / "s.duckdb"
    below = entry("d/below", ("base_model:finetune:a/1",))
    ingest_refresh(db, _cycle("a/1", "a/2") + _cycle("b/1", "b/2") + _cycle("c/1", "c/2") + [below], "first",
                   full=True)
    want = [[["a/1", "a/2"], ["b/1", "b/2"], ["c/1", "c/2"]], 3]
    origins: list[tuple] = [(m, None, 1, [], [], [], None, None) for m in ("a/1", "a/2", "b/1", "b/2", "c/1", "c/2", "d/below")]
    sql = """SELECT id, depth, n_parents, roots, root_countries, root_regions, root_country, root_region
             FROM model_origin ORDER BY id"""
    assert _cycles(db) == want
    assert _rows(db, sql) == origins
    for step, ns in enumerate(("b", "a")):
        res = ingest_refresh(db, _cycle(f"{ns}/1", f"{ns}/2", created=LATER), f"later{step}", full=False)
        assert res is not None and res["mode"] == "incremental" and res["cycle_members"] == 2
        assert _cycles(db) == want
        assert _rows(db, sql) == origins


# -- a per-model publisher, matched as the Hub matches ids -----------------------------------------------------------

def test_a_model_attributed_per_model_is_matched_up_to_case(tmp_path: Path) -> None:
    """docs/lineage.md, *Publishers*: a model's publisher is its namespace's organisation, matched case-insensitively,
    or the one ``model_publishers`` names for that model; ids match as the Hub matches them (up to case). deepset's
    German BERT stored under another case is still deepset's (DE): as the model's own publisher in ``model_origin``
    and as the root of its finetune, in a full and in an incremental refresh. Compared case-sensitively (the view's
    ``mp`` join, or ``publisher_expr``'s ``CASE``) it fell back to the namespace, Google (US) (hand mutants V10,
    N03)."""
    german = "Google-BERT/Bert-Base-German-Cased"
    db = tmp_path / "s.duckdb"
    ingest_refresh(db, [entry(german), entry("g/ft", (f"base_model:finetune:{german}",))], "first", full=True)
    want = {german: ("deepset", "DE", ["DE"], "DE"), "g/ft": (None, None, ["DE"], "DE")}
    sql = "SELECT id, publisher, country, root_countries, root_country FROM model_origin"
    assert {r[0]: r[1:] for r in _rows(db, sql)} == want
    res = ingest_refresh(db, [entry("g/ft", (f"base_model:finetune:{german}",), created=LATER)], "later", full=False)
    assert res is not None and res["mode"] == "incremental"
    assert {r[0]: r[1:] for r in _rows(db, sql)} == want


def test_a_root_without_a_namespace_has_no_publisher(tmp_path: Path) -> None:
    """docs/lineage.md, *Publishers*: a model's publisher is the organisation of its namespace; a legacy id without
    one (``gpt2``) has none, so what is built on it has an unknown root country. ``Qwen2`` (no ``/``) is not Qwen's:
    cut without the ``contains(id, '/')`` guard of ``namespace_expr``, the id lost its last character (``left(id,
    -1)``), read as the namespace ``qwen``, and the finetune's root was Chinese (hand mutant N04)."""
    db = tmp_path / "s.duckdb"
    ingest_refresh(db, [entry("Qwen2"), entry("u/ft", ("base_model:finetune:Qwen2",))], "s", full=True)
    sql = "SELECT id, publisher, roots, root_countries, root_country, root_region FROM model_origin ORDER BY id"
    want: list[tuple] = [("Qwen2", None, ["Qwen2"], [], None, None), ("u/ft", None, ["Qwen2"], [], None, None)]
    assert _rows(db, sql) == want
    res = ingest_refresh(db, [entry("u/ft", ("base_model:finetune:Qwen2",), created=LATER)], "later", full=False)
    assert res is not None and res["mode"] == "incremental"
    assert _rows(db, sql) == want


def test_a_model_deleted_from_the_hub_leaves_model_origin(tmp_path: Path) -> None:
    """docs/lineage.md, *Models deleted from the Hub*: a deleted model's own lineage is no longer kept (its records stay,
    and it is a node as an external base is for what builds on it). ``model_origin`` lists the live models: a
    count of models by their publisher's country there must not count a model the Hub no longer has. Without the
    view's ``deleted_at IS NULL`` (hand mutant V12) the deleted model stayed, as its own root of depth 0."""
    from openscope.derive import lineage as lineage_step

    qwen = "Qwen/Qwen2.5-7B"
    db = tmp_path / "s.duckdb"
    ingest_refresh(db, [entry(qwen), entry("u/ft", (f"base_model:finetune:{qwen}",)), entry("Qwen/gone")], "s",
                   full=True)
    with open_store(db) as store:
        store.con.execute("UPDATE models SET deleted_at = TIMESTAMP '2024-07-01' WHERE id = 'Qwen/gone'")
        lineage_step.refresh(store)
    assert _rows(db, "SELECT id, country, root_country FROM model_origin ORDER BY id") == [
        (qwen, "CN", "CN"), ("u/ft", None, "CN")]


def test_a_merge_lists_every_root_also_one_of_unknown_origin(tmp_path: Path) -> None:
    """docs/lineage.md: ``roots`` lists every root of a model; ``root_countries`` only the known places, and a root of
    unknown origin beside a known one makes ``root_country`` ``multiple``. A merge of Qwen (CN) and of a model of an
    organisation whose row states no place keeps both roots, in a full and in an incremental refresh. Joining a
    merge's rows to its roots' codes on the country code too (hand mutant O30) dropped the unknown root from
    ``roots`` (a NULL code equals nothing), while ``root_country`` still said ``multiple``."""
    qwen, silent = "Qwen/Qwen2.5-7B", f"{SILENT}/base"
    merge = ("base_model:merge:" + silent, "base_model:merge:" + qwen)  # not in the sorted order of the ids
    db = tmp_path / "s.duckdb"
    ingest_refresh(db, [entry(qwen), entry(silent), entry("m/x", merge)], "s", full=True)
    sql = "SELECT n_parents, roots, root_countries, root_country, root_regions, root_region FROM model_origin WHERE id = 'm/x'"
    want = [(2, [qwen, silent], ["CN"], "multiple", ["china"], "multiple")]
    assert _rows(db, sql) == want
    res = ingest_refresh(db, [entry("m/x", merge, created=LATER)], "later", full=False)
    assert res is not None and res["mode"] == "incremental"
    assert _rows(db, sql) == want


def test_an_incremental_walk_takes_the_smallest_of_equally_short_paths_from_seeds(tmp_path: Path) -> None:
    """docs/lineage.md: of equally short paths to a root, ``path`` goes through the smallest parent id. A changed
    model built on four models of one root, all outside the change (seeds of depth 1, stored and declared in the
    reverse order of their ids), is two steps from the root through ``m/a``, in the incremental walk as in a full
    one. Keyed on the first element of the path, the model itself (hand mutant C17), the walk kept whichever
    candidate came first."""
    root = "r/root"
    mids = [entry(f"m/{c}", (f"base_model:finetune:{root}",)) for c in "dcba"]
    tags = tuple(f"base_model:merge:m/{c}" for c in "dcba")
    first = [entry(root), *mids, entry("c/x", tags)]
    db = tmp_path / "s.duckdb"
    ingest_refresh(db, first, "first", full=True)
    sql = "SELECT root, depth, path FROM lineage_paths WHERE id = 'c/x'"
    want = [(root, 2, ["c/x", "m/a", root])]
    assert _rows(db, sql) == want
    res = ingest_refresh(db, [entry("c/x", tags, created=LATER)], "later", full=False)
    assert res is not None and res["mode"] == "incremental"
    assert _rows(db, sql) == want
