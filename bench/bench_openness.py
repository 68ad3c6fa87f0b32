"""Openness benchmarks (issue 7): agreement with the experts, card throughput, metadata grading at scale.

1. **Agreement** of the automatic OSAI grades (``--no-experts``: no expert grades, no curated facts
   about the model itself) with the Open Source AI Index's experts on the cards in
   ``../shared/data/openness/cards`` joined to ``osai_dev.csv`` (or ``--experts FILE.csv --cards DIR``,
   the same formats, for another split), measured leave-one-family-out: the signal → grade
   calibration is refitted without the held-out family each time. The base-model dimensions of a card
   that declares its base come from that base's cited curated facts (lineage, as the product does for
   a card outside the store); ``card-only`` measures without that. Exact agreement and Cohen's kappa
   per dimension and overall, beside the majority-class baseline; every disagreement class, and how
   many rest on facts the card does not contain (our probes found nothing for that dimension).
2. **10,000 card assessments**: a store with 10,000 models with card text, graded by the card pass.
3. **Metadata grading of the 2.5-million-model store** (``bench/common.py``), after the lineage and
   licence steps, on a copy of the store.

``python -m bench.bench_openness [agreement|card-only|cards|scale|fit] [--experts F --cards D]``; ``fit`` writes the calibration table
(``openscope/data/openness/osai_calibration.json``, used only with ``use_calibration=True``) from all
development cards.
"""

from __future__ import annotations

import collections
import csv
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.lock import bench_lock
from openscope.derive.openness.assessment import sides
from openscope.derive.openness.evaluations import osai
from openscope.derive.openness.evaluations.osai import DIMENSIONS
from openscope.derive.openness.records import from_text

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "openness"
CALIBRATION = REPO / "src" / "openscope" / "data" / "openness" / "osai_calibration.json"
GRADES = ("open", "partial", "closed")


