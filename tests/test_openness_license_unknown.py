"""A licence file the store lists but never read is a licence of unknown terms, not the absence of a licence.

A store built by our own ingest from Hub API entries written here (file lists with ``LICENSE``, ``LICENSE-MODEL``,
``LICENSE-CODE`` or none; with and without a ``license:`` tag, a front-matter licence or a card naming one), graded
set-based (``derive.refresh``) and per model (``assess``): both paths give the same grades, and wherever a licence
decides a grade it is "licence unknown" when the only licence evidence is an unread licence file.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from openscope import derive
from openscope.derive.openness import openness_rows
from openscope.derive.openness.assessment import Assessment, assess_record
from openscope.derive.openness.components import UNREAD_NOTE
from openscope.derive.openness.evaluations.mof import UNREAD_LICENSE, evaluate_components
from openscope.derive.openness.records import from_store
from openscope.jobs.ingest import ingest_file
from openscope.store import open_store

W = "model.safetensors"


def _entry(mid: str, files: list[str], tags: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"id": mid, "author": mid.split("/")[0], "tags": tags or [], "siblings": [{"rfilename": f} for f in files],
            "createdAt": "2024-01-01T00:00:00.000Z", "lastModified": "2024-02-01T00:00:00.000Z", **extra}


ENTRIES = [
    _entry("t/none", [W]),                                   # no licence evidence at all
    _entry("t/lic", ["LICENSE", W]),                         # only an unread whole-release licence file
    _entry("t/lic-md", ["LICENSE.md", W]),
    _entry("t/model-lic", ["LICENSE-MODEL", W]),             # only an unread licence file for the weights
    _entry("t/code-lic", ["LICENSE-CODE", W]),               # only an unread licence file for the code
    _entry("t/lic-gated", ["LICENSE", W], gated="manual"),   # gated: access decides the weights, not the licence
    _entry("t/lic-noweights", ["LICENSE", "config.json"]),   # weights not released
    _entry("t/tag-mit", ["LICENSE", W], ["license:mit"]),    # declared: graded by the declared licence
    _entry("t/tag-mit-nofile", [W], ["license:mit"]),
    _entry("t/front-nc", ["LICENSE", W], cardData={"license": "cc-by-nc-4.0"}),
    _entry("t/front-nc-nofile", [W], cardData={"license": "cc-by-nc-4.0"}),
    _entry("t/card-mit", ["LICENSE", W, "README.md"]),       # the card names MIT (card text below)
    _entry("t/card-mit-nofile", [W, "README.md"]),
    _entry("t/base-lic", ["LICENSE", W]),                    # a lineage root whose only licence is unread
    _entry("t/ft", [W], ["license:mit", "base_model:finetune:t/base-lic"]),
    _entry("t/notice", ["NOTICE", "vendor/LICENSE", W]),     # not release licence files
]
CARD = "# Model\n\n## License\n\nThis model is released under the MIT License.\n"


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """(db path, {id: stored rows}, {id: per-model assessment}) of one store graded by the derive step."""
    tmp = tmp_path_factory.mktemp("lu")
    mp = tmp / "models.jsonl"
    mp.write_text("\n".join(json.dumps(e) for e in ENTRIES) + "\n")
    db = tmp / "s.duckdb"
    store = open_store(db)
    try:
        ingest_file(store, mp)
        sid = store.scalar("SELECT max(snapshot_id) FROM snapshots")
        for mid in ("t/card-mit", "t/card-mit-nofile"):
            store.con.execute("INSERT INTO cards (id, repo_type, text, fetched_at, snapshot_id) "
                              "VALUES (?, 'model', ?, now(), ?)", [mid, CARD, sid])
        derive.refresh(store)   # lineage first, then the set-based grades and the card pass
        stored = {}
        for mid in [e["id"] for e in ENTRIES]:
            stored[mid] = {(r[0], r[1]): (r[2], r[3], json.loads(r[4]) if r[4] else None) for r in store.con.execute(
                "SELECT framework, dimension, grade, score, evidence::VARCHAR FROM openness WHERE id = ?",
                [mid]).fetchall()}
        assessed = {mid: assess_record(from_store(store, mid)) for mid in stored}
    finally:
        store.close()
    return db, stored, assessed


def _osai(a: Assessment, dim: str) -> str:
    return str(a.osai[dim])


def test_both_paths_give_the_same_grades(graded: Any) -> None:
    _, stored, assessed = graded
    for mid, a in assessed.items():
        expected = {(fw, d): (g, s) for fw, d, g, s, _ in openness_rows(a)}
        assert {k: v[:2] for k, v in stored[mid].items()} == expected, mid
        ev = json.loads(next(e for fw, _, _, _, e in openness_rows(a) if fw == "osaid") or "{}")
        assert stored[mid][("osaid", "verdict")][2] == ev, mid
    assert all(len(rows) == 35 for rows in stored.values())   # every model graded, each grade once


@pytest.mark.parametrize("mid", ["t/lic", "t/lic-md", "t/model-lic"])
def test_an_unread_licence_file_for_the_weights_is_licence_unknown(graded: Any, mid: str) -> None:
    _, stored, assessed = graded
    a, none = assessed[mid], assessed["t/none"]
    # the index: licences unknown (not closed); the weights' availability rests on that licence: unknown
    assert (_osai(none, "licenses"), _osai(none, "weights_endmodel")) == ("closed", "open")
    assert (_osai(a, "licenses"), _osai(a, "weights_endmodel")) == ("unknown", "unknown")
    assert "licence file present, not identified" in a.osai_basis["licenses"]
    assert "licence file present, not identified" in a.osai_basis["weights_endmodel"]
    # the score leaves the unknown dimensions out
    assert a.osai["score"] == 0.0 and none.osai["score"] == pytest.approx(2 / 12)
    # OSAID: the parameters' licence is unknown (insufficient), never "released without a licence" (fail)
    assert none.osaid.verdict == "fail" and none.osaid.requirements["parameters-license"] == "unmet"
    assert a.osaid.verdict == "insufficient" and a.osaid.requirements["parameters-license"] == "unknown"
    assert "parameters-license" in a.osaid.missing and a.osaid.notes == {"parameters-license": UNREAD_NOTE}
    assert a.osaid.as_json()["notes"] == {"parameters-license": UNREAD_NOTE}
    assert "notes" not in none.osaid.as_json()
    assert any("licence file present, not identified" in s for s in a.osaid.next_steps)
    assert stored[mid][("osaid", "verdict")][2] == {"missing": a.osaid.missing, "notes": a.osaid.notes}
    # MOF: released, licence unknown (`no_license`), the unread file first in its evidence; the class counts only
    # a licence shown to be open, so it is the same as with no licence file; the next step asks to state it
    p = a.components["Model parameters (Final)"]
    assert p.status == "no_license" and p.license is None and p.license_unread
    assert p.evidence[0].kind == "file_list" and "its text was not read" in p.evidence[0].snippet
    assert none.components["Model parameters (Final)"].license_unread == []
    assert (a.mof.cls, a.mof.progress) == (none.mof.cls, none.mof.progress)
    assert a.mof.unread == ["Model parameters (Final)"] and none.mof.unread == []
    assert any("licence file present, not identified" in s for s in a.mof.next_steps)
    assert not any("licence file present" in s for s in none.mof.next_steps)


def test_a_licence_file_for_the_code_alone_leaves_the_weights_as_they_were(graded: Any) -> None:
    _, _, assessed = graded
    a, none = assessed["t/code-lic"], assessed["t/none"]
    assert _osai(a, "licenses") == "unknown"     # the release names a licence nobody read
    assert _osai(a, "weights_endmodel") == _osai(none, "weights_endmodel") == "open"
    assert a.osaid.verdict == "fail" and a.osaid.requirements["parameters-license"] == "unmet" and not a.osaid.notes
    assert a.components["Model parameters (Final)"].license_unread == []
    assert a.mof.unread == []


def test_access_or_absence_decides_without_the_licence(graded: Any) -> None:
    _, _, assessed = graded
    gated = assessed["t/lic-gated"]
    assert _osai(gated, "weights_endmodel") == "partial" and _osai(gated, "licenses") == "unknown"
    assert gated.osaid.verdict == "insufficient"
    nw = assessed["t/lic-noweights"]
    assert nw.components["Model parameters (Final)"].status == "not_found"
    assert _osai(nw, "weights_endmodel") == "closed" and _osai(nw, "licenses") == "unknown"
    assert nw.osaid.requirements["parameters-license"] == "unknown" and not nw.osaid.notes
    notice = assessed["t/notice"]   # NOTICE and a sub-folder's LICENSE are not the release's licence files
    assert _osai(notice, "licenses") == "closed" and notice.osaid.verdict == "fail"


@pytest.mark.parametrize("mid", ["t/tag-mit", "t/front-nc", "t/card-mit"])
def test_a_stated_licence_grades_as_before_and_the_unread_file_is_shown(graded: Any, mid: str) -> None:
    _, stored, assessed = graded
    a, bare = assessed[mid], assessed[f"{mid}-nofile"]
    assert a.osai == bare.osai and a.osaid.as_json() == bare.osaid.as_json()
    assert (a.mof.cls, a.mof.progress) == (bare.mof.cls, bare.mof.progress)
    assert {n: c.status for n, c in a.components.items()} == {n: c.status for n, c in bare.components.items()}
    lic = next(f for f in a.findings if f.probe == "license_declared")
    assert lic.detail["files_unread"] == ["LICENSE"]
    assert any(e.kind == "file_list" for e in lic.evidence)   # it may or may not agree: said, not guessed
    assert "not used: a licence is stated" in a.osai_basis["licenses"]
    assert {k: v[:2] for k, v in stored[mid].items()} == {k: v[:2] for k, v in stored[f"{mid}-nofile"].items()}
    expected = {"t/tag-mit": "open", "t/front-nc": "closed", "t/card-mit": "open"}[mid]
    assert a.osai["licenses"] == expected


def test_the_base_models_weights_read_the_roots_unread_licence(graded: Any) -> None:
    _, stored, assessed = graded
    ft = assessed["t/ft"]
    assert ft.base == "t/base-lic"
    assert _osai(ft, "weights_basemodel") == "unknown" and _osai(ft, "weights_endmodel") == "open"
    assert stored["t/ft"][("osai", "weights_basemodel")][0] == "unknown"


def test_mof_evaluates_an_unread_licence_as_not_shown_open() -> None:
    listed = {"Model parameters (Final)": UNREAD_LICENSE, "Model architecture": "Apache-2.0"}
    unread = evaluate_components(listed)
    bare = evaluate_components({**listed, "Model parameters (Final)": ""})
    assert (unread.cls, unread.progress, unread.unlicensed) == (bare.cls, bare.progress, bare.unlicensed)
    assert unread.unread == ["Model parameters (Final)"] and bare.unread == [] and not unread.invalid


def test_assess_says_the_licence_file_was_not_read(graded: Any, cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    db, _, _ = graded
    monkeypatch.setenv("COLUMNS", "240")   # table cells on one line each: a phrase is never wrapped apart
    r = cli("--db", db, "assess", "t/lic")
    assert r.code == 0, r.stderr
    text = " ".join(r.stdout.split())
    assert text.count("licence file present, not identified") == 5   # licences, both weights rows, OSAID and MOF steps
    assert "OSAID 1.0: insufficient" in text
    doc = cli("--db", db, "assess", "t/lic", "--json").json()
    assert doc["osai"]["licenses"] == "unknown" and doc["osaid"]["notes"] == {"parameters-license": UNREAD_NOTE}
    assert doc["components"]["Model parameters (Final)"]["status"] == "no_license"
    plain = " ".join(cli("--db", db, "assess", "t/none").stdout.split())
    assert "licence file present" not in plain and "OSAID 1.0: fail" in plain
