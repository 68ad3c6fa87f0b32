"""Finding a repository by the id a user typed: case-insensitively, as the Hub does.

Why shared: every command that takes a model id (lineage, model, license, assess) must answer an unknown
id the same way: exit 66 with one line that suggests the closest ids, so a typo is a one-step fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from openscope.errors import MissingInput
from openscope.store.db import Store
from openscope.store.moves import moved_sql as moved_any_sql

_TABLES = {"models": "model", "datasets": "dataset"}


# Jaro-Winkler similarity (0-1) an id needs to be suggested: a typo or a missing/extra character scores above
# 0.9 ("deepseek-r1x" → "DeepSeek-R1" 0.99), unrelated ids of the same length 0.6-0.75 ("nosuch/model" →
# "mighty-bison/code-walrus-med" 0.71). Suggesting those sent users after ids that had nothing to do with theirs.
MIN_SIMILARITY = 0.8


# A Hub address as pasted from the browser: https or http, or no scheme at all (the address bar shows
# `huggingface.co/Org/Name`, and copying it often drops the scheme), with or without www., the short host hf.co
# too. The host must end there (`/` or the end): `huggingface.co.evil.com/…` and `evilhuggingface.co/…` are not
# the Hub. Why the scheme-less form is an address: read as an id it named nothing (`huggingface.co/Org/Name`) or a
# model of a user called `huggingface.co` (`huggingface.co/Org`: the Hub's ids allow a dot in a namespace). An id
# stored with that very spelling (an odd dump) is still found as typed first, as any id is (:func:`find_id`).
_HUB_URL = re.compile(r"^(https?://)?(www\.)?(huggingface\.co|hf\.co)(/|$)", re.IGNORECASE)

# The path `huggingface_hub`'s file system (HfFileSystem) reads, and the Hub's dataset viewer shows in its code
# snippets (`pd.read_parquet("hf://datasets/Org/Name/data/train.parquet")`): `hf://Org/Name` is a model,
# `hf://datasets/Org/Name` a dataset, `hf://spaces/…` a Space, a revision after `@` (`Org/Name@main/file`). Why: a
# dataset analyst pastes it from there, and it was answered "unknown dataset" with no hint.
_HF_FS = re.compile(r"^hf://", re.IGNORECASE)


def _as_address(raw: str) -> str:
    """``hf://…`` as the Hub address of the same repository (the revision after ``@`` is a page of it), else
    ``raw`` unchanged."""
    if not _HF_FS.match(raw):
        return raw
    parts = raw[5:].split("/")
    named = 3 if parts and parts[0].lower() in ("datasets", "spaces") else 2  # the segment holding the name
    if len(parts) >= named and "@" in parts[named - 1]:
        parts[named - 1] = parts[named - 1].split("@", 1)[0]
    return "https://huggingface.co/" + "/".join(parts)

# The pages inside a repository (``/Org/Name/<page>/...``). Only needed to read an id without a namespace
# (``gpt2/tree/main`` is ``gpt2``, while ``Org/Name/tree/main`` is ``Org/Name``): whatever follows ``Org/Name`` is
# that repository's page, listed here or not.
SUB_PAGES = frozenset({"tree", "blob", "resolve", "raw", "commit", "commits", "discussions", "blame", "edit",
                       "viewer", "settings"})

_KINDS = {"": "model", "datasets": "dataset", "spaces": "space"}
_API_KINDS = ("models", "datasets", "spaces")  # /api/models/Org/Name is the model's record, /api/datasets/… a dataset's


@dataclass(frozen=True)
class HubPage:
    """The repository a Hub URL points into: ``kind`` is ``model``, ``dataset`` or ``space``."""

    kind: str
    id: str


def is_hub_url(raw: str) -> bool:
    """Whether ``raw`` is an address on the Hub, with or without its scheme (``huggingface.co/Org/Name`` too).
    With a scheme it is never a local path; without one, ``assess`` checks for a folder of that spelling first."""
    return bool(_HUB_URL.match(_as_address(raw.strip())))


def hub_page(raw: str) -> HubPage | None:
    """The repository a Hub URL names, from any page inside it: ``/Org/Name``, ``/Org/Name/tree/main/sub``,
    ``/blob|resolve|raw/<rev>/<file>``, ``/commit/<sha>``, ``/discussions/3``, ``?query``, ``#anchor``;
    ``/datasets/...`` a dataset, ``/spaces/...`` a Space; the API's ``/api/models|datasets|spaces/...`` the same;
    with ``https://``, ``http://`` or no scheme (``huggingface.co/Org/Name``, ``hf.co/Org/Name``), or as
    ``huggingface_hub``'s file system path ``hf://[datasets/]Org/Name[@rev]/…``. ``None`` for anything else
    (not a Hub URL, or the host alone). Why: a URL copied from a file's or a discussion's page was answered as an
    unknown model.

    The id is the first two path segments, except for an id without a namespace (the canonical ``gpt2``), whose
    second segment is a sub-page (:data:`SUB_PAGES`) followed by more than a repository's own sub-page would
    be: ``gpt2/tree/main`` is ``gpt2``, ``Org/tree`` and ``Org/tree/tree/main`` are ``Org/tree``."""
    t = _as_address(raw.strip())
    m = _HUB_URL.match(t)
    if not m:
        return None
    path = urlsplit(t if m.group(1) else f"https://{t}").path  # without a scheme urlsplit reads no host
    parts = [p for p in path.split("/") if p]
    if len(parts) > 1 and parts[0].lower() == "api" and parts[1].lower() in _API_KINDS:  # the API's address
        parts = parts[1:] if parts[1].lower() != "models" else parts[2:]
    kind = _KINDS.get(parts[0].lower(), "model") if parts else "model"
    if kind != "model":
        parts = parts[1:]
    if not parts:
        return None
    if len(parts) >= 3 and parts[1].lower() in SUB_PAGES and parts[2].lower() not in SUB_PAGES:
        return HubPage(kind, parts[0])
    return HubPage(kind, "/".join(parts[:2]))


def space_message(raw: str) -> str | None:
    """The one-line answer to a Space's URL (a Space is an app, neither a model nor a dataset), else ``None``."""
    page = hub_page(raw)
    if page is None or page.kind != "space":
        return None
    return (f"'{raw.strip()}' is a Space ('{page.id}'), neither a model nor a dataset: "
            "openscope measures models and datasets")