def _card_path(cards: Path, family_file: str) -> Path:
    """The card of an index row: ``<file name without .yaml/.yml>.md`` in the cards folder."""
    stem = family_file.strip()
    for suffix in (".yaml", ".yml"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
    return cards / (stem + ".md")


def expert_grade(value: str | None) -> str | None:
    """An expert cell as a grade (``Open `` → ``open``), or None when the index left it unrated."""
    v = (value or "").strip().lower()
    return v if v in GRADES else None


def _joined_rows(experts: Path, cards: Path) -> list[tuple[dict[str, str], dict[str, str], Path]]:
    """(expert row, card index row, card path) for every family with both a grade row and a card.

    Without ``INDEX.csv`` in the cards folder, a card joins the row whose file has its stem (Hub id unknown).
    A split missing one of the 12 dimensions' columns is refused in one line (SystemExit), never half-measured.
    """
    with experts.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [d for d in ("file", *DIMENSIONS) if d not in (reader.fieldnames or [])]
        if missing:
            raise SystemExit(f"bench_openness: {experts} has no column {', '.join(missing)}")
        rows = {r["file"].strip(): r for r in reader if r.get("file")}
    index = cards / "INDEX.csv"
    if index.exists():
        with index.open(encoding="utf-8-sig", newline="") as f:
            entries = [it for it in csv.DictReader(f) if (it.get("osai_file") or "").strip()]
    else:
        entries = [{"osai_file": fam, "hf_id": ""} for fam in rows]
    out = []
    for it in entries:
        fam = it["osai_file"].strip()
        path = _card_path(cards, fam)
        if fam in rows and path.is_file():
            out.append((rows[fam], it, path))
    return out


def load_cards(lineage: bool = True, experts: Path | None = None, cards: Path | None = None,
               ) -> list[tuple[str, str, osai.Side, dict[str, str | None], osai.Side | None]]:
    """(family file, Hub id, probe side, expert grades, base side) for every card joined to the index.

    The model's own side is graded from its card alone (no curated facts about it, no experts). With
    ``lineage`` the base-model dimensions come from the base the card declares, when that base is a
    curated family (cited facts), as the product does for a card outside the store; without it they
    come from the card itself (the measure before base resolution). An expert cell that is not a grade
    (empty, ``unknown``) is None: that dimension of that card is left out of the measure, and counted.
    """
    out = []
    for row, it, path in _joined_rows(experts or DATA / "osai_dev.csv", cards or DATA / "cards"):
        fam = row["file"].strip()
        hub_id = (it.get("hf_id") or "").strip() or fam
        rec = from_text(hub_id, path.read_text("utf-8", errors="replace"), locator=str(path.name))
        side, base, _, _, _ = sides(rec, use_curated=False)  # automatic grades: no experts
        out.append((fam, hub_id, side, {d: expert_grade(row[d]) for d in DIMENSIONS}, base if lineage else None))
    return out


def kappa(pairs: list[tuple[str, str]]) -> float:
    """Cohen's kappa between expert (first) and automatic (second) grades."""
    n = len(pairs)
    if not n:
        return float("nan")
    po = sum(a == b for a, b in pairs) / n
    ca = collections.Counter(a for a, _ in pairs)
    cb = collections.Counter(b for _, b in pairs)
    pe = sum(ca[k] * cb.get(k, 0) for k in ca) / (n * n)
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def _signal_says_nothing(dim: str, signal: str, side: osai.Side | None = None) -> bool:
    """True when the card showed nothing for this dimension (the grade came from absence)."""
    if side is not None and dim == "hardware_architecture":
        h = side.findings.get("hardware_documented")
        return not (h and (h.detail.get("hardware") or h.detail.get("architecture")))
    if side is not None and dim == "modelcard":
        m = side.findings.get("model_card")
        return not (m and m.detail.get("topics"))
    nothing = {
        "weights": signal.startswith("not_found"),
        "datasources": signal.startswith("not_found|not_found"),
        "trainingcode": signal.startswith("not_found"),
        "code": signal.endswith("|0"),
        "hardware_architecture": signal.startswith("00"),
        "preprint": signal == "00",
        "paper": signal.startswith("0"),
        "modelcard": signal.startswith("0|"),
        "datasheet": signal.startswith("not_found|not_found"),
        "licenses": signal == "none",
    }
    key = dim.replace("_basemodel", "").replace("_endmodel", "")
    return nothing.get(key, False)


def agreement(lineage: bool = True, experts: Path | None = None, cards_dir: Path | None = None) -> dict[str, Any]:
    """Agreement with the experts; ``experts``/``cards_dir`` default to the development split in ../shared."""
    cards = load_cards(lineage, experts, cards_dir)
    sigs = [osai.signals(side, base) for _, _, side, _, base in cards]
    feats = [osai.feature_values(side, base) for _, _, side, _, base in cards]
    pairs: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    calibrated: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    classes: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    absent: dict[str, int] = collections.Counter()
    unrated: dict[str, int] = collections.Counter()
    if not cards:
        raise SystemExit("bench_openness: no card joins a row of the experts file (INDEX.csv osai_file = file)")
    for i, (_fam, _hid, side, expert, base) in enumerate(cards):
        table = osai.fit([(feats[j], cards[j][3]) for j in range(len(cards)) if j != i])  # family i held out
        cal = osai.evaluate(side, base, table=table)
        grades = osai.evaluate(side, base)  # the product's grades: rules only, nothing fitted
        for d in DIMENSIONS:
            if expert[d] is None:  # the index left this cell unrated: nothing to agree with
                unrated[d] += 1
                continue
            pairs[d].append((expert[d], grades[d]))
            calibrated[d].append((expert[d], cal[d]))
            if expert[d] != grades[d]:
                classes[d][f"expert {expert[d]} / openscope {grades[d]}"] += 1
                if _signal_says_nothing(d, sigs[i][d][0], side):
                    absent[d] += 1
    dims = [d for d in DIMENSIONS if pairs[d]]
    majority = {d: collections.Counter(e for e, _ in pairs[d]).most_common(1)[0][1] / len(pairs[d]) for d in dims}
    all_pairs = [p for d in dims for p in pairs[d]]
    all_cal = [p for d in dims for p in calibrated[d]]
    if not all_pairs:
        raise SystemExit("bench_openness: the experts file grades none of the joined cards")
    report = {
        "cards": len(cards), "experts_file": (experts or DATA / "osai_dev.csv").name, "base_resolution": lineage,
        "bases_declared": sum(b is not None for *_, b in cards),
        "unrated_cells": dict(unrated),
        "per_dimension": {
            d: {"agreement": sum(a == b for a, b in pairs[d]) / len(pairs[d]), "kappa": kappa(pairs[d]),
                "calibrated_agreement": sum(a == b for a, b in calibrated[d]) / len(calibrated[d]),
                "calibrated_kappa": kappa(calibrated[d]),
                "majority_baseline": majority[d], "disagreements": dict(classes[d]),
                "disagreements_card_shows_nothing": absent[d], "rated_cards": len(pairs[d])}
            for d in dims
        },
        "overall": {"agreement": sum(a == b for a, b in all_pairs) / len(all_pairs), "kappa": kappa(all_pairs),
                    "calibrated_agreement": sum(a == b for a, b in all_cal) / len(all_cal),
                    "calibrated_kappa": kappa(all_cal),
                    "majority_baseline": sum(majority[d] * len(pairs[d]) for d in dims) / len(all_pairs)},
    }
    return report


def licence_ceiling(experts: Path | None = None, cards_dir: Path | None = None) -> dict[str, Any]:
    """How far the licence alone can take the ``licenses`` dimension, even when known exactly.

    Analysis only, never a product grade: the end model's licence is read from the index's own
    ``endmodellicense`` column (metadata the experts recorded, not a grade), classified by the licence
    catalogue, and each class mapped to the experts' most common grade for it *in sample* (fitted on
    the very cards it is scored on, so an upper bound for any rule that looks at the licence alone).
    """
    from openscope.derive.openness.licensing import classify

    joined = [row for row, _, _ in _joined_rows(experts or DATA / "osai_dev.csv", cards_dir or DATA / "cards")
              if expert_grade(row["licenses"])]
    if not joined or "endmodellicense" not in joined[0]:
        return {"cards": len(joined), "note": "no endmodellicense column"}
    by_class: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for r in joined:
        v = classify(r["endmodellicense"] or None)
        key = "none" if not v.id else "open" if v.open else (v.cls or "unrecognised")
        by_class[key][expert_grade(r["licenses"])] += 1
    best = sum(c.most_common(1)[0][1] for c in by_class.values())
    return {"cards": len(joined), "agreement": best / len(joined),
            "mapping": {k: c.most_common(1)[0][0] for k, c in sorted(by_class.items())},
            "by_licence_class": {k: dict(c) for k, c in sorted(by_class.items())}}


def licence_naming_bound(experts: Path | None = None, cards_dir: Path | None = None) -> dict[str, Any]:
    """The most any rule that grades ``licenses`` from the licences a card names can agree on these cards.

    Analysis only. A card that names no licence anywhere (no front matter, no licence line, no badge) gives
    such a rule nothing to tell it from another such card, so they all get one grade: at best the experts'
    most common grade among them. Every card that names a licence is counted as agreeing (the best case).
    """
    named, silent = 0, collections.Counter()
    for _fam, _hid, side, expert, _base in load_cards(True, experts, cards_dir):
        if expert["licenses"] is None:
            continue
        lic = side.findings.get("license_declared")
        d = lic.detail if lic is not None else {}
        if d.get("declared") or d.get("card_open") or d.get("card_restrictive"):
            named += 1
        else:
            silent[expert["licenses"]] += 1
    n = named + sum(silent.values())
    best = silent.most_common(1)[0][1] if silent else 0
    return {"cards": n, "naming_a_licence": named, "naming_none": sum(silent.values()),
            "experts_on_cards_naming_none": dict(silent), "bound": (named + best) / n if n else float("nan")}


def fit() -> Path:
    cards = load_cards()
    table = osai.fit([(osai.feature_values(side, base), expert) for _, _, side, expert, base in cards])
    doc = {
        "about": "Counts of Open Source AI Index expert grades per generic probe signal (no model names); "
                 "fitted by `python -m bench.bench_openness fit` on the development cards joined to "
                 "osai_dev.csv. Source: osai-index.eu (CC-BY-4.0; Liesenfeld & Dingemanse, FAccT'24).",
        "cards": len(cards),
        "tables": table,
    }
    CALIBRATION.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return CALIBRATION


def cards_throughput(n: int = 10_000) -> dict[str, Any]:
    """Grade ``n`` models that have card text (the per-model card pass, from the store)."""
    from openscope.derive.openness import refresh_cards
    from openscope.store import open_store

    texts = [p.read_text("utf-8", errors="replace") for p in sorted((DATA / "cards").glob("*.md"))]
    with bench_lock(), tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "cards.duckdb")
        try:
            store.con.execute("INSERT INTO snapshots (snapshot_id, kind, started_at, status) "
                              "VALUES (1, 'ingest', now(), 'complete')")
            store.con.execute(
                "INSERT INTO models (id, license, first_snapshot_id, last_snapshot_id) "
                "SELECT 'org' || (i % 97) || '/model-' || i, "
                "['apache-2.0', 'mit', 'llama2', NULL, 'cc-by-nc-4.0'][1 + i % 5], 1, 1 FROM range(?) t(i)", [n])
            store.con.execute(
                "INSERT INTO files (repo_type, id, path, size, snapshot_id) "
                "SELECT 'model', 'org' || (i % 97) || '/model-' || i, unnest(['model.safetensors', 'config.json']), "
                "1, 1 FROM range(?) t(i)", [n])
            import pyarrow as pa

            ids = [f"org{i % 97}/model-{i}" for i in range(n)]
            # each card made distinct so nothing can be cached across models
            body = [texts[i % len(texts)] + f"\n\n<!-- {i} -->\n" for i in range(n)]
            store.con.register("_c", pa.table({"id": ids, "text": body}))
            store.con.execute("INSERT INTO cards (id, repo_type, text, fetched_at, snapshot_id) "
                              "SELECT id, 'model', text, now(), 1 FROM _c")
            store.con.unregister("_c")
            t0 = time.perf_counter()
            done = refresh_cards(store, 1)
            elapsed = time.perf_counter() - t0
            rows = store.scalar("SELECT count(*) FROM openness")
        finally:
            store.close()
    return {"cards": done, "elapsed_s": round(elapsed, 2), "per_card_ms": round(elapsed / max(done, 1) * 1000, 2),
            "openness_rows": rows}


