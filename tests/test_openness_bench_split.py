"""The agreement benchmark measures any split in the index's formats, including one it has never seen.

The issue says the measure will also be taken on cards we have not seen: the loader must join a split
whose files differ in small ways (a BOM, ``.yml`` names, capitalised or unrated cells, no INDEX.csv)
and count exactly what it compares. These splits are written here from our own short texts.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bench import bench_openness as bo
from openscope.derive.openness.assessment import sides
from openscope.derive.openness.evaluations import osai
from openscope.derive.openness.records import from_text

CARDS = {
    "Alpha.yaml": ("acme/alpha", "# Alpha\n\nWeights on the Hub under Apache-2.0. Training code: "
                   "https://github.com/acme/alpha. Paper: https://arxiv.org/abs/2401.00001\n"),
    "Beta.yml": ("acme/beta", "# Beta\n\n## License\nCC-BY-NC-4.0, non-commercial use only.\n"),
    "Gamma.yaml": ("acme/gamma", "# Gamma\n\nA model.\n"),
}


def _our_grades(hub_id: str, text: str) -> dict[str, str]:
    side, base, *_ = sides(from_text(hub_id, text, locator="x.md"), use_curated=False)
    return osai.evaluate(side, base)


def _write_split(tmp: Path, grades: dict[str, dict[str, str]], index: bool = True) -> tuple[Path, Path]:
    cards = tmp / "cards"
    cards.mkdir(parents=True)
    for fam, (_, text) in CARDS.items():
        (cards / (fam.rsplit(".", 1)[0] + ".md")).write_text(text, encoding="utf-8")
    if index:
        with (cards / "INDEX.csv").open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["osai_file", "hf_id", "notes"])
            for fam, (hid, _) in CARDS.items():
                w.writerow([fam, hid, "test"])
            w.writerow(["NoCard.yaml", "acme/none", "no card file"])
    experts = tmp / "experts.csv"
    with experts.open("w", encoding="utf-8-sig", newline="") as f:  # a BOM, as spreadsheets write it
        w = csv.writer(f)
        w.writerow(["file", "name", *osai.DIMENSIONS, "extra"])
        for fam, g in grades.items():
            w.writerow([fam, fam, *(g[d] for d in osai.DIMENSIONS), "x"])
        w.writerow(["NoCard.yaml", "x", *("open" for _ in osai.DIMENSIONS), "x"])
    return experts, cards


def test_a_split_graded_as_we_grade_agrees_fully_and_one_flip_costs_one_cell(tmp_path: Path) -> None:
    ours = {fam: _our_grades(hid, text) for fam, (hid, text) in CARDS.items()}
    experts, cards = _write_split(tmp_path, {f: {d: g[d].upper() + " " for d in osai.DIMENSIONS} for f, g in ours.items()})
    rep = bo.agreement(True, experts, cards)
    assert rep["cards"] == 3  # NoCard.yaml has a row but no card: not joined
    assert rep["overall"]["agreement"] == 1.0 and not rep["unrated_cells"]
    flipped = {f: dict(g) for f, g in ours.items()}
    flipped["Beta.yml"]["licenses"] = next(x for x in bo.GRADES if x != ours["Beta.yml"]["licenses"])
    rep2 = bo.agreement(True, *_write_split(tmp_path / "b", flipped))
    assert rep2["per_dimension"]["licenses"]["agreement"] == pytest.approx(2 / 3)
    assert rep2["overall"]["agreement"] == pytest.approx(1 - 1 / (3 * len(osai.DIMENSIONS)))
    assert sum(rep2["per_dimension"]["licenses"]["disagreements"].values()) == 1


def test_unrated_cells_are_left_out_and_counted(tmp_path: Path) -> None:
    ours = {fam: _our_grades(hid, text) for fam, (hid, text) in CARDS.items()}
    ours["Alpha.yaml"]["paper"] = ""
    ours["Gamma.yaml"]["paper"] = "unknown"
    rep = bo.agreement(True, *_write_split(tmp_path, ours))
    assert rep["unrated_cells"] == {"paper": 2}
    assert rep["per_dimension"]["paper"]["rated_cards"] == 1
    assert rep["overall"]["agreement"] == 1.0


def test_cards_join_by_file_stem_without_an_index(tmp_path: Path) -> None:
    ours = {fam: _our_grades(fam, text) for fam, (_, text) in CARDS.items()}
    rep = bo.agreement(True, *_write_split(tmp_path, ours, index=False))
    assert rep["cards"] == 3


def test_a_split_missing_a_dimension_is_refused_in_one_line(tmp_path: Path) -> None:
    experts, cards = _write_split(tmp_path, {f: {d: "open" for d in osai.DIMENSIONS} for f in CARDS})
    text = experts.read_text(encoding="utf-8-sig").replace("licenses", "licence", 1)
    experts.write_text(text, encoding="utf-8")
    with pytest.raises(SystemExit, match="no column licenses"):
        bo.agreement(True, experts, cards)
    assert bo.main(["agreement", "--experts", str(tmp_path / "missing.csv"), "--cards", str(cards)]) == 2