def typed_id(raw_id: str, table: str = "models") -> str:
    """The id a user meant by what they pasted: without surrounding spaces or trailing slashes, and a Hub URL
    (``https://huggingface.co/``, ``huggingface.co/`` or ``hf.co/`` without a scheme, ``…/datasets/`` for datasets,
    any page inside the repository: :func:`hub_page`)
    as the repository it names, as lineage reads a declared base (``derive.lineage.edges._clean``) and as the Hub's
    own page for ``Qwen/Qwen2-7B/`` is that model's. Why: an id copied from the browser's address bar was
    answered as an unknown model. A URL of another kind (a dataset's when models are looked up, a Space's) is
    returned as typed: it names no repository of this table."""
    t = raw_id.strip()
    if is_hub_url(t):
        page = hub_page(t)
        return page.id if page is not None and page.kind == _TABLES[table] else t
    return t.rstrip("/") or t


def suggestions(store: Store, raw_id: str, table: str = "models", limit: int = 3) -> list[str]:
    """The ``limit`` ids most similar to ``raw_id`` (Jaro-Winkler on lower case, then edit distance), only
    those at least :data:`MIN_SIMILARITY` alike. An id typed without its namespace (``qwen2.5-7b-instruct``)
    is also compared with each id's name part, as the Hub's search does."""
    if table not in _TABLES:
        raise ValueError(table)
    if is_hub_url(raw_id) and getattr(hub_page(raw_id), "kind", None) != _TABLES[table]:
        return []  # an address naming no repository of this kind (the host, a listing): no id is like it
    q = typed_id(raw_id, table).lower()  # a pasted URL is compared as the id it names
    name = "" if "/" in q else "greatest(s, jaro_winkler_similarity(lower(split_part(id, '/', -1)), $q))"
    rows = store.con.execute(
        f"""SELECT id FROM (
                SELECT id, {name or 's'} AS sim FROM (
                    SELECT id, jaro_winkler_similarity(lower(id), $q) AS s FROM {table} WHERE deleted_at IS NULL))
            WHERE sim >= $min
            ORDER BY sim DESC, levenshtein(lower(id), $q), id
            LIMIT $limit""",
        {"q": q, "min": MIN_SIMILARITY, "limit": limit},
    ).fetchall()
    return [r[0] for r in rows]


