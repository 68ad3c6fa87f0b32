"""Read-side lineage queries: a model's tree up or down, its overview, derivatives by root country.

Why here and not in the commands: the CLI, the report and the web app ask the same questions and must get
the same answers (and the same JSON shapes, which the contract fixes). Each function is a few SQL
statements; none walks the graph in Python, so a base with 150,000 direct children answers in well under a
second (beyond ``limit`` nodes the answer summarises by relation, depth and country and names the
most-downloaded children).
"""

from __future__ import annotations

from typing import Any

import duckdb

from openscope.derive.lineage.edges import declared_spellings
from openscope.derive.lineage.publishers import publisher_expr
from openscope.errors import MissingInput, UsageError
from openscope.store import Store
from openscope.store.lookup import find_id, moved_external_base, typed_id, unknown_message

RELATIONS = ("finetune", "adapter", "quantized", "merge", "unknown")
MAX_DEPTH = 64  # a guard against pathological chains; real lineage is a few levels deep


def resolve_node(store: Store, raw_id: str) -> tuple[str, bool]:
    """(id, in_store): a stored model, or an external base some model declares; else exit 66."""
    node, in_store, _ = _resolve(store, raw_id)
    return node, in_store


def _resolve(store: Store, raw_id: str) -> tuple[str, bool, tuple[str, ...]]:
    """:func:`resolve_node`, and for an external base the other spellings stored models declare it under (see
    :func:`other_spellings`), read by the same scan of ``edges``."""
    found = find_id(store, raw_id)
    if found is not None:
        return found, True, ()
    row = store.con.execute(
        """SELECT list(DISTINCT parent ORDER BY parent) FROM edges WHERE lower(parent) = lower($t)
           HAVING count(*) > 0""",
        {"t": typed_id(raw_id)},
    ).fetchone()
    if row:
        spellings = list(row[0])
        node = typed_id(raw_id) if typed_id(raw_id) in spellings else spellings[0]
        return node, False, tuple(p for p in spellings if p != node)
    # a bare id the Hub moved (`roberta-base`), known only as the external base its derivatives declare under
    # its new id: `lineage roberta-base` answered exit 66 pointing to `lineage FacebookAI/roberta-base`
    moved = moved_external_base(store, raw_id.strip())
    if moved is not None:
        return moved[0], False, other_spellings(store, moved[0])
    raise MissingInput(unknown_message(store, raw_id.strip(), again="lineage"))


def _node_sql(ids_sql: str) -> str:
    """Per-node facts for the ids produced by ``ids_sql`` (columns id, depth, relation, via, d30: the
    latest 30-day downloads, already looked up for the whole walk)."""
    return f"""
        WITH n AS ({ids_sql}),
        m AS (SELECT id, created_at, deleted_at FROM models WHERE id IN (SELECT id FROM n)),
        pub AS (SELECT lower(org) AS lorg, min(org) AS org, min(name) AS name, min(country) AS country,
                       min(region) AS region FROM publishers GROUP BY 1)
        SELECT n.id, n.relation, n.depth, n.via, p.org AS publisher, p.name AS publisher_name, p.country,
               p.region, m.created_at, n.d30 AS downloads_30d,
               m.id IS NOT NULL AND m.deleted_at IS NULL AS in_store, m.deleted_at
        FROM n LEFT JOIN m ON m.id = n.id
        LEFT JOIN pub p ON p.lorg = {publisher_expr('n.id')}"""


# ``in_store``: a live model of the store. A model a full crawl found gone from the Hub (``deleted_at`` set) is
# not: its records stay, and lineage reads its declarations as they were last read (edges.py), so it keeps its
# place in a chain and says when it went.
def deleted_ids(store: Store, ids: list[str]) -> set[str]:
    """Those of ``ids`` a full crawl found gone from the Hub: a root among them is one because it declared no base
    when it was last read, which the roots line says beside its name."""
    rows = store.con.execute(
        "SELECT id FROM models WHERE id IN (SELECT unnest($ids)) AND deleted_at IS NOT NULL", {"ids": ids}).fetchall()
    return {r[0] for r in rows}


_NODE_KEYS = ["id", "relation", "depth", "via", "publisher", "publisher_name", "country", "region",
              "created_at", "downloads_30d", "in_store", "deleted_at"]


