"""Red team of the moved-repositories feature (eighteenth session; docs/reviews.md, *Moves red team*).

Each test drives the real simulated Hub and the real ``openscope crawl`` as an operator would, and checks what
the Hub's behaviour and our docs say should follow (docs/crawl.md, *Moved repositories*; docs/lineage.md,
*Repositories the Hub moved*).
"""

from __future__ import annotations

from pathlib import Path

from bench.nx_full import networkx_full
from openscope.derive.lineage import refresh
from openscope.simhub.testing import running_simhub
from openscope.store import open_store

FAST = ["--backoff", "0.01", "--retries", "8"]
BASE = "meta-llama/Llama-3.1-8B-Instruct"  # a flagship of the seed-21 ecosystem with derivatives


def _crawl(cli, db: Path, hub, *args: str) -> dict:
    r = cli("--db", db, "crawl", "--endpoint", hub.url, "--json", *FAST, *args)
    assert r.code == 0, r.stderr
    return r.json()


def _roots(cli, db: Path, mid: str) -> list[str]:
    r = cli("--db", db, "model", mid, "--json")
    assert r.code == 0, r.stderr
    return [x["id"] for x in r.json()["lineage"]["roots"]]


def test_a_repository_created_at_a_moved_old_id_takes_its_derivatives_back_in_an_incremental_refresh(
        tmp_path, cli) -> None:
    """BASE moved to v2, then another repository moved to BASE (as a new one created there would): the Hub's
    old id answers for the new repository, and docs/lineage.md says a live id answers for itself. The crawl's
    incremental lineage refresh kept the derivatives on v2 (their edges name v2, which did not change) while
    a full refresh and the networkx baseline put them on BASE."""
    db = tmp_path / "s.duckdb"
    with running_simhub(models=400, datasets=0, seed=21) as h:
        kids = [r[0] for r in h.state.con.execute(
            "SELECT id FROM m WHERE parent = ? AND parent2 IS NULL AND NOT deleted ORDER BY id", [BASE]).fetchall()]
        assert len(kids) >= 3
        _crawl(cli, db, h)
        v2 = BASE + "-v2"
        h.mutate(move={BASE: v2})
        _crawl(cli, db, h, "--full")
        assert _roots(cli, db, kids[0]) == [v2]
        newcomer = kids[-1]  # another repository takes the old id
        h.mutate(move={newcomer: BASE})
        doc = _crawl(cli, db, h, "--full")
        assert doc["snapshots"][0]["moved"] == 1
        for k in kids[:-1]:
            assert _roots(cli, db, k) == [BASE]  # the incremental refresh (run by the crawl) re-read them
        assert all(networkx_full(db, cap_s=120)["tables_equal"].values())
        with open_store(db) as store:
            edges = store.con.execute("SELECT child, parent FROM edges ORDER BY ALL").fetchall()
            refresh(store, full=True)
            assert store.con.execute("SELECT child, parent FROM edges ORDER BY ALL").fetchall() == edges
