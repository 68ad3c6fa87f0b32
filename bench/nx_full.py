"""A networkx baseline of the *complete* lineage outputs (issue 5), written into the store beside ours.

Why: the issue asks our lineage to be "at least 20x faster than a networkx implementation of the same
outputs". :func:`networkx_full` produces exactly what ``openscope.derive.lineage.refresh(store, full=True)``
stores (``edges`` with every evidence row, ``lineage_paths``, ``lineage_cycles``, ``lineage_origin``) as
tables ``nx_edges``, ``nx_lineage_paths``, ``nx_lineage_cycles``, ``nx_lineage_origin``, then checks them
row for row against ours and drops them. The logic is Python + networkx (dicts for the edge rules, a DiGraph,
one BFS per root, strongly connected components for rootless cycles); DuckDB only reads the inputs (with
the same row filters our SQL uses) and writes the results (one Arrow table per output, one INSERT each).

The rules, as the docstrings and SQL of ``src/openscope/derive/lineage/{edges,graph,origin}.py`` define them:

- declared edges: tags ``base_model:<relation>:<id>`` / ``base_model:<id>`` (prio 1, ids taken as written),
  ``baseModels`` (prio 2) and card ``base_model`` (prio 3), the last two with spaces and trailing slashes
  cleaned and a Hub address (``https://huggingface.co/Org/Name``, ``hf.co/Org/Name/tree/main``, any case,
  scheme optional) read as the id it names (a dataset's or a Space's names none), and card values kept only
  if they can be Hub ids (``edges.HUB_ID``, no
  placeholder); a deleted model's declarations are read as a live one's (as last read); a parent that is not a live store id
  but equals one up to case takes the smallest such id; a bare parent (no namespace) equal to no store id
  takes the stored ``<ns>/<name>`` of a canonical-move namespace (``openscope/data/canonical``) when exactly
  one such namespace holds the name (the smallest spelling); else a parent that is the old id of a repository a
  full crawl found moved (table ``moves``) takes the last id of its chain of moves; else a parent equal to a
  deleted store id up to case takes the smallest such id; empty parents and self-edges are dropped;
  a parent that resolves to no live store id (an external base) takes the spelling, equal to it up to case, that
  most children's declarations resolve to, ties to the smallest (one node per id up to case);
- per (child, parent, source): the smallest and largest declared relation (finetune < adapter < quantized <
  merge) are kept as rows, ``unknown`` only when nothing is declared; a card naming 2+ bases without a
  relation declares ``merge`` when they resolve (as above) to 2+ parents that differ beyond case, the child
  itself not counted;
- chosen: rows of the child's best source (smallest prio) with the pair's smallest relation; where that is
  ``unknown`` and the records tell (2+ chosen parents → merge; adapter_config.json / PEFT → adapter;
  quantisation tags or .gguf files → quantized; mergekit/merge tags → merge) the ``unknown`` row is
  unchosen and an ``inferred`` row with that relation is chosen;
- lineage: per root (a node without chosen parent), shortest depth to every descendant; of equally short
  paths the one through the smallest parent id; models no root reaches are listed per strongly connected
  set of 2+ members, ``cycle_id`` ranked by the set's smallest id;
- origin: per child, chosen-parent count, largest depth, sorted roots, sorted distinct known countries and
  regions of the roots' publishers (namespace matched case-insensitively, or the organisation
  ``model_publishers`` names for the root), and one country/region or
  ``multiple`` (several, or a known one beside an unknown one) or NULL (none known).

Run alone: ``.venv/bin/python -m bench.nx_full STORE`` (a store a full refresh has already written).
"""

from __future__ import annotations

import gc
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openscope.derive.lineage import canonical
from openscope.derive.lineage.edges import ADAPTER_TAGS, HUB_ID, MERGE_TAGS, PLACEHOLDERS, QUANT_TAGS
from openscope.store.lookup import SUB_PAGES