def _walk(con: duckdb.DuckDBPyConnection, start: str, direction: str, relation: str | None,
          max_depth: int, *, stored: bool = True, also: tuple[str, ...] = ()) -> None:
    """Breadth-first walk from ``start`` along chosen edges into the temp table ``_walk``
    (id, depth, relation, via); each node keeps the depth at which it is first reached, the shortest.

    Of several edges reaching a node at that depth, the one from the smallest ``via`` id (then relation)
    gives its relation: the answer (and the summary by relation) is the same on every run.

    Why level by level and not one recursive CTE: each level is one set-based join of the frontier with
    the edges, minus the nodes already reached, so a node is never expanded twice and a cycle ends by
    itself; the recursive form (UNION over (id, depth, relation, via)) carried every route to a node and
    took about 0.25 s against 0.15 s here for the 188,551 descendants of the benchmark's largest base.

    ``also``: other spellings of ``start`` (an external base declared in several cases, which ``edges`` keeps
    as declared): the walk down starts from all of them, and what hangs on one is reached ``via`` ``start``.
    """
    if stored and direction == "down" and relation is None and _descendants_of_root(con, start, max_depth, also):
        return
    step_from, step_to = ("child", "parent") if direction == "up" else ("parent", "child")
    rel = "AND e.relation = $rel" if relation else ""
    params = {"rel": relation} if relation else {}
    con.execute("DROP TABLE IF EXISTS _walk")
    con.execute("""CREATE TEMP TABLE _walk AS
                   SELECT $start::VARCHAR AS id, 0 AS depth, NULL::VARCHAR AS relation, NULL::VARCHAR AS via""",
                {"start": start})
    con.execute("DROP TABLE IF EXISTS _walk_front")
    con.execute("CREATE TEMP TABLE _walk_front AS SELECT id FROM _walk UNION SELECT unnest($also::VARCHAR[])",
                {"also": list(also)})
    for depth in range(1, max_depth + 1):
        con.execute("DROP TABLE IF EXISTS _walk_next")
        con.execute(
            f"""CREATE TEMP TABLE _walk_next AS
                SELECT e.{step_to} AS id, {depth} AS depth,
                       arg_min(e.relation, (e.{step_from}, e.relation)) AS relation, min(e.{step_from}) AS via
                FROM edges e SEMI JOIN _walk_front f ON e.{step_from} = f.id
                WHERE e.chosen {rel} AND e.{step_to} NOT IN (SELECT id FROM _walk)
                GROUP BY e.{step_to}""",
            params)
        if con.execute("SELECT 1 FROM _walk_next LIMIT 1").fetchone() is None:  # nothing new: done
            break
        con.execute("INSERT INTO _walk SELECT * FROM _walk_next")
        con.execute("DROP TABLE _walk_front")
        con.execute("ALTER TABLE _walk_next RENAME TO _walk_front")
    for t in ("_walk_front", "_walk_next"):
        con.execute(f"DROP TABLE IF EXISTS {t}")
    if also:  # a child of another spelling hangs on the node shown
        con.execute("UPDATE _walk SET via = $start WHERE via IN (SELECT unnest($also::VARCHAR[]))",
                    {"start": start, "also": list(also)})