def external_base(store: Store, raw_id: str) -> tuple[str, int] | None:
    """``(id as the edges spell it, number of children)`` when models in the store declare ``raw_id`` as a
    base that is itself not in the store (an external node of the lineage), else ``None``."""
    has = store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'edges'")
    if not has:
        return None
    row = store.con.execute(
        "SELECT min(parent), count(DISTINCT child) FROM edges WHERE chosen AND lower(parent) = lower(?)",
        [typed_id(raw_id)]).fetchone()
    return (row[0], int(row[1])) if row and row[1] else None


def moved_external_base(store: Store, bare: str) -> tuple[str, int] | None:
    """``(id, number of children)`` when a bare canonical id (``gpt2``) names no stored model but stored models
    declare its moved id (``openai-community/gpt2``) as an external base: the lineage's node for it, under exactly
    one canonical-move namespace (each holds moved repositories only, so that id is where the Hub sends ``gpt2``).

    Why: ``model gpt2`` otherwise suggests look-alike derivatives (``…/gpt2-AWQ``) and never the base the user
    means, which the store knows only as the parent its derivatives declare."""
    if "/" in bare or not bare or is_hub_url(bare):
        return None
    has = store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'edges'")
    if not has:
        return None
    from openscope.data.canonical import namespaces

    marks = ", ".join("?" for _ in namespaces())
    row = store.con.execute(
        f"""SELECT min(parent), count(DISTINCT child), count(DISTINCT lower(left(parent, strpos(parent, '/') - 1)))
            FROM edges
            WHERE chosen AND contains(parent, '/')
              AND lower(left(parent, strpos(parent, '/') - 1)) IN ({marks})
              AND lower(substr(parent, strpos(parent, '/') + 1)) = lower(?)""",
        [*namespaces(), bare],
    ).fetchone()
    return (row[0], int(row[1])) if row and row[1] and row[2] == 1 else None


def moved_to(store: Store, rid: str, table: str = "models") -> str | None:
    """The id a stored repository ``rid`` moved to on the Hub, as a full crawl recorded it (table ``moves``,
    migration 0018): the last of a chain of moves, as lineage resolves a declared base (``edges.moved_sql``), or
    None. Why here: ``model OLD`` and ``lineage OLD`` name the move instead of only "deleted from the Hub"."""
    has = store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'moves'")
    if not has or table not in ("models", "datasets"):
        return None
    if table == "models":
        from openscope.derive.lineage.edges import moved_sql

        row = store.con.execute(f"SELECT id FROM ({moved_sql('SELECT ?::VARCHAR AS parent')})", [rid]).fetchone()
        return row[0] if row else None
    # a dataset follows its chain of moves as a model does (and as the openness probes look a declared dataset up)
    row = store.con.execute(f"SELECT id FROM ({moved_any_sql('SELECT ?::VARCHAR AS parent', 'dataset')})",
                            [rid]).fetchone()
    return row[0] if row else None


def deleted_message(store: Store, raw_id: str, table: str = "models", again: str = "model") -> str | None:
    """The one-line answer for a repository a full crawl found gone from the Hub (``deleted_at`` set), else None.

    Why: ``model X`` of a deleted model said it "is not in the store", though its records and the counters of
    every snapshot that read it are kept there (adoption before it went is still a question), and lineage
    still shows it as the base of what was built on it. This says when it went and where its history is.
    ``again``: the command a moved model's new id is pointed to (the one that was run: `lineage OLD` pointed to
    `openscope model NEW`)."""
    row = store.con.execute(
        f"""SELECT id, deleted_at FROM {table} WHERE deleted_at IS NOT NULL AND lower(id) = lower(?)
            ORDER BY id = ? DESC, id LIMIT 1""", [typed_id(raw_id, table), typed_id(raw_id, table)]).fetchone()
    if row is None:
        return None
    rid, when = row
    kind, stats = _TABLES[table], "model_stats" if table == "models" else "dataset_stats"
    moved = moved_to(store, rid, table)
    if moved is not None:
        now = find_id(store, moved, table)
        tail = f" (openscope {again if table == 'models' else 'license --dataset'} {now})" if now else ""
        # the crawl that found the move, which may be later than the one that stamped the deletion (an id
        # beyond an earlier crawl's --move-checks bound is asked by a later one)
        when = store.scalar("SELECT max(found_at) FROM moves WHERE repo_type = ? AND lower(old_id) = lower(?)",
                            ["model" if table == "models" else "dataset", rid]) or when
        return (f"{kind} '{rid}' moved to {moved} on the Hub (a full crawl on {when:%Y-%m-%d} found its id "
                f"redirecting there){tail}; its records and counters under the old id stay in the store "
                f"(openscope sql \"SELECT * FROM {stats} WHERE id = '{rid}'\")")
    text = (f"{kind} '{rid}' was deleted from the Hub (a full crawl on {when:%Y-%m-%d} no longer saw it); its "
            f"records and counters stay in the store (openscope sql \"SELECT * FROM {stats} WHERE id = '{rid}'\")")
    ext = external_base(store, rid) if table == "models" else None
    if ext is not None:
        text += (f"; {ext[1]:,} stored model{'s' if ext[1] != 1 else ''} declare{'s' if ext[1] == 1 else ''} it as "
                 f"their base (openscope lineage {ext[0]} --down)")
    return text


