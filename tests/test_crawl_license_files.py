"""`crawl --cards` reads the models' licence files, stores their text (`license_texts`, migration 0013), and the
licence derivation and the openness grades identify `license: other` + `license_link: LICENSE` by that text.

Every test runs the real ``openscope`` commands in-process against the real simulated Hub on loopback; faults in
one licence file (too large, failing) come from a small forwarding server in front of it that changes only the
answers for ``LICENSE``.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest
from licence_hub import forwarding
from store_rows import rows as q

from openscope.jobs.crawl import MAX_LICENSE_TEXT_BYTES
from openscope.simhub.content import other_license_title
from openscope.simhub.testing import running_simhub
from openscope.store import SCHEMA_VERSION, open_store

SEED = 3
N_MODELS = 600   # enough for four ai21labs flagships declaring `other` with a LICENSE (seed 3)
AUTHOR = "ai21labs"
FAST = ["--backoff", "0.01", "--retries", "2"]
# the licence each simulated title stands for, by its catalogue id (None: the placeholder no reader identifies)
TITLE_IDS = {"DEEPSEEK LICENSE AGREEMENT": "deepseek", "Mistral AI Research License": "mrl",
             "TII Falcon License": "falcon-llm-license", None: None}


def _crawl(cli, db: Path, url: str, *args: str):
    return cli("--db", db, "--json", "crawl", "--endpoint", url, "--author", AUTHOR, "--cards", "--top", "100",
               *FAST, *args)


def _others(db: Path) -> dict[str, str | None]:
    """Models declaring `other` whose tree has a LICENSE, with the licence the simulated Hub's LICENSE stands for."""
    rows = q(db, """SELECT m.id, m.card_data->>'$.license_name' FROM models m JOIN files f USING (id)
                    WHERE m.license = 'other' AND f.path = 'LICENSE' ORDER BY m.id""")
    return {mid: TITLE_IDS[other_license_title(SEED, mid, name)] for mid, name in rows}


@pytest.fixture(scope="module")
def hub() -> Iterator:
    with running_simhub(models=N_MODELS, datasets=0, seed=SEED) as h:
        yield h


@pytest.fixture(scope="module")
def crawled(hub, tmp_path_factory) -> tuple[Path, dict]:
    """One crawl of the publisher's models with their cards, licences derived; and its --json summary."""
    from openscope.cli import main

    db = tmp_path_factory.mktemp("lic") / "s.duckdb"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--db", str(db), "--json", "crawl", "--endpoint", hub.url, "--author", AUTHOR, "--cards",
                     "--top", "100", *FAST]) == 0
    return db, json.loads(out.getvalue())


def test_cards_store_each_licence_file_text_as_served(hub, crawled) -> None:
    db, doc = crawled
    with_license = {r[0] for r in q(db, "SELECT id FROM files WHERE path = 'LICENSE'")}
    assert len(with_license) >= 4
    stored = {(r[0], r[1]): r[2:] for r in q(db, "SELECT id, path, text, sha, url, bytes, note FROM license_texts")}
    assert {i for i, _ in stored} == with_license and {p for _, p in stored} == {"LICENSE"}
    shas = dict(q(db, "SELECT id, sha FROM models"))
    with httpx.Client(trust_env=False) as h:
        for (mid, path), (text, sha, url, size, note) in stored.items():
            served = h.get(f"{hub.url}/{mid}/resolve/main/{path}")
            assert text == served.text and size == len(served.content) and note is None
            assert sha == shas[mid] and url == f"{hub.url}/{mid}/resolve/main/LICENSE"
    # counted: one call per README, per tree and per licence file, in the cards block and the total
    cards = doc["cards"]
    assert cards["license_files"] == {"read": len(with_license), "too_large": 0, "failed": 0}
    assert cards["api_calls"] == cards["fetched"] + cards["missing"] + cards["trees"] + len(with_license)
    assert q(db, "SELECT count(*) FROM cards WHERE license_files_at IS NULL")[0][0] == 0


def test_other_with_a_licence_file_gets_the_licence_its_text_identifies(crawled, cli) -> None:
    db, _ = crawled
    others = _others(db)
    assert len(others) == 4 and None in others.values() and len({v for v in others.values() if v}) >= 2
    derived = {r[0]: r[1:] for r in q(db, "SELECT id, license, source, evidence, reason, class FROM licenses")}
    for mid, want in others.items():
        lic, source, evidence, reason, cls = derived[mid]
        doc = cli("--db", db, "--json", "license", mid).json()
        if want is None:   # a text no rule recognises: never guessed; stays `other`, and says why
            assert lic == "other" and source == "license" and cls == "unknown"
            assert "LICENSE was read; its text is not recognised" in reason
            assert doc["license"] == "other" and "not recognised" in doc["reason"]
            continue
        assert (lic, source) == (want, "license_file") and evidence.startswith("file: LICENSE#L1: ")
        assert doc["declared"] == "other" and doc["license"] == want and doc["source"] == "license_file"
        assert doc["class"] == cls != "unknown"