def _descendants_of_root(con: duckdb.DuckDBPyConnection, start: str, max_depth: int,
                         also: tuple[str, ...] = ()) -> bool:
    """Fill ``_walk`` with the descendants of ``start`` read from the stored lineage, when ``start`` is a root
    (no chosen parent); False (nothing written) otherwise.

    Why: the descendants of a root are the ``lineage_paths`` rows of that root, each at its shortest depth and
    through the smallest parent id (``path[2]``), as the walk finds them (both come from the same refresh as
    ``edges``); one scan of that table answers a base with 188,551 descendants in a fraction of
    the walk's time from a cold start (0.08 s against 0.46 s on the benchmark store), where most of a
    ``lineage --down`` goes. A node with a parent is not the root of its descendants' rows: it is walked.
    ``also``: the other spellings of an external base (see :func:`_walk`), roots of rows of their own: a model
    built on two of them is kept once, at its shortest depth.
    """
    if con.execute("SELECT 1 FROM edges WHERE child = ? AND chosen LIMIT 1", [start]).fetchone() is not None:
        return False
    if also:
        con.execute("DROP TABLE IF EXISTS _walk")
        con.execute(
            """CREATE TEMP TABLE _walk AS
               SELECT $start::VARCHAR AS id, 0 AS depth, NULL::VARCHAR AS relation, NULL::VARCHAR AS via
               UNION ALL
               SELECT id, depth, relation, via FROM (
                   SELECT p.id, p.depth, e.relation,
                          CASE WHEN p.depth = 1 THEN $start ELSE e.parent END AS via
                   FROM lineage_paths p JOIN edges e ON e.child = p.id AND e.parent = p.path[2] AND e.chosen
                   WHERE p.root IN (SELECT unnest($roots::VARCHAR[])) AND p.depth <= $max
                   QUALIFY row_number() OVER (PARTITION BY p.id ORDER BY p.depth, e.parent, e.relation) = 1)""",
            {"start": start, "roots": [start, *also], "max": max_depth},
        )
        return True
    # The parent of a row at depth 1 is its root (``path`` is ``[id, root]``): its ``path`` is not read. Why:
    # most descendants of a large base are its direct children, and the refresh writes ``lineage_paths`` level
    # by level, so the scan for depth 1 skips the row groups of the deeper levels and reads no list at all.
    con.execute("DROP TABLE IF EXISTS _walk")
    con.execute(
        """CREATE TEMP TABLE _walk AS
           SELECT $start::VARCHAR AS id, 0 AS depth, NULL::VARCHAR AS relation, NULL::VARCHAR AS via
           UNION ALL
           SELECT p.id, p.depth, e.relation, e.parent
           FROM (SELECT id, depth, root AS via FROM lineage_paths WHERE root = $start AND depth = 1 AND $max >= 1
                 UNION ALL
                 SELECT id, depth, path[2] FROM lineage_paths WHERE root = $start AND depth > 1 AND depth <= $max) p
           JOIN edges e ON e.child = p.id AND e.parent = p.via AND e.chosen""",
        {"start": start, "max": max_depth},
    )
    return True


def _with_downloads(con: duckdb.DuckDBPyConnection) -> None:
    """Fill the temp table ``_walk_d``: the rows of ``_walk`` with each node's latest 30-day downloads (``d30``).

    A node's downloads are its latest reading, as `model` and the `counters` view give them: a counter read as
    missing in the latest snapshot is unknown then, not the older value (hence ``arg_max_null``).

    Why grouped by the walk's ``rowid`` and not by ``id``: the latest reading is picked among a node's
    ``model_stats`` rows either way, but grouping 188,551 descendants by a number is cheaper than by their ids
    (text), and the result joins back on that number (about 0.15 s against 0.23 s from a cold start for the
    benchmark's largest base). A ``_walk`` row is one node (its ids are distinct), so the rows are the same.
    """
    con.execute("DROP TABLE IF EXISTS _walk_d")
    con.execute(
        """CREATE TEMP TABLE _walk_d AS
           SELECT w.id, w.depth, w.relation, w.via, s.d30 FROM _walk w LEFT JOIN (
               SELECT w.rowid AS r, arg_max_null(s.downloads_30d, s.snapshot_id) AS d30
               FROM _walk w JOIN model_stats s ON s.id = w.id GROUP BY w.rowid) s ON s.r = w.rowid"""
    )