def metadata_scale() -> dict[str, Any]:
    """Grade the 2.5-million-model store from metadata (after lineage and licences), on a copy."""
    from bench.common import hub_store
    from openscope import derive
    from openscope.derive.openness import record_history
    from openscope.derive.openness.sql import refresh_metadata
    from openscope.store import open_store

    src = hub_store(n_models=2_500_000, seed=7, max_fanout=150_000)
    with bench_lock(), tempfile.TemporaryDirectory(dir=src.parent) as tmp:
        db = Path(tmp) / "openness.duckdb"
        shutil.copy(src, db)
        wal = src.with_name(src.name + ".wal")
        if wal.exists():
            shutil.copy(wal, db.with_name(db.name + ".wal"))
        store = open_store(db)
        try:
            store.set_resource_limits(memory_limit="3GB", threads=2)
            t0 = time.perf_counter()
            ran = derive.refresh(store, only=["lineage", "licenses"])
            t1 = time.perf_counter()
            sid = store.scalar("SELECT max(snapshot_id) FROM snapshots")
            n = refresh_metadata(store, sid)
            t2 = time.perf_counter()
            rows = store.scalar("SELECT count(*) FROM openness")
            verdicts = dict(store.con.execute(
                "SELECT grade, count(*) FROM openness WHERE framework = 'osaid' GROUP BY 1").fetchall())
            patterns = store.scalar("SELECT count(DISTINCT evidence) FROM openness WHERE framework='osaid'")
            # the history step (migration 0009): first grading records every model's headline grades; the
            # next snapshot, with nothing changed, re-grades and records nothing, and keeps one copy
            t3 = time.perf_counter()
            first = record_history(store, sid)
            t4 = time.perf_counter()
            refresh_metadata(store, sid + 1)
            t5 = time.perf_counter()
            again = record_history(store, sid + 1)
            t6 = time.perf_counter()
            rows_after = store.scalar("SELECT count(*) FROM openness")
        finally:
            store.close()
    return {"models": n, "openness_rows": rows, "prior_steps": ran, "prior_steps_s": round(t1 - t0, 1),
            "metadata_grading_s": round(t2 - t1, 1), "osaid_verdicts": verdicts, "distinct_missing_sets": patterns,
            "history_first_rows": first, "history_first_s": round(t4 - t3, 1),
            "next_snapshot_grading_s": round(t5 - t4, 1), "next_snapshot_history_rows": again,
            "next_snapshot_history_s": round(t6 - t5, 1), "openness_rows_after_next_snapshot": rows_after}


