"""The simulated Hub's live state: the ecosystem in an in-memory DuckDB, queried per page, mutable.

Why DuckDB and not Python lists: a page is "the next ``limit`` entries after the cursor, in this order,
matching these filters"; DuckDB answers that with a top-N over the whole table in milliseconds, and a
mutation is one UPDATE. Each entry's JSON text is precomputed (``js`` for the full entry, ``jc`` for
the compact default list shape), so answering a page is joining strings, not serialising objects.

Paging is keyset-based: the opaque cursor carries the sort key and the id of the last entry served, so
every entry that exists throughout a crawl is returned exactly once for any ``limit``, even when the
ecosystem is mutated between pages.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np

from openscope.simhub.entries import entry_sql
from openscope.simhub.generator import Ecosystem, generate

# Sort names accepted by the list routes → column (always descending, as on the Hub).
SORT_COLUMNS = {
    "lastModified": "modified_ms", "last_modified": "modified_ms",
    "createdAt": "created_ms", "created_at": "created_ms",
    "downloads": "downloads", "likes": "likes",
    "trendingScore": "trending", "trending_score": "trending",
    "downloadsAllTime": "downloads_all_time",
    "id": "id", "modelId": "id",
    "_id": "oid",
}
DEFAULT_SORT = "_id"  # creation order, newest first: immutable, so mutations never move an entry

class BadCursor(ValueError):
    pass


def encode_cursor(sort: str, key: Any, rid: str) -> str:
    raw = json.dumps([sort, key, rid], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, Any, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        sort, key, rid = json.loads(raw)
        if not isinstance(sort, str) or not isinstance(rid, str):
            raise ValueError
        return sort, key, rid
    except Exception:
        raise BadCursor("invalid cursor") from None


@dataclass
class Page:
    rows: list[str]  # JSON text of each entry (full or compact)
    next_cursor: str | None


class HubState:
    """Models and datasets of one simulated Hub, with paging, lookup and mutation (thread-safe)."""

    def __init__(self, eco: Ecosystem) -> None:
        self.eco = eco
        self.seed = eco.seed
        self._lock = threading.RLock()
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET enable_progress_bar = false")
        self._rng = np.random.default_rng([eco.seed, 0x51AB])
        self._clock_ms = 0
        self._added = 0
        # Repositories moved (renamed or transferred): lower-cased old id → the id it moved to, per kind.
        # Why a dict and not rows: the Hub answers an old id with a redirect to the new one for as long as
        # no repository takes the old id again (docs/simhub.md, *Moves*); a handful of entries, looked up
        # only when an id is not found.
        self.redirects: dict[str, dict[str, str]] = {"model": {}, "dataset": {}}
        for table, src, kind in (("m", eco.models, "model"), ("d", eco.datasets, "dataset")):
            self.con.register("_src", src)
            self.con.execute(
                f"""CREATE TABLE {table} AS
                SELECT s.*, e.js, e.jc, e.oid, e.tags, lower(s.id) AS lid, lower(s.author) AS lauthor,
                       false AS deleted
                FROM _src s JOIN ({entry_sql('_src', kind)}) e USING (idx)"""
            )
            self.con.unregister("_src")
            # inverted tag index: a filter is a lookup, not a scan of every entry's tag list
            self.con.execute(f"CREATE TABLE {table}_tags AS SELECT unnest(tags) AS tag, idx FROM {table} ORDER BY tag")
        self._clock_ms = int(self.con.execute(  # type: ignore[index]  # an aggregate always yields one row
            "SELECT greatest((SELECT coalesce(max(modified_ms), 0) FROM m), (SELECT coalesce(max(modified_ms), 0) FROM d))"
        ).fetchone()[0])

    @classmethod
    def generate(cls, models: int = 2000, datasets: int = 200, seed: int = 0, max_fanout: int | None = None) -> HubState:
        return cls(generate(models, datasets=datasets, seed=seed, max_fanout=max_fanout))

    # --- reads ----------------------------------------------------------------------------------------
    def page(self, kind: str, *, limit: int, sort: str | None, cursor: str | None, search: str | None,
             author: str | None, tags: list[str], full: bool) -> Page:
        table = "m" if kind == "model" else "d"
        sort = sort or DEFAULT_SORT
        col = SORT_COLUMNS[sort]
        where = ["NOT deleted"]
        params: list[Any] = []
        if search:
            where.append("contains(lid, ?)")
            params.append(search.lower())
        if author:
            where.append("lauthor = ?")
            params.append(author.lower())
        tag_params: list[Any] = []
        semi = ""
        if tags:
            uniq = sorted(set(tags))
            inter = " INTERSECT ".join(f"SELECT idx FROM {table}_tags WHERE tag = ?" for _ in uniq)
            semi = f" SEMI JOIN ({inter}) f ON {table}.idx = f.idx"
            tag_params = list(uniq)
        if cursor:
            csort, key, rid = decode_cursor(cursor)
            if SORT_COLUMNS.get(csort) != col:
                raise BadCursor("cursor does not belong to this sort")
            if col in ("id", "oid"):
                if not isinstance(key, str):
                    raise BadCursor("invalid cursor")
            elif not isinstance(key, int):
                raise BadCursor("invalid cursor")
            where.append(f"({col} < ? OR ({col} = ? AND id < ?))")
            params += [key, key, rid]
        body = "js" if full else "jc"
        sql = (f"SELECT {body}, {col}, id FROM {table}{semi} WHERE {' AND '.join(where)} "
               f"ORDER BY {col} DESC, id DESC LIMIT {int(limit) + 1}")
        with self._lock:
            rows = self.con.execute(sql, tag_params + params).fetchall()
        nxt = None
        if len(rows) > limit:
            rows = rows[:limit]
            last = rows[-1]
            nxt = encode_cursor(sort, last[1], last[2])
        return Page([r[0] for r in rows], nxt)

    def entry(self, kind: str, rid: str) -> tuple[dict[str, Any], int] | None:
        """The full entry of ``rid`` and its card openness level (None when absent or deleted)."""
        table = "m" if kind == "model" else "d"
        col = "openness" if kind == "model" else "0"
        with self._lock:
            row = self.con.execute(f"SELECT js, {col} FROM {table} WHERE id = ? AND NOT deleted", [rid]).fetchone()
        return (json.loads(row[0]), int(row[1])) if row else None

    def redirect(self, kind: str, rid: str) -> str | None:
        """The id a moved repository ``rid`` now lives at (one hop, as the Hub answers), or None.

        A live repository of that id wins over a redirect (a repository moved back to its old id, or a new
        one created there, answers for itself); a redirect may lead to a repository deleted since (404)."""
        with self._lock:
            return self.redirects["model" if kind in ("model", "models") else "dataset"].get(rid.lower())

    def children_count(self, rid: str) -> int:
        with self._lock:
            return int(self.con.execute(  # type: ignore[index]  # an aggregate always yields one row
                "SELECT count(*) FROM m WHERE NOT deleted AND list_contains(tags, ?)", ["base_model:" + rid]
            ).fetchone()[0])

    def base_models(self, entry: dict[str, Any]) -> dict[str, Any] | None:
        """``baseModels`` as the Hub computes it from the card (falling back to tags)."""
        card = entry.get("cardData") or {}
        bm = card.get("base_model")
        bases = [bm] if isinstance(bm, str) else list(bm or [])
        pairs = [t.split(":", 2) for t in entry.get("tags", []) if t.startswith("base_model:") and t.count(":") >= 2]
        # the relation the Hub derived (tags) wins; else the card's; else inferred from the count of bases
        rel = pairs[0][1] if pairs else card.get("base_model_relation")
        if not bases:
            bases = [p[2] for p in pairs]
        if not bases:
            return None
        rel = rel or ("merge" if len(bases) > 1 else "finetune")
        with self._lock:
            known = dict(self.con.execute(
                "SELECT id, oid FROM m WHERE id IN (SELECT unnest(?::VARCHAR[]))", [bases]).fetchall())
        return {"relation": rel, "models": [{"_id": known[b], "id": b} for b in bases if b in known]}

    def ids(self, kind: str = "models") -> list[str]:
        table = "m" if kind in ("models", "model") else "d"
        with self._lock:
            return [r[0] for r in self.con.execute(f"SELECT id FROM {table} WHERE NOT deleted ORDER BY id").fetchall()]

    def count(self, kind: str = "models") -> int:
        table = "m" if kind in ("models", "model") else "d"
        with self._lock:
            return int(self.con.execute(f"SELECT count(*) FROM {table} WHERE NOT deleted").fetchone()[0])  # type: ignore[index]  # an aggregate always yields one row

    # --- mutations (admin) ----------------------------------------------------------------------------
    def _tick(self) -> int:
        """A lastModified strictly later than anything before (and not before the wall clock)."""
        self._clock_ms = max(self._clock_ms + 1000, int(time.time() * 1000))
        return self._clock_ms

    def _pick(self, spec: int | list[str] | None, kind: str = "model") -> list[str]:
        if spec is None:
            return []
        t = "m" if kind == "model" else "d"
        if isinstance(spec, list):
            have = set(r[0] for r in self.con.execute(
                f"SELECT id FROM {t} WHERE NOT deleted AND id IN (SELECT unnest(?::VARCHAR[]))", [spec]).fetchall())
            missing = [i for i in spec if i not in have]
            if missing:
                raise KeyError(f"unknown {kind} ids: {', '.join(missing[:5])}")
            return list(spec)
        n = int(spec)
        if n < 0:
            raise ValueError("counts must be >= 0")
        alive = [r[0] for r in self.con.execute(f"SELECT id FROM {t} WHERE NOT deleted ORDER BY idx").fetchall()]
        n = min(n, len(alive))
        return [alive[i] for i in sorted(self._rng.choice(len(alive), size=n, replace=False))] if n else []

    def _rebuild(self, ids: list[str], kind: str = "model") -> None:
        if not ids:
            return
        t = "m" if kind == "model" else "d"
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE _chg AS SELECT * FROM {t} WHERE id IN (SELECT unnest(?::VARCHAR[]))", [ids])
        self.con.execute(
            f"""UPDATE {t} SET js = e.js, jc = e.jc, tags = e.tags, oid = e.oid
                FROM ({entry_sql('_chg', kind)}) e WHERE {t}.idx = e.idx"""
        )
        self.con.execute(f"DELETE FROM {t}_tags WHERE idx IN (SELECT idx FROM _chg)")
        self.con.execute(f"INSERT INTO {t}_tags SELECT unnest(tags) AS tag, idx FROM {t} WHERE idx IN (SELECT idx FROM _chg)")
        self.con.execute("DROP TABLE _chg")

    def _move(self, moves: dict[str, str], kind: str = "model") -> list[list[str]]:
        """Rename or transfer models (or datasets, ``kind='dataset'``): ``{old id: new id}``, applied in order. The entry takes the new id and
        its namespace as author (keeping its ``_id``, dates, files and counters); the old id answers with a
        redirect to the new one; lists show only the new id. Derivatives keep declaring the old id, as
        their cards on the Hub do. Unknown old id → KeyError; a new id already taken → ValueError."""
        done: list[list[str]] = []
        for old, new in moves.items():
            if not isinstance(new, str) or not new or new.count("/") != 1 or not all(new.split("/")):
                raise ValueError(f"move target must be an id 'namespace/name': {new!r}")
            t = "m" if kind == "model" else "d"
            row = self.con.execute(f"SELECT idx FROM {t} WHERE id = ? AND NOT deleted", [old]).fetchone()
            if row is None:
                raise KeyError(f"unknown {kind} ids: {old}")
            taken = self.con.execute(f"SELECT id FROM {t} WHERE lid = ? AND NOT deleted AND idx <> ?",
                                     [new.lower(), row[0]]).fetchone()
            if taken is not None:
                raise ValueError(f"cannot move {old} to {new}: {taken[0]} exists")
            author = new.split("/", 1)[0]
            self.con.execute(f"UPDATE {t} SET id = ?, lid = ?, author = ?, lauthor = ? WHERE idx = ?",
                             [new, new.lower(), author, author.lower(), row[0]])
            red = self.redirects[kind]
            red[old.lower()] = new
            red.pop(new.lower(), None)  # the new id answers for itself now (a move back to an old id)
            self._rebuild([new], kind)
            done.append([old, new])
        return done

    def mutate(self, *, edit: int | list[str] | None = None, add: int | None = None,
               delete: int | list[str] | None = None, counters: int | list[str] | None = None,
               move: dict[str, str] | None = None,
               move_datasets: dict[str, str] | None = None, dataset_edit: int | list[str] | None = None,
               dataset_delete: int | list[str] | None = None,
               dataset_counters: int | list[str] | None = None) -> dict[str, list[Any]]:
        """Edit (lastModified = now), add, delete repositories, change counters (lastModified kept) and move
        repositories (``move={old: new}``, see :meth:`_move`; done first). Datasets are deleted, edited and
        counted by the ``dataset_*`` keys, after the models (so a mutation of models alone draws the same random
        picks as before datasets could change); the answer names them (``datasets_deleted``, ``datasets_edited``,
        ``datasets_counters_changed``) only when asked, as for moves."""
        out: dict[str, list[Any]] = {"edited": [], "added": [], "deleted": [], "counters_changed": []}
        with self._lock:
            if move:  # the answer names moves only when asked for some (its shape is unchanged otherwise)
                out["moved"] = self._move(dict(move))
            if move_datasets:  # datasets move as models do (their old id redirects); named only when asked
                out["moved_datasets"] = self._move(dict(move_datasets), "dataset")
            ch = self._change("model", delete, edit, counters)
            touched = ch.pop("touched")
            out.update(ch)
            added: list[str] = []
            for _ in range(int(add or 0)):
                self._added += 1
                src_idx = int(self._rng.integers(0, self.eco.n_models))
                new_idx = self.eco.n_models + self._added
                new_id = f"sim-newcomer/added-model-{self.seed}-{self._added}"
                now = self._tick()
                self.con.execute(
                    """INSERT INTO m BY NAME SELECT * REPLACE (? AS idx, ? AS id, 'sim-newcomer' AS author,
                       ? AS created_ms, ? AS modified_ms, false AS old, 0::BIGINT AS downloads,
                       0::BIGINT AS downloads_all_time, 0::BIGINT AS likes, 0::BIGINT AS trending, ? AS lid,
                       'sim-newcomer' AS lauthor, false AS deleted)
                       FROM m WHERE idx = ?""",
                    [new_idx, new_id, now, now, new_id.lower(), src_idx],
                )
                self.con.execute(
                    "UPDATE m SET kind = 'root', parent = NULL, parent2 = NULL, parent3 = NULL WHERE idx = ? AND kind = 'flagship'",
                    [new_idx])
                added.append(new_id)
            out["added"] = added
            self._rebuild(touched + added)
            if dataset_edit is not None or dataset_delete is not None or dataset_counters is not None:
                ds = self._change("dataset", dataset_delete, dataset_edit, dataset_counters)
                self._rebuild(ds.pop("touched"), "dataset")
                out.update({f"datasets_{k}": v for k, v in ds.items()})
        return out

    def _change(self, kind: str, delete: int | list[str] | None, edit: int | list[str] | None,
                counters: int | list[str] | None) -> dict[str, list[str]]:
        """Delete, edit (lastModified = now, one more like) and raise the counters (lastModified kept) of models or
        datasets, in that order; ``touched`` lists the ids whose entries must be rebuilt."""
        t = "m" if kind == "model" else "d"
        deleted = self._pick(delete, kind)
        if deleted:
            self.con.execute(f"UPDATE {t} SET deleted = true WHERE id IN (SELECT unnest(?::VARCHAR[]))", [deleted])
        edited = self._pick(edit, kind)
        for rid in edited:
            self.con.execute(f"UPDATE {t} SET modified_ms = ?, likes = likes + 1 WHERE id = ?", [self._tick(), rid])
        changed = self._pick(counters, kind)
        if changed:
            bumps = self._rng.integers(1, 1000, len(changed)).tolist()
            self.con.execute(
                f"""UPDATE {t} SET downloads = {t}.downloads + b.v, downloads_all_time = {t}.downloads_all_time + b.v,
                   likes = {t}.likes + (b.v % 3) FROM (SELECT unnest(?::VARCHAR[]) AS id, unnest(?::BIGINT[]) AS v) b
                   WHERE {t}.id = b.id""", [changed, bumps])
        return {"deleted": deleted, "edited": edited, "counters_changed": changed, "touched": edited + changed}

