"""A non-commercial phrase that names no licence is not CC BY-NC 4.0 (issue #7, thirty-fourth session).

"For non-commercial use only", "research and non-commercial purposes", "仅供非商业用途", "商用不可", "비상업적 용도로만"
restrict commercial use and name no licence. The licence probe read them as ``CC-BY-NC-4.0``: a Creative Commons
licence, with its attribution duty and its legal code, that the card never named (a guess; the brief: unknown stays
unknown). They are now ``noncommercial-unnamed``, the catalogue's "non-commercial terms, no licence named": restrictive
as before, commercial use false, nothing else known. A named "CC BY-NC 4.0" and a publisher's own "X Non-Commercial
License" keep what they name. Every card here is written in the test's own words.
"""

from __future__ import annotations

import json
from pathlib import Path

from card_probes import probe

from openscope.derive.licenses import get_license
from openscope.derive.openness import openness_rows, refresh_cards
from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.licensing import classify
from openscope.derive.openness.probes.license_declared import licences_in
from openscope.derive.openness.records import from_store, from_text
from openscope.store import open_store

NONE = "# Wren-1B\n\nA small model.\n\n"
UNNAMED = "noncommercial-unnamed"
# the phrase forms, in the languages the probe already reads, none naming a licence
PHRASES = (
    "## License\n\nThis model is for non-commercial use only.",
    "The checkpoint is licensed for research and non-commercial purposes.",
    "License: noncommercial use; please contact us for anything else.",
    "The weights may be used for NON-COMMERCIAL purposes only (see license).",
    "## 许可\n\n本模型仅供非商业用途使用。",
    "## ライセンス\n\n本モデルは商用不可です。",
    "## 라이선스\n\n이 모델은 비상업적 용도로만 사용할 수 있습니다.",
    "## 라이선스\n\n상업적 이용은 금지됩니다.",
)


def _assess(text: str, curated: bool = False) -> dict:
    return assess_record(from_text("wren/Wren-1B", text), use_curated=curated).as_json()


def test_a_non_commercial_phrase_is_non_commercial_terms_with_no_licence_named() -> None:
    """Each wording: the id says no licence was named, the status is restrictive, the phrase is the evidence."""
    for words in PHRASES:
        f = probe(NONE + words + "\n", "license_declared")
        assert (f.status, f.license) == ("restrictive_license", UNNAMED), (words, f.license, f.detail)
        assert f.detail["card_restrictive"] == [UNNAMED], (words, f.detail)
        assert f.detail["terms"] == "non-commercial use only; no licence named", f.detail
        assert f.detail["class"] == "non_commercial", f.detail
        line = words.split("\n")[-1]
        assert any(line[:20] in e.snippet for e in f.evidence), (words, [e.snippet for e in f.evidence])
        # (no Creative Commons licence among what the card is said to name)
        assert not any("cc-by" in str(lic).lower() for lic, _ in licences_in(line)), words


def test_a_named_cc_by_nc_and_a_publishers_non_commercial_licence_keep_their_ids() -> None:
    for words, lic in (("License: CC BY-NC 4.0", "cc-by-nc-4.0"),
                       ("Released under CC BY-NC-SA 4.0, for non-commercial use only.", "cc-by-nc-sa-4.0"),
                       ("Licensed under CC BY-NC, non-commercial use only.", "cc-by-nc")):
        f = probe(NONE + words + "\n", "license_declared")
        assert (f.status, f.license) == ("restrictive_license", lic), (words, f.detail)
        assert UNNAMED not in f.detail["card_restrictive"] and "terms" not in f.detail, (words, f.detail)
    # a publisher's own licence whose name holds the word is that licence (custom terms), not "no licence named"
    for words in ("This model falls under the Heron Non-Commercial License.",
                  "The weights are released under the Wren Noncommercial Research License.",
                  "Use is governed by the Wren Non-Commercial License Agreement."):
        f = probe(NONE + words + "\n", "license_declared")
        assert (f.status, f.license, f.detail["card_restrictive"]) == ("restrictive_license", "other", ["other"]), \
            (words, f.detail)
        assert "terms" not in f.detail, f.detail
    # the same word beside custom terms, not in their name, is still read as the phrase it is
    both = probe(NONE + "Our model license: non-commercial use only.\n", "license_declared")
    assert both.detail["card_restrictive"] == ["other", UNNAMED], both.detail


def test_the_catalogue_entry_states_only_what_the_phrase_says() -> None:
    """No attribution duty, no Creative Commons legal code: commercial use false, its duties unknown."""
    info = get_license(UNNAMED)
    assert info is not None and info.cls == "non_commercial" and info.commercial_use is False
    doc = info.to_json()
    assert doc["duties_known"] is False and not info.duties, doc
    # nothing else is known: use restrictions, same terms, derivatives
    assert (info.use_restrictions, info.same_terms, info.derivatives_allowed) == (None, None, None), doc
    assert not any("creativecommons" in (c.url or "") for c in info.clauses), doc
    v = classify(UNNAMED)
    assert (v.id, v.open, v.cls) == (UNNAMED, False, "non_commercial")


