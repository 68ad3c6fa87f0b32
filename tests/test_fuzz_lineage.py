"""Fuzz lineage and licences over long random *sequences* of snapshots, through the real pipeline.

Why: the lineage step refreshes incrementally (only changed models and their descendants), so a bug
there shows only after the right history: a parent that arrives later under another spelling, a
spelling that vanishes, a cycle formed in one snapshot and broken in the next. The property tests of
``test_lineage_property`` see two snapshots of tidy tags; here hypothesis draws 3-8 snapshots in which
models appear, are deleted (a full crawl that no longer lists them), come back, change their declared
bases (``base_model:<rel>:<id>`` and bare tags, card ``base_model`` as a string, a list or an odd
type, ``base_model_relation``, ``baseModels``), the case of their ids and of the ids they name, their
licences (``license:`` tag, card ``license`` strings and lists, ``license_name`` / ``license_link``,
``other``, unknown strings) and their publisher namespace. Each snapshot goes in through the real
``openscope ingest`` (a JSON Lines file) or ``openscope crawl --full`` (a loopback Hub serving exactly
the snapshot's entries: what it no longer lists is deleted).

Properties after every snapshot:
- the incremental result equals a full recompute on a copy of the store: every row of ``edges``,
  ``lineage``, ``lineage_cycles`` (up to renaming the cycle ids), ``lineage_origin``, ``model_origin``,
  ``licenses`` and ``license_flow``;
- the lineage equals a brute-force computation in plain Python from the chosen edges (roots and their
  shortest depths, valid paths, rootless cycle members and their components), and the chosen parents
  equal those the declared tags name, spelled as the store spells them;
- ``lineage --up/--down``, ``model`` and ``license`` exit 0 or 66 on any id or case variant (never 70,
  never a traceback), with one JSON document on success.

Kill safety: at a random snapshot the refresh fails midway (another connection's open transaction
conflicts with a table it writes, as in ``test_lineage_publish``): the store still answers with the
previous lineage, and the next refresh repairs it (equal to a full recompute).

``OPENSCOPE_FUZZ_HUNT=200`` runs many more examples without shrinking (docs/fuzzing.md).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from held_open import reads_only
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lineage_graphs import entry, write_jsonl
from test_fuzz_crawl import HostileHub, Page, _body_answer, _Handler, _serve

from openscope import derive
from openscope.derive import licenses as licenses_step
from openscope.derive import lineage as lineage_step
from openscope.derive.lineage.edges import declared_spellings, read_back_spellings
from openscope.derive.lineage.queries import MAX_DEPTH, _walk
from openscope.store import Store, open_store

_HUNT = int(os.environ.get("OPENSCOPE_FUZZ_HUNT") or 0)


def _fast(n: int) -> settings:
    # No shrinking: an example is seconds of ingests and crawls, and shrinking one sequence took longer
    # than ten minutes; the failing sequence is printed whole (and as a blob) instead.
    return settings(max_examples=_HUNT or n, deadline=None, suppress_health_check=list(HealthCheck),
                    phases=(Phase.explicit, Phase.reuse, Phase.generate), print_blob=True)


# --- what a snapshot declares -------------------------------------------------------------------------

# Model names, each under several publisher namespaces (a move to another namespace is a new id) and
# spellings (the Hub matches ids case-insensitively; the store keeps each spelling it was given).
NAMESPACES = ["meta-llama", "facebook", "Qwen", "deepseek-ai", "mistralai", "alice", "bob"]
NAMES = ["Base-7B", "ft", "ft-GGUF", "merge"]
EXTERNAL = ["nobody/Ghost", "NOBODY/ghost", "gpt2"]


def _spell(i: str, how: int) -> str:
    return {0: i, 1: i.lower(), 2: i.upper(), 3: i.swapcase()}[how]


ids = st.builds(lambda ns, n, how: _spell(f"{ns}/{n}", how), st.sampled_from(NAMESPACES),
                st.sampled_from(NAMES), st.sampled_from([0, 0, 0, 1, 2, 3]))
parent_ids = ids | st.sampled_from(EXTERNAL)
RELATIONS = ["finetune", "adapter", "quantized", "merge", "Finetune", "weird"]


@st.composite
def base_tags(draw: st.DrawFn, parents: st.SearchStrategy[str] = parent_ids) -> list[str]:
    out = []
    for p in draw(st.lists(parents, max_size=3)):
        kind = draw(st.sampled_from(["pair", "bare", "both", "rel-only"]))
        rel = draw(st.sampled_from(RELATIONS))
        if kind in ("pair", "both"):
            out.append(f"base_model:{rel}:{p}")
        if kind in ("bare", "both"):
            out.append(f"base_model:{p}")
        if kind == "rel-only":  # a relation pair whose id is another spelling of the same parent
            out.append(f"base_model:{rel}:{p.swapcase()}")
    return out


ODD = st.sampled_from([None, 7, 1.5, True, {"id": "alice/ft"}, [], "", "None", "./local", "a sentence here",
                       "https://huggingface.co/Qwen/ft/", " alice/ft ", "[alice/ft]"])
LICENCES = ["mit", "apache-2.0", "llama3.1", "other", "cc-by-nc-4.0", "unknown", "weird-thing", "Apache 2.0",
            "openrail", "gpl-3.0", "MIT OR Apache-2.0"]
card_licence = st.one_of(st.sampled_from(LICENCES), st.lists(st.sampled_from(LICENCES), max_size=3),
                         st.sampled_from([None, 5, {"x": 1}]))


@st.composite
def declarations(draw: st.DrawFn, parents: st.SearchStrategy[str] = parent_ids) -> dict[str, Any]:
    """Everything an entry can declare about its bases and licence (``parents``: the ids it may name)."""
    card_base = st.one_of(parents, st.lists(parents | ODD, max_size=3), ODD)
    tags = draw(base_tags(parents)) if draw(st.booleans()) else []
    tags += draw(st.lists(st.sampled_from(["gguf", "mergekit", "peft", "license:mit", "license:other",
                                           "license:llama3.1", "license:weird-thing", "license:Apache-2.0"]),
                          max_size=2))
    card: dict[str, Any] = {}
    if draw(st.booleans()):
        card["base_model"] = draw(card_base)
    if draw(st.booleans()):
        card["base_model_relation"] = draw(st.sampled_from(RELATIONS) | ODD)
    if draw(st.booleans()):
        card["license"] = draw(card_licence)
    if draw(st.booleans()):
        card["license_name"] = draw(st.sampled_from(["llama3", "foo-licence", "apache-2.0", "", "MIT"]))
    if draw(st.booleans()):
        card["license_link"] = draw(st.sampled_from([
            "https://www.apache.org/licenses/LICENSE-2.0", "LICENSE", "https://example.com/terms", ""]))
    base_models = None
    if draw(st.integers(0, 3)) == 0:
        base_models = {"relation": draw(st.sampled_from(RELATIONS)),
                       "models": [{"_id": "x", "id": p} for p in draw(st.lists(parents, max_size=2))]}
    files = tuple(draw(st.lists(st.sampled_from(["adapter_config.json", "model.Q4_K_M.gguf", "config.json"]),
                                max_size=2, unique=True)))
    return {"tags": tuple(tags), "card": card or None, "base_models": base_models, "files": files,
            "library": draw(st.sampled_from([None, None, "peft", "transformers"]))}


@st.composite
def snapshots(draw: st.DrawFn) -> list[tuple[str, dict[str, Any]]]:
    """3-8 snapshots: (``ingest`` | ``crawl``, {id: declaration, or None to keep the last one})."""
    out = []
    for _ in range(draw(st.integers(3, 8))):
        mode = draw(st.sampled_from(["ingest", "ingest", "crawl"]))
        chosen = draw(st.lists(ids, min_size=1, max_size=9, unique=True))
        # parents are often the snapshot's own models (in any spelling): cycles form, also through merges
        # and case-variants, and break again in a later snapshot
        near = st.sampled_from(chosen).flatmap(lambda i: st.sampled_from([i, i.lower(), i.upper(), i.swapcase()]))
        parents = st.one_of(near, parent_ids)
        snap = {i: None if draw(st.integers(0, 3)) == 0 else draw(declarations(parents)) for i in chosen}
        if len(chosen) >= 2 and draw(st.booleans()):
            # a ring: each member names the next (in any spelling), some also the one after (a merge),
            # so a rootless cycle forms unless another declaration gives it an outside root
            ring = draw(st.permutations(chosen))[:draw(st.integers(2, len(chosen)))]
            for k, i in enumerate(ring):
                names = [ring[(k + 1) % len(ring)]] + ([ring[(k + 2) % len(ring)]] if draw(st.booleans()) else [])
                spelled = [_spell(n, draw(st.sampled_from([0, 0, 1, 2, 3]))) for n in names]
                rel = "merge" if len(set(spelled)) > 1 else draw(st.sampled_from(["finetune", "adapter"]))
                snap[i] = {"tags": tuple(f"base_model:{rel}:{n}" for n in spelled), "card": None,
                           "base_models": None, "files": (), "library": None}
        out.append((mode, snap))
    return out


# --- running a sequence ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hub() -> Iterator[HostileHub]:
    """A loopback Hub serving, page by page, exactly the entries it is given (the crawl fuzz's server)."""
    h = HostileHub()
    srv, h.url = _serve(type("H", (_Handler,), {"hub": h}))
    try:
        yield h
    finally:
        srv.shutdown()
        srv.server_close()


def _serve_entries(hub: HostileHub, entries: list[dict[str, Any]]) -> None:
    pages = [Page(entries[i:i + 4]) for i in range(0, len(entries), 4)] or [Page([])]
    hub.set_plan(pages, head=_body_answer("array", entries[:1]))


class Runner:
    """Applies snapshots to one store through the CLI and remembers the last entry written per id."""

    def __init__(self, cli: Any, hub: HostileHub, d: Path, empty: Path | None = None) -> None:
        self.cli, self.hub, self.d = cli, hub, d
        self.db = d / "store.duckdb"
        if empty is not None:  # a new store, made once a session (conftest.empty_store)
            shutil.copyfile(empty, self.db)
        self.last: dict[str, dict[str, Any]] = {}
        self.n = 0

    def entries(self, snap: dict[str, Any]) -> list[dict[str, Any]]:
        out = []
        for i, decl in snap.items():
            if decl is None and i in self.last:
                out.append(self.last[i])
                continue
            decl = decl or {"tags": (), "card": None, "base_models": None, "files": (), "library": None}
            e = entry(i, decl["tags"], card=decl["card"], files=decl["files"], base_models=decl["base_models"],
                      library=decl["library"], created=f"2024-05-{1 + self.n % 28:02d}T00:00:00.000Z")
            self.last[i] = e
            out.append(e)
        return out

    def apply(self, mode: str, snap: dict[str, Any], *extra: str) -> Any:
        self.n += 1
        entries = self.entries(snap)
        if mode == "ingest":
            src = write_jsonl(self.d / f"s{self.n}.jsonl", entries)
            res = self.cli("--db", self.db, "--quiet", "ingest", src, *extra)
        else:
            _serve_entries(self.hub, entries)
            res = self.cli("--db", self.db, "--quiet", "crawl", "--full", "--endpoint", self.hub.url,
                           "--backoff", "0.01", "--retries", "1", "--timeout", "5", *extra)
        assert res.code == 0, (mode, res.code, res.stderr[-2000:])
        return res


# --- what is compared -----------------------------------------------------------------------------------

TABLES = {
    "edges": "SELECT child, parent, relation, evidence, chosen FROM edges",
    "lineage": "SELECT id, root, depth, path FROM lineage",
    "lineage_paths": "SELECT id, root, depth, path FROM lineage_paths",
    "lineage_origin": "SELECT * FROM lineage_origin",
    "model_origin": "SELECT * FROM model_origin",
    "licenses": "SELECT * FROM licenses",
    "license_flow": "SELECT * FROM license_flow",
}


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    return sorted(repr(r) for r in con.execute(sql).fetchall())


def _cycles(con: duckdb.DuckDBPyConnection) -> list[list[str]]:
    """The rootless cycle components as sorted member lists (cycle ids renamed away)."""
    rows = con.execute("SELECT cycle_id, list_sort(list(id)) FROM lineage_cycles GROUP BY 1").fetchall()
    return sorted(r[1] for r in rows)


def _diff(inc: dict[str, Any], full: dict[str, Any]) -> dict[str, Any]:
    """Per table, the rows only the incremental result has and those only the full recompute has."""
    out = {}
    for t in inc:
        a, b = {repr(r) for r in inc[t]}, {repr(r) for r in full[t]}
        if a != b:
            out[t] = {"incremental only": sorted(a - b), "full only": sorted(b - a)}
    return out


def derived(store: Store) -> dict[str, Any]:
    out: dict[str, Any] = {k: _rows(store.con, v) for k, v in TABLES.items()}
    out["lineage_cycles"] = _cycles(store.con)
    return out


def full_recompute(db: Path, tmp: Path) -> dict[str, Any]:
    """The derived tables after recomputing everything on a copy of ``db`` (the original is untouched)."""
    copy = tmp / "full.duckdb"
    shutil.copyfile(db, copy)
    wal = Path(f"{db}.wal")  # what a killed process committed and never checkpointed
    if wal.exists():
        shutil.copyfile(wal, f"{copy}.wal")
    with open_store(copy) as store:
        assert lineage_step.refresh(store, full=True)["mode"] == "full"
        licenses_step.refresh(store)
        out = derived(store)
    copy.unlink()
    return out


def brute_force(store: Store) -> dict[str, dict[str, int]]:
    """The stored lineage equals a plain-Python walk of the chosen edges; returns the ancestors, with their
    shortest distances (the model itself at 0), of each live model and of each deleted one with a parent."""
    con = store.con
    chosen = con.execute("SELECT child, parent FROM edges WHERE chosen").fetchall()
    alive = {r[0] for r in con.execute("SELECT id FROM models WHERE deleted_at IS NULL").fetchall()}
    # a model deleted from the Hub keeps the edges of its last-read declarations (thirty-fourth session)
    stored = {r[0] for r in con.execute("SELECT id FROM models").fetchall()}
    parents: dict[str, set[str]] = {}
    for c, p in chosen:
        assert c in stored, ("an edge of a model not in the store", c)
        assert c != p
        parents.setdefault(c, set()).add(p)
    nodes = alive | set(parents) | {p for ps in parents.values() for p in ps}

    def up(v: str) -> dict[str, int]:
        seen, q = {v: 0}, deque([v])
        while q:
            x = q.popleft()
            for p in sorted(parents.get(x, ())):
                if p not in seen:
                    seen[p] = seen[x] + 1
                    q.append(p)
        return seen

    anc = {v: up(v) for v in nodes}
    want: dict[str, dict[str, int]] = {}
    for v in alive | set(parents):
        if v not in parents:
            want[v] = {v: 0}
        else:
            roots = {r: d for r, d in anc[v].items() if r not in parents}
            if roots:
                want[v] = roots
    got: dict[str, dict[str, int]] = {}
    pairs = set(chosen)
    for mid, root, depth, path in con.execute("SELECT id, root, depth, path FROM lineage").fetchall():
        assert root not in got.setdefault(mid, {}), ("two rows for one (model, root)", mid, root)
        got[mid][root] = depth
        assert path[0] == mid and path[-1] == root and len(path) == depth + 1, (mid, root, depth, path)
        assert all((a, b) in pairs for a, b in zip(path, path[1:], strict=False)), path
    assert got == want
    # rootless cycles: the models no root reaches that lie on a cycle, one component per strongly
    # connected set
    rootless = {v for v in parents if v not in want}
    on_cycle = {v for v in rootless if any(v in anc[p] for p in parents[v])}
    comps = sorted(sorted(w for w in on_cycle if w in anc[v] and v in anc[w]) for v in on_cycle)
    want_cycles = sorted({tuple(c) for c in comps})
    assert [tuple(c) for c in _cycles(con)] == want_cycles
    # licences flow down from every ancestor along chosen edges, at its shortest distance, with a root of
    # that ancestor (itself when it has no parent, none when it is rootless)
    want_flow = {(v, a): d for v in alive for a, d in anc.get(v, {}).items() if a != v}
    flow = {(i, b): (d, r) for i, b, d, r in con.execute("SELECT id, base, distance, root FROM license_flow").fetchall()}
    assert {k: d for k, (d, _) in flow.items()} == want_flow
    for (_, b), (_, r) in flow.items():
        roots_b = want.get(b, {b: 0} if b not in parents else {})
        assert r == (min(roots_b) if roots_b else None), (b, r, roots_b)
    # every model with a parent has its origin row; depth NULL exactly when it is rootless
    origin = dict(con.execute("SELECT id, depth FROM lineage_origin").fetchall())
    assert set(origin) == set(parents)
    for v in parents:
        assert origin[v] == (max(want[v].values()) if v in want else None), v
    # a deleted model with parents is a node of the trees as last read (counted by --down of its ancestors)
    return {v: anc[v] for v in alive | set(parents)}


def declared_tag_parents(store: Store, entries: dict[str, dict[str, Any]]) -> None:
    """Where a live model's last entry names parents in ``base_model:`` tags, those (spelled as the store
    spells them, else as declared) are its chosen parents."""
    con = store.con
    alive = sorted(r[0] for r in con.execute("SELECT id FROM models WHERE deleted_at IS NULL").fetchall())
    by_lower: dict[str, str] = {}
    for i in alive:  # the store's spelling: an exact match, else the smallest id equal up to case
        by_lower.setdefault(i.lower(), i)
    chosen: dict[str, set[str]] = {}
    for c, p in con.execute("SELECT child, parent FROM edges WHERE chosen").fetchall():
        chosen.setdefault(c, set()).add(p)
    for mid in alive:
        tags = entries[mid]["tags"]
        named = set()
        for t in tags:
            if t.startswith("base_model:"):
                rest = t[len("base_model:"):]
                head, _, tail = rest.partition(":")
                named.add(tail if head in ("finetune", "adapter", "quantized", "merge") and tail else rest)
        if not named:
            continue
        want = {p if p in alive else by_lower.get(p.lower(), p) for p in named} - {mid}
        if not want:  # the tags name only the model itself: the next source's parents count
            continue
        # an external base is one node per id up to case, spelled as most children declare it (edges.py)
        got = chosen.get(mid, set())
        assert {p if p in alive else p.lower() for p in got} == {p if p in alive else p.lower() for p in want}, (
            mid, tags)


# What a user may type instead of an id: other spellings, a Hub URL, SQL wildcards, a path, controls.
ODD_PROBES = [" ", "%", "_/_", "%/%", "a/b/c", "\u202e", "'", "https://huggingface.co/Qwen/ft", "QWEN", "-x",
              "alice/ft/", "Qwen/ft\\", "x" * 300, "\x00", "ünï/cödé"]
probes = parent_ids | st.sampled_from(ODD_PROBES)


def _one_json(res: Any, what: Any) -> None:
    # 64 only for an argument that is blank (a usage error, said in one line)
    codes = (0, 66, 64) if not str(what[-1]).strip() else (0, 66)
    assert res.code in codes, (what, res.code, res.stderr[-2000:])
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr, (what, res.stderr[-2000:])
    if res.code == 0:
        json.loads(res.stdout)
    else:
        assert res.stdout == "" and len(res.stderr.strip().splitlines()) <= 2, (what, res.stderr)


def commands_answer(cli: Any, db: Path, probe: list[str]) -> None:
    for i in probe:
        for args in (("lineage", "--up", "--", i), ("lineage", "--down", "--", i), ("model", "--", i),
                     ("license", "--", i)):
            _one_json(cli("--db", db, "--json", *args), args)


def trees_count(cli: Any, db: Path, mid: str, anc: dict[str, dict[str, int]]) -> None:
    """``lineage --up`` and ``--down`` of a live model count its ancestors and descendants, by depth, as a
    brute-force walk does."""
    want = {"up": [d for a, d in anc[mid].items() if a != mid],
            "down": [a[mid] for w, a in anc.items() if w != mid and mid in a]}
    for direction, depths in want.items():
        doc = cli("--db", db, "--json", "lineage", f"--{direction}", "--", mid).json()
        hist: dict[str, int] = {}
        for d in depths:
            hist[str(d)] = hist.get(str(d), 0) + 1
        assert (doc["summary"]["total"], doc["summary"]["by_depth"]) == (len(depths), hist), (mid, direction)


def respelled_parents_cover(store: Store) -> None:
    """The declared spellings an answer shows (read back only for edges to a re-spelled parent, once a
    full refresh recorded them) equal those read from every child's records: the recorded set covers every
    edge declared under another spelling than its stored parent."""
    children = [r[0] for r in store.con.execute("SELECT DISTINCT child FROM edges ORDER BY child").fetchall()]
    assert declared_spellings(store, children) == read_back_spellings(store, children)


def stored_descendants_equal_the_walk(store: Store) -> None:
    """``lineage --down`` of a root reads its descendants from ``lineage_paths``: the same nodes, depths,
    relations and ``via`` as the level-by-level walk of the edges, for every node (roots, external bases,
    models with parents, cycle members), whole and capped at depth 1."""
    con = store.con
    nodes = [r[0] for r in con.execute("SELECT child FROM edges UNION SELECT parent FROM edges").fetchall()]
    for node in nodes:
        for cap in (MAX_DEPTH, 1):
            got = []
            for stored in (True, False):
                _walk(con, node, "down", None, cap, stored=stored)
                got.append(sorted(con.execute("SELECT id, depth, relation, via FROM _walk").fetchall(), key=repr))
            assert got[0] == got[1], (node, cap)


def check_step(runner: Runner, probe: list[str], trees: tuple[str, ...] = ()) -> dict[str, Any]:
    # Nothing writes the store during the checks: the commands share one started database (held_open).
    with reads_only(runner.db), open_store(runner.db, read_only=True) as store:
        now = derived(store)
        anc = brute_force(store)
        declared_tag_parents(store, runner.last)
        respelled_parents_cover(store)
        stored_descendants_equal_the_walk(store)
        for mid in [*probe, *trees]:
            if mid in anc:
                trees_count(runner.cli, runner.db, mid, anc)
        full = full_recompute(runner.db, runner.d)
        assert now == full, _diff(now, full)
        commands_answer(runner.cli, runner.db, probe)
    return now


# --- the tests ------------------------------------------------------------------------------------------

@_fast(6)
@given(seq=snapshots(), probe=probes)
def test_incremental_lineage_equals_a_full_recompute_after_every_snapshot(cli, hub, tmp_path_factory, empty_store,
                                                                           seq, probe) -> None:
    runner = Runner(cli, hub, tmp_path_factory.mktemp("seq"), empty_store)
    for mode, snap in seq:
        runner.apply(mode, snap)
        check_step(runner, [probe, next(iter(snap)).swapcase()], trees=(next(iter(snap)),))


@_fast(5)
@given(seq=snapshots(), at=st.integers(1, 7), phase=st.sampled_from(["lineage_paths__staged", "lineage_state",
                                                                     "license_flow"]))
def test_a_refresh_failing_midway_keeps_the_last_lineage_and_the_next_repairs_it(cli, hub, tmp_path_factory,
                                                                                  empty_store, seq, at,
                                                                                  phase) -> None:
    runner = Runner(cli, hub, tmp_path_factory.mktemp("kill"), empty_store)
    at = at % len(seq)
    before = None
    for k, (mode, snap) in enumerate(seq):
        if k != at:
            runner.apply(mode, snap)
            before = check_step(runner, [])
            continue
        runner.apply(mode, snap, "--no-derive")
        with open_store(runner.db) as store:
            full = phase == "lineage_paths__staged" or before is None
            other = store.con.cursor()
            other.execute("BEGIN TRANSACTION")
            # another connection's uncommitted change to a table the refresh writes: the refresh fails
            # there, part of the way through (a full one while computing its staging tables; a full or
            # incremental one when it records its state, after writing every lineage table in the same
            # transaction; the licence step when it rewrites its flow table, after lineage committed)
            if phase == "lineage_paths__staged":
                other.execute("CREATE TABLE lineage_paths__staged (x INTEGER)")
            else:
                other.execute(f"COMMENT ON TABLE {phase} IS 'busy'")
            with pytest.raises(duckdb.Error):
                if phase == "license_flow":
                    derive.refresh(store)
                else:
                    lineage_step.refresh(store, full=full)
            other.execute("ROLLBACK")
            other.close()
            if before is not None:
                # the store still answers with the previous snapshot's lineage (or licences)
                kept = (("licenses", "license_flow") if phase == "license_flow"
                        else ("edges", "lineage_paths", "lineage_origin", "lineage_cycles"))
                now = derived(store)
                assert {t: now[t] for t in kept} == {t: before[t] for t in kept}
            assert store.con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '%\\_\\_staged' ESCAPE '\\'"
            ).fetchone()[0] == 0
        with reads_only(runner.db):
            commands_answer(cli, runner.db, list(snap)[:1])
        # the next refresh (of the next ingest, or run alone) repairs it
        with open_store(runner.db) as store:
            derive.refresh(store)
        before = check_step(runner, list(snap)[:1])