TABLES = ("edges", "lineage_paths", "lineage_cycles", "lineage_origin")
RELATIONS = ("", "finetune", "adapter", "quantized", "merge", "unknown")  # code 1..5
REL_CODE = {r: i for i, r in enumerate(RELATIONS) if 1 <= i <= 4}
UNKNOWN = 5
EVIDENCE = ("", "tag", "base_models", "card")  # by source priority 1..3
DECLARED_BITS = 0b11110  # bits 1..4: the declared relations
# A Hub address: scheme optional (any case), host huggingface.co or hf.co with optional www., ending at `/` or
# the end. A dataset's or a Space's names no model; a repository page after `Org/Name` (or after a legacy
# one-segment id, when more follows the page) is not part of the id.
_HOST = r"^(?:https?://)?(?:www\.)?(?:huggingface|hf)\.co"
_PAGES = "|".join(sorted(SUB_PAGES))
HUB_URL = re.compile(_HOST + r"(?:/|$)", re.IGNORECASE)
HUB_NOT_MODEL = re.compile(_HOST + r"/+(?:datasets|spaces)(?:[/?#]|$)", re.IGNORECASE)
HUB_PAGE_OF = (re.compile(_HOST + rf"/+([^/?#]+/[^/?#]+)/(?:{_PAGES})(?:[/?#]|$)", re.IGNORECASE),
               re.compile(_HOST + rf"/+([^/?#]+)/(?:{_PAGES})/[^/?#]", re.IGNORECASE))
URL_STARTS = frozenset({"http:", "https", "hf.co", "huggi", "www.h"})  # where our SQL looks for an address
_HUB_ID = re.compile(HUB_ID, re.ASCII)  # DuckDB's RE2 `\w` is ASCII


def _hub_id(p: str | None) -> bool:
    """A cleaned card value that can be a Hub model id (huggingface_hub's repo-id rules, no placeholder)."""
    return (p is not None and _HUB_ID.fullmatch(p) is not None and "--" not in p and ".." not in p
            and not p.endswith(".git") and p.lower() not in PLACEHOLDERS)


class Capped(Exception):
    """The baseline ran past its time cap."""


def _variants(tags: Iterable[str]) -> list[str]:
    """Hub tags are lower case; our SQL also accepts the upper-case spelling (never any other casing)."""
    return sorted({v for t in tags for v in (t, t.upper())})