def test_assess_shows_the_stored_licence_file_as_evidence(crawled, cli) -> None:
    db, _ = crawled
    for mid, want in _others(db).items():
        doc = cli("--db", db, "--json", "assess", mid).json()
        probe = next(p for p in doc["probes"] if p["probe"] == "license_declared")
        files = [e for e in probe["evidence"] if e["kind"] == "file"]
        assert [e["locator"] for e in files] == [f"https://huggingface.co/{mid}/blob/main/LICENSE#L1"]
        assert probe["detail"]["files"][0]["license"] == want and probe["license"] == (want or "other")
        weights = doc["components"]["Model parameters (Final)"]
        assert weights["license"] == (want or "other")
        # the same grades as the store's set-based pass wrote (refresh_cards graded it with its licence file)
        grade = q(db, "SELECT grade FROM openness WHERE id = ? AND framework = 'osai' AND dimension = 'licenses'",
                  [mid])[0][0]
        assert grade == doc["osai"]["licenses"]


def test_a_second_crawl_at_the_same_commit_reads_no_licence_file_again(hub, crawled, tmp_path, cli) -> None:
    db = tmp_path / "again.duckdb"
    shutil.copyfile(crawled[0], db)
    before = q(db, "SELECT id, path, read_at FROM license_texts ORDER BY 1, 2")
    served = hub.stats()["requests"]
    doc = _crawl(cli, db, hub.url, "--no-derive").json()
    assert doc["cards"]["candidates"] == 0 and doc["cards"]["license_files"]["read"] == 0
    assert hub.stats()["requests"] - served == doc["api_calls"]   # the listing only
    assert q(db, "SELECT id, path, read_at FROM license_texts ORDER BY 1, 2") == before


# -- faults in one licence file ---------------------------------------------------------------------------


def _forwarding(upstream: str, faulty: dict[str, str]) -> contextlib.AbstractContextManager[str]:
    """A loopback server that forwards every request to ``upstream`` (:func:`licence_hub.forwarding`) and
    answers ``GET /{id}/resolve/main/LICENSE`` of the ids in ``faulty`` by their mode: ``large`` (a text larger
    than the crawl's bound, with a Content-Length the tree does not announce) or ``fail`` (HTTP 500)."""

    def answer(path: str) -> tuple[int, dict[str, str], bytes] | None:
        for mid, mode in faulty.items():
            if path == f"/{mid}/resolve/main/LICENSE":
                if mode == "large":
                    return 200, {}, b"Licence text.\n" * (MAX_LICENSE_TEXT_BYTES // 14 + 100)
                return 500, {}, b"boom"
        return None

    return forwarding(upstream, answer)


def test_an_oversized_or_failing_licence_file_loses_neither_the_readme_nor_the_snapshot(hub, crawled, tmp_path,
                                                                                      cli) -> None:
    big, bad = sorted(_others(crawled[0]))[:2]
    db = tmp_path / "faulty.duckdb"
    with _forwarding(hub.url, {big: "large", bad: "fail"}) as url:
        r = _crawl(cli, db, url, "--no-derive")
        assert r.code == 0, r.stderr
        doc = r.json()
    assert doc["status"] == "complete" and doc["cards"]["failed"] == 0
    assert doc["cards"]["license_files"]["too_large"] == 1 and doc["cards"]["license_files"]["failed"] == 1
    cards = {r[0]: r[1:] for r in q(db, "SELECT id, text, license_files_at FROM cards")}
    assert cards[big][0] and cards[bad][0]          # both READMEs kept
    assert cards[big][1] is not None                # known too large: not read again
    assert cards[bad][1] is None                    # failed: looked for again next time
    texts = {r[0]: r[1:] for r in q(db, "SELECT id, text, note FROM license_texts WHERE id IN (?, ?)", [big, bad])}
    assert texts == {big: (None, f"larger than {MAX_LICENSE_TEXT_BYTES:,} bytes; not read")}
    assert q(db, "SELECT count(*) FROM files WHERE id IN (?, ?)", [big, bad])[0][0] > 2  # both trees stored
    # derived from the stored rows: the too-large file is evidence that a licence file was not read, never a guess
    assert cli("--db", db, "--json", "license", big).json()["license"] == "other"
    # the Hub answers again: the next run reads the failed model's README, tree and licence file, nothing else
    doc = _crawl(cli, db, hub.url, "--no-derive").json()
    assert doc["cards"]["candidates"] == 1 and doc["cards"]["license_files"]["read"] == 1
    assert q(db, "SELECT text IS NOT NULL FROM license_texts WHERE id = ?", [bad]) == [(True,)]
    assert q(db, "SELECT license_files_at IS NOT NULL FROM cards WHERE id = ?", [bad]) == [(True,)]


# -- the migration ------------------------------------------------------------------------------------------


def test_a_store_at_version_12_upgrades_without_losing_rows_and_reads_licence_files_once(hub, crawled, tmp_path,
                                                                                        cli) -> None:
    db = tmp_path / "v12.duckdb"
    shutil.copyfile(crawled[0], db)
    con = duckdb.connect(str(db))   # back to the layout of version 12: no licence texts, no license_files_at
    con.execute("DROP TABLE license_texts")
    con.execute("ALTER TABLE cards DROP COLUMN license_files_at")
    con.execute("DELETE FROM schema_version WHERE version = 13")
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'")
        .fetchall()]
    counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # type: ignore[index]
    cards = con.execute("SELECT id, sha, text, fetched_at FROM cards ORDER BY id").fetchall()
    con.close()
    assert counts["cards"] > 0 and counts["models"] > 0
    with open_store(db) as store:
        assert store.schema_version() == SCHEMA_VERSION >= 13
        for t, n in counts.items():   # every row kept; schema_version gains the migration's own row
            assert store.scalar(f'SELECT count(*) FROM "{t}"') == n + (t == "schema_version"), t
        assert store.con.execute("SELECT id, sha, text, fetched_at FROM cards ORDER BY id").fetchall() == cards
        assert store.scalar("SELECT count(*) FROM license_texts") == 0
        assert store.scalar("SELECT count(*) FROM cards WHERE license_files_at IS NOT NULL") == 0
    # cards read before the upgrade are read once more, for their licence files; then never again at that commit
    doc = _crawl(cli, db, hub.url, "--no-derive").json()
    assert doc["cards"]["candidates"] == len(cards) and doc["cards"]["license_files"]["read"] >= 4
    assert _crawl(cli, db, hub.url, "--no-derive").json()["cards"]["candidates"] == 0