LINEAGE_TABLES = ("edges", "lineage_paths", "lineage_origin", "lineage_cycles")


@_fast(3)
@given(seq=snapshots(), at=st.integers(1, 7), delay=st.floats(0.0, 1.5))
def test_an_ingest_killed_at_a_random_moment_keeps_a_consistent_lineage(cli, hub, tmp_path_factory, empty_store,
                                                                        seq, at, delay) -> None:
    """SIGKILL a real ``openscope ingest`` subprocess (ingest, then the derive steps) at a random moment:
    the store opens, its lineage is the previous snapshot's or the new one's (never a mix), and the next
    refresh makes it equal to a full recompute."""
    runner = Runner(cli, hub, tmp_path_factory.mktemp("sigkill"), empty_store)
    at = 1 + at % (len(seq) - 1)
    for mode, snap in seq[:at]:
        runner.apply(mode, snap)
    before = check_step(runner, [])
    runner.n += 1
    src = write_jsonl(runner.d / "killed.jsonl", runner.entries(seq[at][1]))
    proc = subprocess.Popen([sys.executable, "-m", "openscope.cli", "--db", str(runner.db), "--quiet", "ingest",
                             str(src)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode in (0, -signal.SIGKILL), err.decode(errors="replace")[-2000:]
    with open_store(runner.db, read_only=True) as store:
        now = derived(store)
    full = full_recompute(runner.db, runner.d)
    lineage_now, was, will = ({t: x[t] for t in LINEAGE_TABLES} for x in (now, before, full))
    assert lineage_now in (was, will), {"vs previous": _diff(lineage_now, was), "vs new": _diff(lineage_now, will)}
    with reads_only(runner.db):
        commands_answer(cli, runner.db, list(seq[at][1])[:1])
    # the next refresh repairs it; then the same file ingested again gives the snapshot's declarations
    with open_store(runner.db) as store:
        derive.refresh(store)
        brute_force(store)
        repaired = derived(store)
    assert repaired == full_recompute(runner.db, runner.d)
    assert cli("--db", runner.db, "--quiet", "ingest", src).code == 0
    check_step(runner, [])


# --- regressions of what the hunts found (docs/fuzzing.md, *Lineage and licences*) -----------------------

def _run_sequence(cli: Any, hub: HostileHub, d: Path, seq: list[tuple[str, dict[str, Any]]]) -> Runner:
    runner = Runner(cli, hub, d)
    for mode, snap in seq:
        runner.apply(mode, snap)
        check_step(runner, list(snap))
    return runner


def _decl(tags: tuple[str, ...] = (), card: dict | None = None) -> dict[str, Any]:
    return {"tags": tags, "card": card, "base_models": None, "files": (), "library": None}


def _chosen(db: Path) -> set[tuple[str, str]]:
    with open_store(db, read_only=True) as store:
        return set(store.con.execute("SELECT child, parent FROM edges WHERE chosen").fetchall())


def test_a_self_reference_under_another_spelling_becomes_an_edge_when_that_spelling_arrives(cli, hub,
                                                                                             tmp_path) -> None:
    # A card naming the model itself under another spelling names no other model (a self-reference)
    # until a model of that spelling arrives; the incremental refresh missed it (the child was not read
    # again), where a full recompute made the edge.
    r = _run_sequence(cli, hub, tmp_path, [
        ("ingest", {"deepseek-ai/base-7b": _decl(card={"base_model": "deepseek-ai/Base-7B"})}),
        ("ingest", {"deepseek-ai/Base-7B": _decl()}),
    ])
    assert _chosen(r.db) == {("deepseek-ai/base-7b", "deepseek-ai/Base-7B")}


def test_a_deleted_parent_spelling_hands_its_children_to_the_remaining_spelling(cli, hub, tmp_path) -> None:
    # Two spellings in the store; the child's parent took the smallest. A full crawl no longer lists
    # that one (deleted): the parent is now the remaining spelling, as a full recompute says.
    r = _run_sequence(cli, hub, tmp_path, [
        ("crawl", {"QWEN/Base-7B": _decl(), "qwen/base-7b": _decl(),
                   "alice/ft": _decl(("base_model:finetune:Qwen/Base-7B",))}),
        ("crawl", {"qwen/base-7b": None, "alice/ft": None}),
    ])
    assert _chosen(r.db) == {("alice/ft", "qwen/base-7b")}


def test_a_deleted_parent_that_spelled_the_child_itself_leaves_no_edge(cli, hub, tmp_path) -> None:
    r = _run_sequence(cli, hub, tmp_path, [
        # the parent matches both spellings and takes the smallest, alice/FT
        ("crawl", {"alice/FT": _decl(), "alice/ft": _decl(("base_model:finetune:ALICE/FT",))}),
        ("crawl", {"alice/ft": None}),
    ])
    assert _chosen(r.db) == set()


def test_every_parent_of_a_merge_passes_its_licence_down(cli, hub, tmp_path) -> None:
    # A merge of two finetunes of one root: the lineage path to that root goes through one of them only
    # (the shortest; of equally short ones the smallest id), and the flow-down followed the paths, so the
    # other parent's non-commercial licence never reached the merge: no conflict, effective class
    # permissive. Licences now flow from every ancestor along chosen edges.
    r = _run_sequence(cli, hub, tmp_path, [("ingest", {
        "r/root": _decl(("license:apache-2.0",)),
        "a/ft": _decl(("license:mit", "base_model:finetune:r/root")),
        "b/ft": _decl(("license:cc-by-nc-4.0", "base_model:finetune:r/root")),
        "m/merge": _decl(("license:mit", "base_model:merge:a/ft", "base_model:merge:b/ft")),
    })])
    doc = cli("--db", r.db, "--json", "license", "m/merge").json()
    assert {(f["base"], f["distance"], f["root"]) for f in doc["flow_down"]} == {
        ("a/ft", 1, "r/root"), ("b/ft", 1, "r/root"), ("r/root", 2, "r/root")}
    assert [c["base"] for c in doc["conflicts"]] == ["b/ft"]
    assert doc["effective_class"] == "non_commercial"