def unknown_message(store: Store, raw_id: str, table: str = "models", again: str = "model") -> str:
    kind = _TABLES[table]
    space = space_message(raw_id)
    if space is not None:
        return space
    gone = deleted_message(store, raw_id, table, again)
    if gone is not None:
        return gone
    ext = external_base(store, raw_id) if table == "models" else None
    if ext is not None:
        return (f"model '{ext[0]}' is not in the store: it is the external base of {ext[1]:,} stored "
                f"model{'s' if ext[1] != 1 else ''} (openscope lineage {ext[0]} --down)")
    moved = moved_external_base(store, raw_id.strip()) if table == "models" else None
    if moved is not None:
        return (f"model '{raw_id.strip()}' is not in the store: the Hub moved it to {moved[0]}, the external base of "
                f"{moved[1]:,} stored model{'s' if moved[1] != 1 else ''} (openscope lineage {moved[0]} --down)")
    other = "datasets" if table == "models" else "models"
    elsewhere = find_id(store, raw_id, other)
    if elsewhere is not None:  # the Hub lets a model and a dataset share an id: say which one this is
        # `license` is the one command that answers for both kinds; a dataset only with --dataset
        how = f"openscope license --dataset {elsewhere}" if other == "datasets" else f"openscope license {elsewhere}"
        return f"unknown {kind} '{raw_id}': '{elsewhere}' is a {_TABLES[other]} in the store ({how})"
    # a repository of the other kind that a full crawl found moved or deleted: say so, as for this kind. Why: `model`
    # of a moved dataset's old id suggested unrelated look-alike models, a silently wrong pointer
    gone_other = deleted_message(store, raw_id, other)
    if gone_other is not None:
        return f"unknown {kind} '{raw_id}': {gone_other}"
    same_org = other_namespace_ids(store, raw_id) if table == "models" else []
    if same_org:
        ids = [i for i, _ in same_org]
        spaces = sorted({i.split("/", 1)[0] for i in ids} | {typed_id(raw_id).split("/", 1)[0]}, key=str.lower)
        return (f"unknown {kind} '{raw_id}'; did you mean {', '.join(ids)}? ({' and '.join(spaces)} are "
                f"namespaces of one organisation, {same_org[0][1]}, by the shipped publisher aliases; the store "
                "holds it under the other one)")
    close = suggestions(store, raw_id, table)
    tail = f"; did you mean {', '.join(close)}?" if close else ""
    return f"unknown {kind} '{raw_id}'{tail}"