def _print_agreement(rep: dict[str, Any]) -> None:
    print(f"cards joined to {rep['experts_file']}: {rep['cards']} (leave-one-family-out); base declared and resolved "
          f"to curated facts: {rep['bases_declared'] if rep['base_resolution'] else 'not used'}")
    if rep["unrated_cells"]:
        print("cells the experts left unrated (left out of the measure): "
              + ", ".join(f"{d} {n}" for d, n in rep["unrated_cells"].items()))
    print(f"{'dimension':24s} {'agree':>6s} {'kappa':>6s} {'calib.':>6s} {'kappa':>6s} {'majority':>8s}  "
          "disagreements (card shows nothing)")
    for d, v in rep["per_dimension"].items():
        print(f"{d:24s} {v['agreement']:6.1%} {v['kappa']:6.2f} {v['calibrated_agreement']:6.1%} "
              f"{v['calibrated_kappa']:6.2f} {v['majority_baseline']:8.1%}  "
              f"{sum(v['disagreements'].values())} ({v['disagreements_card_shows_nothing']})")
    o = rep["overall"]
    print(f"{'overall':24s} {o['agreement']:6.1%} {o['kappa']:6.2f} {o['calibrated_agreement']:6.1%} "
          f"{o['calibrated_kappa']:6.2f} {o['majority_baseline']:8.1%}")
    for d, v in rep["per_dimension"].items():
        print(f"  {d}: " + "; ".join(f"{k}: {n}" for k, n in sorted(v["disagreements"].items(), key=lambda x: -x[1])))


