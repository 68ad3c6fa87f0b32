"""FROZEN naive baseline for the ingest benchmark: json.loads per line + pandas + DuckDB insert.

This is the obvious pipeline a first attempt would write (and the one the issue measured at ~45 s and
3.6 GB for 2.5 M entries). It is kept unchanged so that ratios stay comparable; do not optimise it.
It stores the same things openscope's ingest does: models, tags and counters.

usage: python naive_ingest.py DUMP.jsonl STORE.duckdb
"""

import json
import sys

import duckdb
import pandas as pd


def main(dump, db):
    rows, tags, stats = [], [], []
    with open(dump) as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                e = json.loads(line)
            except ValueError:
                continue
            mid = e.get("id")
            if not mid:
                continue
            card = e.get("cardData")
            rows.append({
                "id": mid,
                "author": e.get("author"),
                "created_at": e.get("createdAt"),
                "last_modified": e.get("lastModified"),
                "pipeline_tag": e.get("pipeline_tag"),
                "library_name": e.get("library_name"),
                "license": next((t[8:] for t in e.get("tags") or [] if t.startswith("license:")), None),
                "card_data": json.dumps(card) if card is not None else None,
            })
            for t in e.get("tags") or []:
                tags.append((mid, t))
            stats.append((mid, e.get("downloads"), e.get("downloadsAllTime"), e.get("likes")))
    models = pd.DataFrame(rows)
    models["created_at"] = pd.to_datetime(models["created_at"], errors="coerce", utc=True)
    models["last_modified"] = pd.to_datetime(models["last_modified"], errors="coerce", utc=True)
    tag_df = pd.DataFrame(tags, columns=["id", "tag"])
    stat_df = pd.DataFrame(stats, columns=["id", "downloads_30d", "downloads_all_time", "likes"])
    con = duckdb.connect(db)
    con.execute("CREATE TABLE models AS SELECT * FROM models")
    con.execute("CREATE TABLE tags AS SELECT * FROM tag_df")
    con.execute("CREATE TABLE model_stats AS SELECT * FROM stat_df")
    con.close()
    print(len(models))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