def tree(store: Store, raw_id: str, *, direction: str = "up", max_depth: int | None = None,
         relation: str | None = None, limit: int = 50, edges: bool = True) -> dict[str, Any]:
    """The contract's ``lineage`` document for one model (or external base), ancestors or descendants.

    ``edges=False`` leaves the document's ``edges`` empty: a caller that draws the tree from the nodes alone
    (the text view) skips reading every edge's evidence and declared spelling back from the records (on a
    store of millions of models, a scan of the tags table: the largest part of a cold answer).
    """
    if direction not in ("up", "down"):
        raise UsageError(f"direction must be up or down, not {direction!r}")
    if relation is not None and relation not in RELATIONS:
        raise UsageError(f"unknown relation {relation!r}; choose one of {', '.join(RELATIONS)}")
    if limit < 1:
        raise UsageError("--limit must be at least 1")
    if max_depth is not None and max_depth < 0:
        raise UsageError("--depth must be 0 or more")
    node_id, in_store, spellings = _resolve(store, raw_id)
    depth_cap = MAX_DEPTH if max_depth is None else min(max_depth, MAX_DEPTH)
    con = store.con
    also = spellings if direction == "down" else ()
    # The walk is materialised once (temp tables work on a read-only store) and every answer reads it.
    _walk(con, node_id, direction, relation, depth_cap, also=also)
    _with_downloads(con)
    total = store.scalar("SELECT count(*) - 1 FROM _walk")
    # The start node, then the most-downloaded others (ties: shallower first, then by id).
    picked = f"""SELECT id, depth, relation, via, d30 FROM _walk_d
                 ORDER BY depth = 0 DESC, d30 DESC NULLS LAST, depth, id LIMIT {int(limit) + 1}"""
    rows = con.execute(_node_sql(picked) + " ORDER BY n.depth, downloads_30d DESC NULLS LAST, n.id").fetchall()
    nodes = [dict(zip(_NODE_KEYS, r, strict=True)) for r in rows]
    ids = [n["id"] for n in nodes]
    edge_rows = con.execute(
        """SELECT child, parent, relation, evidence, chosen FROM edges
           WHERE child IN (SELECT unnest($ids)) AND parent IN (SELECT unnest($parents))
           ORDER BY child, parent, chosen DESC, evidence""",
        {"ids": ids, "parents": ids + list(also)},
    ).fetchall() if edges else []
    spelled = declared_spellings(store, sorted({r[0] for r in edge_rows}))
    keys = ["child", "parent", "relation", "evidence", "chosen"]
    # an edge to another spelling of the external base shown names the node shown, declared as it was spelled
    shown = [{**dict(zip(keys, r, strict=True)), "declared_as": spelled.get((r[0], r[1], r[3]))}
             if r[1] not in also else {**dict(zip(keys, (r[0], node_id, *r[2:]), strict=True)), "declared_as": r[1]}
             for r in edge_rows]
    shown.sort(key=lambda e: (e["child"], e["parent"], not e["chosen"], e["evidence"]))
    summary = _summary(store, direction, total)
    summary["in_store"] = in_store
    if direction == "up" and (max_depth is not None or relation is not None):
        # The roots are the model's, whatever part of the way up is shown: a walk cut by --depth or
        # --relation stops short of them (it found none at --depth 1 of a depth-2 model), so they are read
        # from a whole walk, which is a few levels at most.
        _walk(con, node_id, "up", None, MAX_DEPTH)
        summary["roots"] = _roots(con)
        summary.update(root_origins(store, summary["roots"]))
    con.execute("DROP TABLE IF EXISTS _walk")
    con.execute("DROP TABLE IF EXISTS _walk_d")
    return {
        "id": node_id,
        "direction": direction,
        "nodes": nodes,
        "edges": shown,
        "truncated": total > len(nodes) - 1,
        "summary": summary,
    }


def _summary(store: Store, direction: str, total: int) -> dict[str, Any]:
    """Counts over the whole walk (not only the nodes shown): by relation, depth, country and region.

    Why one statement: the walk's nodes are grouped once by (relation, depth, country, region) with their
    downloads, a few dozen groups at most, and the four counts and the sum are added up from those groups here.
    Each count reads as ``coalesce(value::VARCHAR, 'unknown')`` grouped, largest first, ties by that text (the
    order of the five statements over a joined copy of the walk it replaces: 0.09 s against 0.03 s from a cold
    start for the benchmark's largest base; tests/test_lineage_down_summary.py compares both).
    """
    rows = store.con.execute(
        f"""WITH pub AS (SELECT lower(org) AS lorg, min(country) AS country, min(region) AS region
                         FROM publishers GROUP BY 1)
            SELECT w.relation, w.depth, p.country, p.region, count(*) AS n, sum(w.d30) AS dl
            FROM _walk_d w LEFT JOIN pub p ON p.lorg = {publisher_expr('w.id')}
            WHERE w.depth > 0 GROUP BY ALL"""
    ).fetchall()
    tallies: list[dict[str, int]] = [{}, {}, {}, {}]
    for row in rows:
        for tally, value in zip(tallies, row[:4], strict=True):
            key = "unknown" if value is None else str(value)
            tally[key] = tally.get(key, 0) + int(row[4])
    # largest first, ties by the key's text: DuckDB orders VARCHAR by its UTF-8 bytes, which is the order of
    # Python's str comparison (code points)
    by_relation, by_depth, by_country, by_region = (
        dict(sorted(t.items(), key=lambda kv: (-kv[1], kv[0]))) for t in tallies)
    out: dict[str, Any] = {
        "total": int(total),
        "by_relation": by_relation,
        "by_depth": by_depth,
        "by_country": by_country,
        "by_region": by_region,
        "downloads_30d": sum(int(r[5]) for r in rows if r[5] is not None),
    }
    if direction == "up":
        out["roots"] = _roots(store.con)
        out.update(root_origins(store, out["roots"]))
    return out