def main(argv: list[str] | None = None) -> int:
    known = {"agreement", "card-only", "cards", "scale", "fit"}
    argv = list(argv if argv is not None else sys.argv[1:])
    # `--experts FILE.csv --cards DIR` (INDEX.csv + one .md per family) measure agreement on another split
    paths: dict[str, Path] = {}
    for opt in ("--experts", "--cards"):
        if opt in argv:
            i = argv.index(opt)
            if i + 1 >= len(argv) or not Path(argv[i + 1]).exists():
                print(f"bench_openness: {opt} needs an existing path", file=sys.stderr)
                return 2
            paths[opt] = Path(argv[i + 1])
            del argv[i:i + 2]
    # under `bench.run_all` argv holds benchmark module names: run everything then
    args = [a for a in argv if a in known] or ["agreement", "cards", "scale"]
    out: dict[str, Any] = {}
    if "fit" in args:
        print(f"calibration written: {fit()}")
    if "agreement" in args:
        out["agreement"] = agreement(True, paths.get("--experts"), paths.get("--cards"))
        _print_agreement(out["agreement"])
        out["licence_ceiling"] = lc = licence_ceiling(paths.get("--experts"), paths.get("--cards"))
        if "agreement" in lc:
            print(f"licences from the end model's actual licence alone (index metadata `endmodellicense`, best "
                  f"mapping fitted in sample: an upper bound): {lc['agreement']:.1%} on {lc['cards']} cards; "
                  + "; ".join(f"{k}: {v}" for k, v in lc["by_licence_class"].items()))
        out["licence_naming_bound"] = nb = licence_naming_bound(paths.get("--experts"), paths.get("--cards"))
        print(f"licences from the licences a card names (every card naming one counted right; the "
              f"{nb['naming_none']} naming none get one grade): at most {nb['bound']:.1%} on {nb['cards']} cards; "
              f"experts on the cards naming none: {nb['experts_on_cards_naming_none']}")
    if "card-only" in args:  # the same measure without resolving the declared base (for comparison)
        out["agreement_card_only"] = agreement(False, paths.get("--experts"), paths.get("--cards"))
        _print_agreement(out["agreement_card_only"])
    if "cards" in args:
        out["cards"] = cards_throughput()
        print(f"card assessments: {out['cards']}")
    if "scale" in args:
        out["scale"] = metadata_scale()
        print(f"metadata grading: {out['scale']}")
    (REPO / "bench" / "out").mkdir(exist_ok=True)
    (REPO / "bench" / "out" / "bench_openness.json").write_text(json.dumps(out, indent=1, default=str))
    extra = "".join(f" {k} {v}" for k, v in paths.items())
    print("reproduce: python -m bench.bench_openness " + " ".join(args) + extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