# -- which file a link names, and which file decides ------------------------------------------------------------


def test_license_link_names_a_file_of_the_tree_only() -> None:
    from openscope.derive.openness.license_files import link_target

    tree = {"LICENSE", "LICENSE.md", "MODEL_AGREEMENT.md", "sub/LICENSE"}
    assert link_target("LICENSE", "o/m", tree) == "LICENSE"
    assert link_target("./LICENSE.md", "o/m", tree) == "LICENSE.md"
    assert link_target("blob/main/MODEL_AGREEMENT.md", "o/m", tree) == "MODEL_AGREEMENT.md"
    assert link_target("https://huggingface.co/o/m/blob/main/LICENSE", "o/m", tree) == "LICENSE"
    assert link_target("https://hf-mirror.example/O/M/resolve/v1.0/sub/LICENSE", "o/m", tree) == "sub/LICENSE"
    for elsewhere in ("https://huggingface.co/other/m/blob/main/LICENSE", "https://ai.google.dev/gemma/terms",
                      "../LICENSE", "NOTICE", "file:///etc/passwd", "", None):
        assert link_target(elsewhere, "o/m", tree) is None, elsewhere


def test_the_linked_file_decides_before_the_release_licence_files() -> None:
    from openscope.derive.licenses.flowdown import declaration_file, identify_texts, resolve_declaration

    texts = identify_texts([("LICENSE", "Terms of our own.\n"),
                            ("MODEL_AGREEMENT.md", "Gemma Terms of Use\n\nLast modified: 2024\n"),
                            ("LICENSE-CODE", "SPDX-License-Identifier: MIT\n")])
    chosen = declaration_file("o/m", "MODEL_AGREEMENT.md", texts)
    assert chosen is not None and chosen[:2] == ("MODEL_AGREEMENT.md", "gemma")
    m, source = resolve_declaration("other", None, "MODEL_AGREEMENT.md", chosen)
    assert (m.license, source) == ("gemma", "license_file") and "MODEL_AGREEMENT.md#L1" in m.evidence
    # no link: the release's LICENSE, unrecognised, decides nothing (never the code's MIT licence)
    unlinked = declaration_file("o/m", None, texts)
    assert unlinked is not None and unlinked[:2] == ("LICENSE", None)
    m, source = resolve_declaration("other", None, None, unlinked)
    assert (m.id, m.cls, source) == ("other", "unknown", "license") and "not recognised" in (m.reason or "")
    # a declared licence is never replaced by a file's
    assert resolve_declaration("apache-2.0", None, None, chosen)[0].license == "apache-2.0"