def _organisations() -> dict[str, str]:
    """Namespace (lower case) → its organisation, for the namespaces the shipped publisher aliases join
    (``THUDM`` → ``zai-org``; the organisation maps to itself)."""
    import csv

    from openscope.derive.lineage.publishers import data_dir

    out: dict[str, str] = {}
    with (data_dir() / "aliases.csv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            ns, org = r["namespace"].strip(), r["organisation"].strip()
            if ns and org:
                out[ns.lower()] = org
                out[org.lower()] = org
    return out


def other_namespace_ids(store: Store, raw_id: str) -> list[tuple[str, str]]:
    """``[(id, organisation)]``: the stored models (else external bases the lineage knows) named as ``raw_id``
    in another namespace of the same organisation (``THUDM/X`` for ``zai-org/X``, ``facebook/X`` for
    ``meta-llama/X``), by the shipped publisher aliases; empty when ``raw_id``'s namespace has no alias.

    Why a suggestion, not an answer: the aliases say the namespaces belong to one organisation, not that a
    repository of one is the repository of the other (a renamed namespace may hold both, and only a recorded
    move says a repository went from one to the other: :func:`moved_to`). Naming the id the store holds turns
    "unknown model" into a one-step fix without guessing."""
    ns, sep, name = typed_id(raw_id).partition("/")
    orgs = _organisations()
    org = orgs.get(ns.lower()) if sep and name and "/" not in name else None
    if org is None:
        return []
    others = sorted({k for k, v in orgs.items() if v == org and k != ns.lower()})
    wanted = [f"{o}/{name}".lower() for o in others]
    rows = store.con.execute(
        "SELECT min(id) FROM models WHERE deleted_at IS NULL AND lower(id) IN (SELECT unnest(?)) "
        "GROUP BY lower(id) ORDER BY 1", [wanted]).fetchall()
    if not rows and store.scalar("SELECT count(*) FROM information_schema.tables WHERE table_name = 'edges'"):
        rows = store.con.execute(
            "SELECT min(parent) FROM edges WHERE chosen AND lower(parent) IN (SELECT unnest(?)) "
            "GROUP BY lower(parent) ORDER BY 1", [wanted]).fetchall()
    return [(r[0], org) for r in rows]


def find_id(store: Store, raw_id: str, table: str = "models") -> str | None:
    """The stored spelling of ``raw_id`` (exact match first, then case-insensitive, then a bare canonical id
    under the namespace the Hub moved it to), or None."""
    if table not in _TABLES:
        raise ValueError(table)
    # as typed first (a dump may hold an id such as `odd/name/` as it is), then as pasted from the browser
    for wanted in dict.fromkeys((raw_id.strip(), typed_id(raw_id, table))):
        exact = store.con.execute(
            f"SELECT id FROM {table} WHERE id = ? AND deleted_at IS NULL LIMIT 1", [wanted]
        ).fetchone()
        if exact:
            return exact[0]
        row = store.con.execute(
            f"""SELECT id FROM {table} WHERE deleted_at IS NULL AND lower(id) = lower(?)
                ORDER BY id = ? DESC, id LIMIT 1""",
            [wanted, wanted],
        ).fetchone()
        if row:
            return row[0]
    # a bare id as the Hub's canonical one; never an address that names no model (`huggingface.co` alone, whose
    # `<ns>/huggingface.co` would be some model's id)
    if table == "models" and "/" not in wanted and not is_hub_url(wanted):
        return _canonical(store, wanted)
    return None


def _canonical(store: Store, bare: str) -> str | None:
    """A bare canonical id (``gpt2``) is the model the Hub moved it to in 2024 (``openai-community/gpt2``):
    the stored ``<ns>/<id>`` for ``<ns>`` a canonical-move namespace, when exactly one holds it (as lineage
    resolves a declared base: :mod:`openscope.derive.lineage.canonical`)."""
    from openscope.data.canonical import namespaces

    marks = ", ".join("?" for _ in namespaces())
    row = store.con.execute(
        f"""SELECT min(id), count(DISTINCT lower(left(id, strpos(id, '/') - 1))) FROM models
            WHERE deleted_at IS NULL AND contains(id, '/')
              AND lower(left(id, strpos(id, '/') - 1)) IN ({marks})
              AND lower(substr(id, strpos(id, '/') + 1)) = lower(?)""",
        [*namespaces(), bare],
    ).fetchone()
    return row[0] if row and row[1] == 1 else None


def resolve_id(store: Store, raw_id: str, table: str = "models", again: str = "model") -> str:
    """The stored id matching ``raw_id`` case-insensitively; else :class:`MissingInput` (exit 66) with
    one line ``unknown model 'X'; did you mean A, B, C?`` (``again``: the command a moved id's new id is shown with)."""
    found = find_id(store, raw_id, table)
    if found is None:
        raise MissingInput(unknown_message(store, raw_id.strip(), table, again))
    return found
