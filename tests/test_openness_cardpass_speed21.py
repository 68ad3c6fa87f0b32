"""The card pass's speed changes (twenty-first session) find exactly what the code they replace found.

Why: each shortcut stands in for a pattern or a loop whose answers the grades rest on; a shortcut that answered
differently on some form of line (a carriage return, a run of tabs, a closing quote after a full stop) would change a
grade with no test of a grade noticing. Each is compared with what it replaces on random strings over the characters
that decide, and the parallel card pass, now fed batch by batch as the store is read, with the serial one.
"""

from __future__ import annotations

import random
from pathlib import Path

from openscope.derive.openness import _batches, _grade_batch, _graded_parts, refresh_cards
from openscope.derive.openness.cards import (
    _IMAGE_FIRST,
    _IMAGE_NEXT,
    _IMAGE_OPENS,
    _JOIN_CANDIDATE,
    _SENTENCE_END,
    _ends_sentence,
    _join_candidates,
    parse_card,
    soft_breaks,
)
from openscope.store import open_store


def test_join_candidates_are_the_patterns_line_breaks() -> None:
    rnd = random.Random(21)
    alphabet = ["a", "b", " ", "\t", "\r", "\n", "\n", ".", "|", "。", "!", "\u00a0", "\u2003", "\x0c", "#"]
    for _ in range(60_000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 16)))
        assert list(_join_candidates(text)) == [m.end() - 1 for m in _JOIN_CANDIDATE.finditer(text)], repr(text)


def test_sentence_end_is_the_patterns() -> None:
    rnd = random.Random(7)
    alphabet = ["a", " ", "\t", "\r", ".", "!", "?", "。", "！", "？", "*", "_", "`", ")", "]", '"', "'", "”", "’", "|"]
    for _ in range(60_000):
        line = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 10)))
        assert _ends_sentence(line) == bool(_SENTENCE_END.search(line)), repr(line)


def test_image_patterns_start_with_their_openers() -> None:
    rnd = random.Random(3)
    alphabet = ["!", "[", "]", "(", ")", " ", "\t", "a"]
    for _ in range(30_000):
        s = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 10)))
        for rx in (_IMAGE_FIRST, _IMAGE_NEXT):
            if rx.match(s):
                assert s[:1] in _IMAGE_OPENS, repr(s)


def test_a_wrapped_card_still_reads_its_soft_breaks() -> None:
    """A hard-wrapped paragraph joins; a sentence end, a table row, a list item and a field keep their breaks."""
    text = ("# Model\n\nThe training code is\navailable at our repository.\nIt ends here.\n"
            "| a |\n| b |\n- item one\n- item two\nLicense: MIT\nfoo \r\nbar\n")
    card = parse_card(text)
    assert card.lined == text
    body = card.body
    assert "is available at" in body and "repository. It ends" not in body
    assert "| a |\n| b |" in body and "- item one\n- item two" in body and "two\nLicense: MIT" in body
    assert set(soft_breaks(text, [], [])) <= {m.end() - 1 for m in _JOIN_CANDIDATE.finditer(text)}


def _store(tmp_path: Path, n: int):  # noqa: ANN202 - a Store
    store = open_store(tmp_path / "s.duckdb")
    store.con.execute("INSERT INTO snapshots (snapshot_id, kind, started_at, status) VALUES (1, 'ingest', now(), 'complete')")
    store.con.execute("INSERT INTO models (id, license, first_snapshot_id, last_snapshot_id) "
                      "SELECT 'o/m' || i, ['mit', 'llama2', NULL][1 + i % 3], 1, 1 FROM range(?) t(i)", [n])
    store.con.execute(
        "INSERT INTO cards (id, repo_type, text, fetched_at, snapshot_id) SELECT 'o/m' || i, 'model', "
        "'# M\n\nThe training code is\navailable at [code](https://github.com/o/m' || i || ').\n' || "
        "repeat('Evaluated on MMLU. ', i % 4), now(), 1 FROM range(?) t(i)", [n])
    return store


def test_batches_are_read_as_the_store_is(tmp_path: Path) -> None:
    store = _store(tmp_path, 7)
    try:
        ids = [f"o/m{i}" for i in range(7)]
        sizes = [len(b) for b in _batches(store, ids, size=3)]
        assert sizes == [3, 3, 1]
        assert [r.id for b in _batches(store, ids, size=3) for r in b] == ids
        parts, failed = _graded_parts(_batches(store, ids, size=3), 1, 2, _grade_batch)   # a generator, as refresh_cards sends
        assert not failed and sum(map(len, parts)) == 7 * 35
    finally:
        store.close()


def test_streamed_workers_write_what_one_process_writes(tmp_path: Path) -> None:
    store = _store(tmp_path, 9)
    try:
        ids = [f"o/m{i}" for i in range(9)]

        def rows() -> list:
            return store.con.execute("SELECT id, framework, dimension, grade, score, evidence::VARCHAR "
                                     "FROM openness ORDER BY ALL").fetchall()

        assert refresh_cards(store, 1, ids, parallel_from=10**9) == 9
        serial = rows()
        assert refresh_cards(store, 1, ids, parallel_from=1) == 9
        assert rows() == serial and len(serial) == 9 * 35
    finally:
        store.close()