def root_origins(store: Store, roots: list[str]) -> dict[str, Any]:
    """``{root_origins, root_country, root_region}`` for a model whose roots are ``roots``: each root with its
    publisher (organisation id and name), country and region (null: unknown) and whether it was deleted from the
    Hub, then the model's root country and region as ``lineage_origin`` computes them: the one value when every
    root's is known and the same, ``multiple`` when they differ (a root of unknown origin beside a known one counts
    as a different one), null when no root's is known, and null without roots (a cycle no outside root reaches).

    Why here and not read from ``model_origin``: ``lineage --up`` answers for any node, an external base or a model
    deleted from the Hub too, which have no ``model_origin`` row; for a live model the two agree (tested).
    """
    rows = store.con.execute(
        f"""WITH pub AS (SELECT lower(org) AS lorg, min(org) AS org, min(name) AS name, min(country) AS country,
                                min(region) AS region FROM publishers GROUP BY 1)
            SELECT r.id, p.org, p.name, p.country, p.region, m.id IS NOT NULL
            FROM (SELECT unnest($ids::VARCHAR[]) AS id) r
            LEFT JOIN pub p ON p.lorg = {publisher_expr('r.id')}
            LEFT JOIN (SELECT id FROM models WHERE deleted_at IS NOT NULL
                       AND id IN (SELECT unnest($ids::VARCHAR[]))) m ON m.id = r.id
            ORDER BY r.id""",
        {"ids": list(roots)}).fetchall()
    placed = [{"id": r, "publisher": o, "publisher_name": n, "country": c, "region": g, "deleted": bool(d)}
              for r, o, n, c, g, d in rows]
    return {"root_origins": placed, "root_country": origin_of([p["country"] for p in placed]),
            "root_region": origin_of([p["region"] for p in placed])}


def origin_of(values: list[str | None]) -> str | None:
    """The rule of ``lineage_origin`` over the roots' countries (or regions): the one value when all are known
    and equal, ``multiple`` when they differ or some is unknown beside a known one, None when none is known."""
    known = {v for v in values if v is not None}
    if not known:
        return None
    return known.pop() if len(known) == 1 and None not in values else "multiple"