def _sql_list(values: Iterable[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _clean(b: str | None) -> str | None:
    """A declared base id without spaces around it or trailing slashes, a Hub address as the id it names
    (cards, baseModels); None for a dataset's or a Space's address (no model).

    DuckDB's ``trim`` removes spaces only (not tabs), and the cleaning runs only when the id starts (in any
    case) with ``http:``, ``https``, ``hf.co``, ``huggi`` or ``www.h``, or with a space, or ends with a space or
    a slash. The id in an address: ``Org/Name`` followed by a repository page (``/blob/main/x``), a one-segment
    id followed by a page and more (``gpt2/tree/main``), else the path without query, fragment and trailing
    slashes.
    """
    if b is None or not (b[:5].lower() in URL_STARTS or b.startswith(" ") or b.endswith((" ", "/"))):
        return b
    t = b.strip(" ")
    if HUB_NOT_MODEL.match(t):
        return None
    if not HUB_URL.match(t):
        return t.rstrip("/")
    for rx in HUB_PAGE_OF:
        m = rx.match(t)
        if m:
            return m.group(1)
    path = t[t.lower().index(".co") + 3:].lstrip("/")
    return re.split(r"[?#]", path, maxsplit=1)[0].rstrip("/")


def _as_text(v: Any) -> str | None:
    """A JSON value as DuckDB's ``json_extract_string`` renders it (NULL for null)."""
    if v is None or isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    return json.dumps(v, separators=(",", ":"), ensure_ascii=False)


# First characters of every spelling float() parses (digits, sign, point, whitespace, inf/nan).
_NUMBER_START = frozenset("0123456789+-. \t\n\r\x0b\x0ciInN")


def _is_number(s: str) -> bool:
    """Whether ``TRY_CAST(s AS DOUBLE)`` succeeds (Python's float() parses the same spellings we meet)."""
    if not s or s[0] not in _NUMBER_START:  # most ids: no exception raised and caught
        return False
    try:
        float(s)
    except ValueError:
        return False
    return True


def _card_bases(s: str | None, is_list: bool | None = None) -> list[str | None] | None:
    """The declared bases of a card's ``base_model`` as extracted text (JSON strings unquoted, other values
    as JSON), or None when it names none: a list gives its values as text; an object or a number (or a string
    that reads as one) names no model; anything else is one id."""
    if s is None:
        return None
    if s.startswith("["):  # a list, or a string that only starts with '[' (no Hub id)
        return [_as_text(e) for e in json.loads(s)] if is_list else None
    if s.startswith("{") or _is_number(s):
        return None
    return [s]


def _is_adapter_file(path: str) -> bool:
    """``path = 'adapter_config.json' OR path LIKE '%/adapter_config.json'`` (in LIKE, ``_`` is any one
    character)."""
    return path == "adapter_config.json" or (
        len(path) >= 20 and path[-20] == "/" and path[-19:-12] == "adapter" and path[-11:] == "config.json")


def _lowbit(m: int) -> int:
    return (m & -m).bit_length() - 1


def networkx_full(db: Path, cap_s: float, keep: bool = False) -> dict:
    """Compute the four lineage tables with Python + networkx into ``nx_*`` tables of store ``db``, compare
    them with ours, drop them (unless ``keep``). Raises :class:`Capped` past ``cap_s`` seconds.

    Returns ``{elapsed_s, phases_s, subphases_s, rows, tables_equal, differing_rows}``; ``elapsed_s``
    covers read → compute → write (the comparison is not timed); ``phases_s`` sums ``subphases_s`` (named
    ``phase/step``) per phase: reads, python_edges, graph_bfs, origins, writes.

    Python's cyclic garbage collector is off while it runs (as usual for bulk building in Python): the
    millions of tuples, lists and dicts built here form no reference cycles, and the collector's repeated
    passes over them cost about 14 s of a 33 s run on the benchmark store (measured).
    """
    import duckdb

    t0 = time.monotonic()
    sub: dict[str, float] = {}
    mark = [t0]

    def phase(name: str) -> None:
        now = time.monotonic()
        sub[name] = round(now - mark[0], 3)
        mark[0] = now
        if now - t0 > cap_s:
            raise Capped

    con = duckdb.connect(str(db))  # no config: a connection to the same file may be cached in this process
    gc_was_on = gc.isenabled()
    try:
        gc.disable()
        try:
            out = _run(con, phase, t0, cap_s)
        finally:
            if gc_was_on:
                gc.enable()
        elapsed = time.monotonic() - t0
        phases: dict[str, float] = defaultdict(float)
        for name, secs in sub.items():
            phases[name.split("/")[0]] += secs
        equal, diff = _compare(con)
        return {"elapsed_s": round(elapsed, 3), "phases_s": {k: round(v, 3) for k, v in phases.items()},
                "subphases_s": sub, "rows": out, "tables_equal": equal, "differing_rows": diff}
    finally:
        if not keep:
            for t in TABLES:
                con.execute(f"DROP TABLE IF EXISTS nx_{t}")
        con.close()


def _run(con: Any, phase: Any, t0: float, cap_s: float) -> dict[str, int]:
    import networkx as nx
    import pyarrow as pa

    # ---- reads: the inputs, filtered as our SQL filters them --------------------------------------------
    # The write settings our refresh uses (dictionary compression, unordered inserts), for a fair write.
    con.execute("SET memory_limit = '4GB'")
    con.execute("SET enable_progress_bar = false")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET force_compression = 'dictionary'")
    alive = [r[0] for r in con.execute("SELECT id FROM models WHERE deleted_at IS NULL").fetchall()]
    deleted = {r[0] for r in con.execute("SELECT id FROM models WHERE deleted_at IS NOT NULL").fetchall()}
    tag_rows = con.execute(
        "SELECT id, tag FROM tags WHERE repo_type = 'model' AND starts_with(tag, 'base_model:')").fetchall()
    card_rows = con.execute(
        """SELECT id, card_data->>'$.base_model', card_data->>'$.base_model_relation',
                  CASE WHEN starts_with(card_data->>'$.base_model', '[')
                       THEN json_type(card_data, '$.base_model') = 'ARRAY' END FROM models
           WHERE card_data IS NOT NULL
             AND contains(card_data::VARCHAR, '"base_model"')""").fetchall()
    bm_rows = con.execute(
        "SELECT id, base_models::VARCHAR FROM models WHERE base_models IS NOT NULL").fetchall()
    qt, mt, at = _variants(QUANT_TAGS), _variants(MERGE_TAGS), _variants(ADAPTER_TAGS)
    inf_tags = con.execute(
        f"SELECT id, tag FROM tags WHERE repo_type = 'model' AND tag IN ({_sql_list(qt + mt + at)})").fetchall()
    inf_files = con.execute(
        """SELECT id, path FROM files WHERE repo_type = 'model'
           AND (path LIKE '%.gguf' OR path LIKE '%.GGUF' OR path LIKE '%adapter_config.json')""").fetchall()
    peft = {r[0] for r in con.execute("SELECT id FROM models WHERE lower(library_name) = 'peft'").fetchall()}
    pub_rows = con.execute("SELECT org, country, region FROM publishers").fetchall()
    by_model = dict(con.execute("SELECT lower(id), min(lower(org)) FROM model_publishers GROUP BY 1").fetchall())
    phase("reads")

    # ---- python edges -------------------------------------------------------------------------------
    alive_set = set(alive)
    lows = [m.lower() for m in alive]
    canon = dict(zip(lows, alive, strict=True))
    if len(canon) < len(alive):  # ids equal up to case: the smallest one is the store's spelling
        for low, m in zip(lows, alive, strict=True):
            if m < canon[low]:
                canon[low] = m
    del lows
    # Bare canonical ids: name (lower case) -> the one stored id under a canonical-move namespace holding it
    # (a name held by two such namespaces resolves to none).
    moved = set(canonical.namespaces())
    bare_ns: dict[str, set[str]] = defaultdict(set)
    bare_id: dict[str, str] = {}
    for m in alive:
        ns, sep, name = m.partition("/")
        if sep and ns.lower() in moved:
            k = name.lower()
            bare_ns[k].add(ns.lower())
            if k not in bare_id or m < bare_id[k]:
                bare_id[k] = m
    bare = {k: v for k, v in bare_id.items() if len(bare_ns[k]) == 1}
    del bare_ns, bare_id
    # Repositories a full crawl found moved on the Hub (table `moves`): an old id's latest answer, lower case
    # old id -> new id; a declared parent that is no live id resolves along the chain (edges.moved_sql).
    has_moves = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'moves'").fetchone()[0]
    last_move: dict[str, str] = dict(con.execute(
        """SELECT lower(old_id), new_id FROM moves WHERE repo_type = 'model'
           QUALIFY row_number() OVER (PARTITION BY lower(old_id) ORDER BY snapshot_id DESC, found_at DESC,
                                      new_id) = 1""").fetchall()) if has_moves else {}

    def moved_to(low: str) -> str | None:
        """The last id of the chain of moves from old id ``low``: stops at a live id, before a repeat."""
        seen, cur, c = {low}, None, low
        while c in last_move:
            nxt = last_move[c]
            if nxt.lower() in seen:
                break
            cur = nxt
            seen.add(nxt.lower())
            if nxt.lower() in canon:
                break
            c = nxt.lower()
        return None if cur is None else canon.get(cur.lower(), cur)

    # deleted store ids, lower case -> the smallest stored spelling
    gone: dict[str, str] = {}
    for m in sorted(deleted):
        gone.setdefault(m.lower(), m)
    fixed: dict[str, str] = {}

    # (child, prio, parent) -> bit mask of the relation codes declared
    groups: dict[tuple[str, int, str], int] = {}
    # child -> its best source: the sources are read in priority order, so the first kept row's
    best: dict[str, int] = {}

    def resolve(child: str, parent: str | None) -> str | None:
        """The parent ``parent`` names for ``child``: None for an empty one or a self-reference."""
        if not parent or parent == child:
            return None
        p = fixed.get(parent)
        if p is None:
            p = parent if parent in alive_set else canon.get(parent.lower())
            if p is None:
                p = None if "/" in parent else bare.get(parent.lower())
            if p is None:
                p = (moved_to(parent.lower()) if last_move else None)
            if p is None:  # a deleted store id up to case: its stored spelling (edges._deleted_fix)
                p = parent if parent in deleted else gone.get(parent.lower(), parent)
            fixed[parent] = p
        return None if p == child else p

    def add(child: str, prio: int, parent: str | None, bit: int) -> None:
        p = resolve(child, parent)
        if p is None:
            return
        k = (child, prio, p)
        groups[k] = groups.get(k, 0) | bit
        best.setdefault(child, prio)

    for child, tag in tag_rows:
        rest = tag[11:]  # after 'base_model:'
        head, sep, tail = rest.partition(":")
        rc = REL_CODE.get(head) if sep else None
        if rc is None:
            add(child, 1, rest, 1 << UNKNOWN)
        else:
            add(child, 1, tail, 1 << rc)
    del tag_rows
    for child, raw in bm_rows:
        d = json.loads(raw)
        if not isinstance(d, dict):
            continue
        rel = _as_text(d.get("relation"))
        bit = 1 << REL_CODE.get(rel.lower() if rel is not None else "", UNKNOWN)
        models = d.get("models")
        for m in models if isinstance(models, list) else ():
            add(child, 2, _clean(_as_text(m.get("id")) if isinstance(m, dict) else None), bit)
    for child, raw, rel, is_list in card_rows:
        raw_bases = _card_bases(raw, is_list)
        if raw_bases is None:
            continue
        bases = [c for b in raw_bases if _hub_id(c := _clean(b))]
        rc = REL_CODE.get(rel.lower() if rel is not None else "")
        if rc is None:
            # a merge needs two parents that differ beyond case once resolved (a bare id and its canonical full
            # id, a moved old id and its new id are one base); a self-reference is no parent
            resolved = {p.lower() for b in bases if (p := resolve(child, b)) is not None}
            rc = REL_CODE["merge"] if len(resolved) >= 2 else UNKNOWN
        bit = 1 << rc
        for b in bases:
            add(child, 3, b, bit)
    del card_rows, bm_rows
    fixed.clear()
    # An external base (no live store id) is one node per id up to case, spelled as most children declare it
    # (ties: the smallest spelling); the pairs it merges share one row, their relations combined.
    spellings: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # lower -> spelling -> children
    for (child, _, p) in groups:
        if p not in alive_set:
            spellings[p.lower()][p].add(child)
    node = {low: min(by, key=lambda sp: (-len(by[sp]), sp)) for low, by in spellings.items() if len(by) > 1}
    if node:
        folded: dict[tuple[str, int, str], int] = {}
        for (child, prio, p), mask in groups.items():
            k = (child, prio, node.get(p.lower(), p) if p not in alive_set else p)
            folded[k] = folded.get(k, 0) | mask
        groups = folded
    del spellings, node
    phase("python_edges/parse")

    n_best: dict[str, int] = defaultdict(int)  # child -> chosen parents (one chosen edge per best group)
    need: set[str] = set()
    for (child, prio, _), mask in groups.items():
        if prio == best[child]:
            n_best[child] += 1
            if not mask & DECLARED_BITS:
                need.add(child)
    quant_tag, merge_tag, adapter = set(), set(), set(peft)
    qts, mts = set(qt), set(mt)
    for mid, tag in inf_tags:
        (quant_tag if tag in qts else merge_tag if tag in mts else adapter).add(mid)
    quant_file = set()
    for mid, path in inf_files:
        if path.lower().endswith(".gguf"):
            quant_file.add(mid)
        if _is_adapter_file(path):
            adapter.add(mid)
    del inf_tags, inf_files
    inferred: dict[str, str] = {}
    for child in need:
        if n_best[child] >= 2:
            inferred[child] = "merge"
        elif child in adapter:
            inferred[child] = "adapter"
        elif child in quant_tag or child in quant_file:
            inferred[child] = "quantized"
        elif child in merge_tag:
            inferred[child] = "merge"

    e_child: list[str] = []
    e_parent: list[str] = []
    e_rel: list[str] = []
    e_ev: list[str] = []
    e_chosen: list[bool] = []
    chosen: list[tuple[str, str]] = []  # (parent, child)
    for (child, prio, parent), mask in groups.items():
        declared = mask & DECLARED_BITS
        is_best = prio == best[child]
        ev = EVIDENCE[prio]
        if declared:
            mn, mx = _lowbit(declared), declared.bit_length() - 1
            for rc in (mn,) if mn == mx else (mn, mx):
                e_child.append(child)
                e_parent.append(parent)
                e_rel.append(RELATIONS[rc])
                e_ev.append(ev)
                e_chosen.append(is_best and rc == mn)
            if is_best:
                chosen.append((parent, child))
        else:
            inf = inferred.get(child) if is_best else None
            e_child.append(child)
            e_parent.append(parent)
            e_rel.append("unknown")
            e_ev.append(ev)
            e_chosen.append(is_best and inf is None)
            if inf is not None:
                e_child.append(child)
                e_parent.append(parent)
                e_rel.append(inf)
                e_ev.append("inferred")
                e_chosen.append(True)
            if is_best:
                chosen.append((parent, child))
    groups.clear()
    best.clear()
    del need, inferred
    phase("python_edges/choose")

    # ---- graph + BFS from every root + rootless cycles ------------------------------------------------
    g = nx.DiGraph()
    g.add_edges_from(chosen)
    del chosen
    phase("graph_bfs/graph")
    p_id: list[str] = []
    p_root: list[str] = []
    p_depth: list[int] = []
    p_path: list[list[str]] = []
    reach: dict[str, list[tuple[str, int]]] = defaultdict(list)  # model -> [(root, depth)]
    roots = [n for n, d in g.in_degree() if d == 0]
    for i, r in enumerate(roots):
        pred = nx.predecessor(g, r)  # BFS order; every shortest-path predecessor of each node
        path: dict[str, list[str]] = {r: [r]}
        for v, ps in pred.items():
            if not ps:
                continue
            pv = [v, *path[min(ps)]]  # of equally short paths, the one through the smallest parent id
            path[v] = pv
            depth = len(pv) - 1
            p_id.append(v)
            p_root.append(r)
            p_depth.append(depth)
            p_path.append(pv)
            reach[v].append((r, depth))
        if i % 4096 == 0 and time.monotonic() - t0 > cap_s:
            raise Capped
    phase("graph_bfs/bfs")
    unreached = [n for n in n_best if n not in reach]
    comps = sorted((min(c), c) for c in nx.strongly_connected_components(g.subgraph(unreached)) if len(c) > 1)
    c_id = [k for k, (_, c) in enumerate(comps, 1) for _ in c]
    c_member = [m for _, c in comps for m in c]
    phase("graph_bfs/cycles")

    # ---- origins ----------------------------------------------------------------------------------
    pub_c: dict[str, set[str]] = defaultdict(set)
    pub_r: dict[str, set[str]] = defaultdict(set)
    for org, country, region in pub_rows:
        low = org.lower()
        if country is not None:
            pub_c[low].add(country)
        if region is not None:
            pub_r[low].add(region)
    root_info: dict[str, tuple[str | None, str | None]] = {}

    def info(root: str) -> tuple[str | None, str | None]:
        x = root_info.get(root)
        if x is None:
            # the organisation model_publishers names for this model, else its namespace's
            ns = by_model.get(root.lower()) or (root[:root.index("/")].lower() if "/" in root else None)
            cs, rs = pub_c.get(ns), pub_r.get(ns)
            x = root_info[root] = (min(cs) if cs else None, min(rs) if rs else None)
        return x

    def one_of(vals: list[str | None]) -> str | None:
        known = {v for v in vals if v is not None}
        if not known:
            return None
        # a root of unknown origin beside a known one makes the roots differ
        return "multiple" if len(known) > 1 or None in vals else known.pop()

    o_id: list[str] = []
    o_depth: list[int | None] = []
    o_np: list[int] = []
    o_roots: list[list[str]] = []
    o_rc: list[list[str]] = []
    o_rr: list[list[str]] = []
    o_c: list[str | None] = []
    o_r: list[str | None] = []
    for v, d in n_best.items():
        rows = reach.get(v)
        o_id.append(v)
        o_np.append(d)
        if not rows:
            o_depth.append(None)
            o_roots.append([])
            o_rc.append([])
            o_rr.append([])
            o_c.append(None)
            o_r.append(None)
        elif len(rows) == 1:
            r, depth = rows[0]
            c, rg = info(r)
            o_depth.append(depth)
            o_roots.append([r])
            o_rc.append([] if c is None else [c])
            o_rr.append([] if rg is None else [rg])
            o_c.append(c)
            o_r.append(rg)
        else:
            o_depth.append(max(x for _, x in rows))
            rs = sorted(r for r, _ in rows)
            infos = [info(r) for r in rs]
            cs = [c for c, _ in infos]
            rgs = [rg for _, rg in infos]
            o_roots.append(rs)
            o_rc.append(sorted({c for c in cs if c is not None}))
            o_rr.append(sorted({rg for rg in rgs if rg is not None}))
            o_c.append(one_of(cs))
            o_r.append(one_of(rgs))
    del reach, n_best
    phase("origins")

    # ---- writes: one Arrow table and one INSERT per output --------------------------------------------
    s, i32, lst = pa.string(), pa.int32(), pa.list_(pa.string())
    arrow = {
        "edges": pa.Table.from_pydict(
            {"child": e_child, "parent": e_parent, "relation": e_rel, "evidence": e_ev, "chosen": e_chosen},
            schema=pa.schema([("child", s), ("parent", s), ("relation", s), ("evidence", s),
                              ("chosen", pa.bool_())])),
        "lineage_paths": pa.Table.from_pydict(
            {"id": p_id, "root": p_root, "depth": p_depth, "path": p_path},
            schema=pa.schema([("id", s), ("root", s), ("depth", i32), ("path", lst)])),
        "lineage_cycles": pa.Table.from_pydict(
            {"cycle_id": c_id, "id": c_member}, schema=pa.schema([("cycle_id", pa.int64()), ("id", s)])),
        "lineage_origin": pa.Table.from_pydict(
            {"id": o_id, "depth": o_depth, "n_parents": o_np, "roots": o_roots, "root_countries": o_rc,
             "root_regions": o_rr, "root_country": o_c, "root_region": o_r},
            schema=pa.schema([("id", s), ("depth", i32), ("n_parents", i32), ("roots", lst),
                              ("root_countries", lst), ("root_regions", lst), ("root_country", s),
                              ("root_region", s)])),
    }
    phase("writes/arrow")
    rows: dict[str, int] = {}
    for t, tbl in arrow.items():
        con.execute(f"DROP TABLE IF EXISTS nx_{t}")
        con.execute(f"CREATE TABLE nx_{t} AS SELECT * FROM {t} LIMIT 0")  # our columns and types
        con.register("_nx_arrow", tbl)
        rows[t] = con.execute(f"INSERT INTO nx_{t} SELECT * FROM _nx_arrow").fetchone()[0]
        con.unregister("_nx_arrow")
    phase("writes/insert")
    return rows


def _compare(con: Any) -> tuple[dict[str, bool], dict[str, list[int]]]:
    """Row-for-row equality of each ``nx_*`` table with ours (``EXCEPT ALL`` both ways).

    Lists compare element by element: every list our code writes has a defined order (``path`` from the
    model to the root, ``roots`` and the distinct ``root_countries``/``root_regions`` sorted), so no list is
    sorted here.
    """
    equal: dict[str, bool] = {}
    diff: dict[str, list[int]] = {}
    for t in TABLES:
        a = con.execute(f"SELECT count(*) FROM (SELECT * FROM nx_{t} EXCEPT ALL SELECT * FROM {t})").fetchone()[0]
        b = con.execute(f"SELECT count(*) FROM (SELECT * FROM {t} EXCEPT ALL SELECT * FROM nx_{t})").fetchone()[0]
        equal[t] = a == 0 and b == 0
        diff[t] = [int(a), int(b)]
    return equal, diff


if __name__ == "__main__":
    res = networkx_full(Path(sys.argv[1]), cap_s=float(sys.argv[2]) if len(sys.argv) > 2 else 600.0,
                        keep="--keep" in sys.argv)
    print(json.dumps(res, indent=2))
    sys.exit(0 if all(res["tables_equal"].values()) else 1)