def test_grades_decided_by_the_status_are_those_of_a_named_non_commercial_licence() -> None:
    """MOF, OSAID and the OSAI index are graded as for a card that names CC BY-NC 4.0 (the status decides them),
    and nothing the document cites is Creative Commons' where the card named no Creative Commons licence."""
    body = NONE + "## Training\n\nTrained with [wren/train](https://github.com/wren/train).\n\n"
    for curated in (False, True):
        unnamed = _assess(body + "## License\n\nFor non-commercial use only.\n", curated)
        named = _assess(body + "## License\n\nCC BY-NC 4.0\n", curated)
        for key in ("osai", "mof", "osaid", "flags"):
            assert unnamed[key] == named[key], (key, unnamed[key], named[key])
        assert unnamed["osai"]["licenses"] == "closed"
        assert "creativecommons.org" not in json.dumps(unnamed), curated
        lic = next(p for p in unnamed["probes"] if p["probe"] == "license_declared")
        assert (lic["status"], lic["license"]) == ("restrictive_license", UNNAMED), lic


def test_a_folder_through_the_command_line(tmp_path: Path, cli) -> None:
    """``openscope assess FOLDER --json --no-experts`` reads the phrase as the card-text path does."""
    folder = tmp_path / "Wren-1B"
    folder.mkdir()
    (folder / "README.md").write_text(NONE + "## License\n\nResearch and non-commercial use only.\n", encoding="utf-8")
    res = cli("--json", "assess", folder, "--no-experts")
    assert res.code == 0, res.stderr
    doc = json.loads(res.stdout)
    lic = next(p for p in doc["probes"] if p["probe"] == "license_declared")
    assert (lic["status"], lic["license"]) == ("restrictive_license", UNNAMED), lic
    assert lic["detail"]["terms"] == "non-commercial use only; no licence named", lic
    assert "creativecommons.org" not in res.stdout


def test_the_stored_card_pass_writes_the_rows_the_per_model_path_gives(tmp_path: Path) -> None:
    """The store's card pass (``refresh_cards``) and the per-model path agree on a stored card with the phrase; the
    set-based (SQL) path reads only Hub tags and file lists, where this id never appears."""
    store = open_store(tmp_path / "s.duckdb")
    try:
        store.con.execute("INSERT INTO snapshots (snapshot_id, kind, started_at, status) "
                          "VALUES (1, 'ingest', now(), 'complete')")
        store.con.execute("INSERT INTO models (id, license, first_snapshot_id, last_snapshot_id) "
                          "VALUES ('wren/w1', NULL, 1, 1), ('wren/w2', 'other', 1, 1)")
        for mid in ("wren/w1", "wren/w2"):
            store.con.execute("INSERT INTO cards (id, repo_type, text, fetched_at, snapshot_id) "
                              "VALUES (?, 'model', ?, now(), 1)",
                              [mid, NONE + "## License\n\nNot to be used commercially: non-commercial use only.\n"])
        assert refresh_cards(store, 1, ["wren/w1", "wren/w2"]) == 2
        for mid in ("wren/w1", "wren/w2"):
            stored = store.con.execute("SELECT framework, dimension, grade, score, evidence FROM openness "
                                       "WHERE id = ? ORDER BY ALL", [mid]).fetchall()
            a = assess_record(from_store(store, mid))
            assert sorted(stored, key=str) == sorted(openness_rows(a), key=str), mid
            f = next(f for f in a.findings if f.probe == "license_declared")
            # (under the Hub's catch-all `other` the declared id stands; the card's reading is the phrase's)
            assert (f.status, f.detail["card"]) == ("restrictive_license", UNNAMED), (mid, f.detail)
            assert f.license == (UNNAMED if mid == "wren/w1" else "other"), (mid, f.detail)
    finally:
        store.close()


def test_the_weights_take_the_named_licence_over_a_later_non_commercial_phrase() -> None:
    """A card that names its publisher's own non-commercial licence for the model and, further on, says
    "non-commercial" in passing: the weights are under the named licence (custom terms), not under terms with no
    licence named (a named licence comes before them, as before the catch-all `other`)."""
    text = (NONE + "## License\n\nThis model falls under the Heron Non-Commercial License.\n\n## Policies\n\n"
            "Its license serves our non-commercial users.\n")
    found = assess_record(from_text("wren/Wren-1B", text), use_curated=False)
    lic = next(f for f in found.findings if f.probe == "license_declared")
    assert lic.detail["card_restrictive"] == ["other", UNNAMED], lic.detail
    assert (lic.license, lic.detail["card_weights"]) == ("other", "other"), lic.detail