def _roots(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The nodes of the walk in ``_walk`` that have no chosen parent: for a whole walk up, the roots."""
    rows = con.execute(
        """SELECT w.id FROM _walk w WHERE NOT EXISTS (
               SELECT 1 FROM edges e WHERE e.child = w.id AND e.chosen) ORDER BY w.id"""
    ).fetchall()
    return [r[0] for r in rows]


def direct_children(store: Store, node_id: str) -> int:
    """How many models name ``node_id`` as a chosen parent: whether anything is built on it at all, when
    ``--depth`` or ``--relation`` left no descendant to show (the answer must not then say there is none).
    An external base counts the models declaring it in any case, as the Hub matches ids."""
    return int(store.scalar("SELECT count(DISTINCT child) FROM edges WHERE parent IN (SELECT unnest(?)) AND chosen",
                            [[node_id, *other_spellings(store, node_id)]]))


def other_spellings(store: Store, node_id: str) -> tuple[str, ...]:
    """The other spellings, up to case, under which stored models declare the external base ``node_id``.

    Why: ``edges`` keeps an external parent as each child declared it, so ``DeepSeek-AI/deepseek-v3`` and
    ``deepseek-ai/DeepSeek-V3`` are two nodes there; the Hub matches ids case-insensitively, so they name one
    repository, and ``lineage --down`` of it (which ``model`` points to, counting both) must show what is
    built on either. Empty for a live stored model (its declarations take its spelling) and for one spelling.
    """
    if store.scalar("SELECT 1 FROM models WHERE id = ? AND deleted_at IS NULL", [node_id]):
        return ()
    rows = store.con.execute(
        "SELECT DISTINCT parent FROM edges WHERE lower(parent) = lower(?) AND parent <> ? ORDER BY parent",
        [node_id, node_id]).fetchall()
    return tuple(r[0] for r in rows)


def overview(store: Store, raw_id: str) -> dict[str, Any]:
    """The contract's ``model`` document: metadata, counters and history, lineage, publisher, origins."""
    from openscope.store.lookup import resolve_id

    mid = resolve_id(store, raw_id)
    con = store.con
    cols = ["author", "created_at", "created_at_raw", "last_modified", "pipeline_tag", "library_name", "gated",
            "license", "params", "synthetic", "sha", "first_snapshot_id", "last_snapshot_id", "deleted_at"]
    row = con.execute(f"SELECT {', '.join(cols)} FROM models WHERE id = ?", [mid]).fetchone()
    assert row is not None  # resolve_id found this very row in the same read
    metadata = dict(zip(cols, row, strict=True))
    hist = con.execute(
        """SELECT s.snapshot_id, sn.finished_at, s.downloads_30d, s.downloads_all_time, s.likes
           FROM model_stats s LEFT JOIN snapshots sn USING (snapshot_id)
           WHERE s.id = ? ORDER BY s.snapshot_id""",
        [mid],
    ).fetchall()
    history = [dict(zip(["snapshot_id", "read_at", "downloads_30d", "downloads_all_time", "likes"], h, strict=True))
               for h in hist]
    last = history[-1] if history else {}
    counters = {
        "downloads_30d": last.get("downloads_30d"),
        "downloads_all_time": last.get("downloads_all_time"),
        "likes": last.get("likes"),
        "snapshot_id": last.get("snapshot_id"),
        "history": history,
    }
    # each root with its own publisher's country and region (null: unknown), read in the same statement: what
    # ``root_countries`` (the distinct known ones) cannot say. A merge of a CN root and one of unknown origin read
    # ``["CN"]`` and ``multiple``, and no key said which root was the unknown one (thirty-third session).
    roots_placed = con.execute(
        f"""WITH pub AS (SELECT lower(org) AS lorg, min(country) AS country, min(region) AS region
                         FROM publishers GROUP BY 1)
            SELECT l.root, l.depth, l.path, p.country, p.region FROM lineage l
            LEFT JOIN pub p ON p.lorg = {publisher_expr('l.root')}
            WHERE l.id = ? ORDER BY l.depth, l.root""", [mid]
    ).fetchall()
    roots = [(r, d, p) for r, d, p, _, _ in roots_placed]
    parents = con.execute(
        """SELECT parent, relation, evidence FROM edges WHERE child = ? AND chosen ORDER BY parent""", [mid]
    ).fetchall()
    declared = con.execute(
        """SELECT parent, relation, evidence, chosen FROM edges WHERE child = ? ORDER BY parent, evidence""", [mid]
    ).fetchall()
    spelled = declared_spellings(store, [mid]) if declared else {}
    children = con.execute(
        """SELECT relation, count(DISTINCT child) FROM edges WHERE parent = ? AND chosen
           GROUP BY 1 ORDER BY 2 DESC, 1""",
        [mid],
    ).fetchall()
    # Everything built on the model, at any depth (each descendant once), and their latest downloads:
    # how widely it is adopted beyond its direct children.
    _walk(con, mid, "down", None, MAX_DEPTH)
    desc = con.execute(
        """WITH s AS (SELECT id, arg_max_null(downloads_30d, snapshot_id) AS d30 FROM model_stats
                      WHERE id IN (SELECT id FROM _walk) GROUP BY id)
           SELECT count(*), coalesce(sum(s.d30), 0) FROM _walk d LEFT JOIN s USING (id) WHERE d.depth > 0"""
    ).fetchone() or (0, 0)  # an aggregate without GROUP BY always yields its one row
    con.execute("DROP TABLE IF EXISTS _walk")
    cycle = store.scalar("SELECT min(cycle_id) FROM lineage_cycles WHERE id = ?", [mid])
    origin = con.execute(
        """SELECT publisher, organisation, country, region, root_countries, root_regions, root_country,
                  root_region FROM model_origin WHERE id = ?""",
        [mid],
    ).fetchone()
    publisher = None
    if origin and origin[0]:
        p = con.execute(
            """SELECT org, name, organisation, alias_of, country, region, kind, country_source, region_source
               FROM publishers WHERE org = ?""",
            [origin[0]],
        ).fetchone()
        if p:
            publisher = dict(zip(["org", "name", "organisation", "alias_of", "country", "region", "kind",
                                  "country_source", "region_source"], p, strict=True))
    # a parent or root gone from the Hub is one the answer must name as such: what it was built on is no
    # longer read, which is why it is a root (or why the root country of what builds on it may have changed)
    gone = deleted_ids(store, sorted({r for r, _, _ in roots} | {p for p, _, _ in parents}))
    lineage = {
        "roots": [{"id": r, "depth": d, "path": list(p or []), "deleted": r in gone, "country": c, "region": g}
                  for r, d, p, c, g in roots_placed],
        "depth": max((d for _, d, _ in roots), default=None),
        "parents": [{"id": p, "relation": r, "evidence": e, "deleted": p in gone} for p, r, e in parents],
        "declared": [{"id": p, "relation": r, "evidence": e, "chosen": c, "declared_as": spelled.get((mid, p, e))}
                     for p, r, e, c in declared],
        "children_by_relation": {r: int(n) for r, n in children},
        "descendants": {"total": int(desc[0]), "downloads_30d": int(desc[1])},
        "cycle_id": cycle,
    }
    return {
        "id": mid,
        "metadata": metadata,
        "counters": counters,
        "lineage": lineage,
        "publisher": publisher,
        "root_countries": list(origin[4]) if origin else [],
        "root_regions": list(origin[5]) if origin else [],
        "root_country": origin[6] if origin else None,
        "root_region": origin[7] if origin else None,
        "licenses": model_licenses_or_none(store, mid),
    }


def model_licenses_or_none(store: Store, model_id: str) -> dict | None:
    """The licence engineer's ``model_licenses``; ``None`` only while that module is not part of the build."""
    try:
        from openscope.derive.licenses import model_licenses
    except ImportError as exc:
        if getattr(exc, "name", None) in ("openscope.derive.licenses", None) or "model_licenses" in str(exc):
            return None
        raise
    return model_licenses(store, model_id)


def derivatives_by_root_country(store: Store, *, level: str = "country",
                                since: str | None = None) -> list[dict[str, Any]]:
    """Derivatives (models with at least one parent) by the country (or region) of their roots.

    Each derivative counts once: its roots' country, ``multiple`` when its roots differ, ``unknown`` when
    no root's origin is known; shares therefore sum to 1. ``downloads_30d`` adds up each derivative's
    latest 30-day downloads (as ``model`` shows them; an unknown counter adds nothing) and
    ``download_share`` is the bucket's part of all derivatives' downloads: a few popular derivatives can
    weigh more than many unused ones, which is what "how much of the use builds on which country" asks.
    ``since`` (ISO date) keeps models created then or later (a model whose creation date is unknown is
    left out).
    """
    if level not in ("country", "region"):
        raise UsageError(f"level must be country or region, not {level!r}")
    col = "root_country" if level == "country" else "root_region"
    where = "o.n_parents > 0"
    params: list[Any] = []
    if since:
        where += " AND m.created_at >= CAST(? AS TIMESTAMP)"
        params.append(since)
    try:
        rows = store.con.execute(
            f"""WITH d AS (SELECT o.id, coalesce(o.{col}, 'unknown') AS k
                           FROM model_origin o JOIN models m ON m.id = o.id WHERE {where}),
                s AS (SELECT id, arg_max_null(downloads_30d, snapshot_id) AS d30 FROM model_stats
                      WHERE id IN (SELECT id FROM d) GROUP BY id)
                SELECT d.k, count(*) AS n, coalesce(sum(s.d30), 0) AS dl
                FROM d LEFT JOIN s USING (id) GROUP BY 1 ORDER BY n DESC, d.k""",
            params,
        ).fetchall()
    except duckdb.ConversionException:
        raise UsageError(f"--since {since!r} is not a date; give YYYY-MM-DD") from None
    total = sum(n for _, n, _ in rows)
    total_dl = sum(dl for _, _, dl in rows)
    return [{level: k, "derivatives": int(n), "share": (n / total) if total else 0.0,
             "downloads_30d": int(dl), "download_share": (dl / total_dl) if total_dl else 0.0}
            for k, n, dl in rows]
