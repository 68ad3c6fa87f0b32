"""The set-based (SQL) grading and the per-model path give the same grades."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from openscope.derive.openness import openness_rows, refresh
from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.records import from_store
from openscope.derive.openness.sql import FILE_FEATURES, NEUTRAL_FILE
from openscope.jobs.ingest import ingest_file
from openscope.store import open_store

LICENSES = ["apache-2.0", "mit", "llama2", "openrail", "cc-by-nc-4.0", "other", None, "gpl-3.0", "bigscience-bloom-rail-1.0"]
FILES = ["model.safetensors", "pytorch_model.bin", "config.json", "modeling_x.py", "train.py", "scripts/finetune_lora.sh",
         "inference.py", "eval_harness.py", "preprocess_data.py", "checkpoint-500/model.bin", "trainer_state.json",
         "training_args.bin", "optimizer.pt", "README.md", "x.gguf", "run_train.py", "src/app.py"]
# licence files a file list names (their text is never in the store): whole release, weights, code, data, REUSE,
# and names that are not release licence files (a sub-folder's, third-party notices)
LICENSE_FILES = ["LICENSE", "LICENSE.md", "LICENSE-MODEL", "MODEL_LICENSE", "LICENSE-CODE", "LICENSE-DATA",
                 "LICENSES/Apache-2.0.txt", "COPYING", "vendor/LICENSE", "LICENSE-THIRD-PARTY", "NOTICE"]


DERIVED_FROM = ("EleutherAI/pythia-70m", "meta-llama/Llama-2-7b-hf", "huggyllama/llama-7b", "nobody/unknown-base")


def _write_hub(tmp: Path, n: int = 250, seed: int = 11) -> tuple[Path, Path]:
    rnd = random.Random(seed)
    models = []
    for i in range(n):
        e: dict = {"id": f"org{i % 7}/m{i}", "author": f"org{i % 7}", "createdAt": "2024-01-01T00:00:00.000Z",
                   "lastModified": "2024-02-01T00:00:00.000Z", "downloads": i, "likes": 1}
        lic = rnd.choice(LICENSES)
        tags = [f"license:{lic}"] if lic else []
        if rnd.random() < 0.3:
            tags.append(f"arxiv:2401.0000{i % 9}")
        if rnd.random() < 0.3:
            tags.append(f"dataset:ds/d{i % 6}")
        if rnd.random() < 0.3:
            e["cardData"] = {"datasets": [f"ds/d{i % 4}"] if rnd.random() < 0.5 else "ds/d9", "license": lic}
        if lic == "other" and rnd.random() < 0.6:  # `license_name` names the custom licence (a modified MIT, too)
            e.setdefault("cardData", {"license": lic})["license_name"] = rnd.choice(
                ["modified-mit", "Modified-Apache-2.0", "deepseek"])
        if i > 10 and rnd.random() < 0.35:
            tags.append(f"base_model:finetune:org{(i % 10) % 7}/m{i % 10}")
        e["tags"] = tags
        if rnd.random() < 0.85:
            e["siblings"] = [{"rfilename": f} for f in rnd.sample(FILES, rnd.randint(0, 6))]
            if rnd.random() < 0.4:
                e["siblings"] += [{"rfilename": f} for f in rnd.sample(LICENSE_FILES, rnd.randint(1, 3))]
        g = rnd.choice([False, "auto", "manual", None])
        if g is not None:
            e["gated"] = g
        if rnd.random() < 0.5:
            e["library_name"] = "transformers"
        models.append(e)
    models.append({"id": "EleutherAI/pythia-70m", "author": "EleutherAI", "tags": ["license:apache-2.0"],
                   "siblings": [{"rfilename": "model.safetensors"}]})
    # derivatives of curated roots: in the store (Pythia), outside it by Hub id (Llama 2) and by the family
    # its id names (LLaMA), and of an external root no curated family covers
    for k, base in enumerate(DERIVED_FROM):
        models.append({"id": f"fans/ft{k}", "author": "fans", "tags": [f"base_model:finetune:{base}", "license:mit"],
                       "siblings": [{"rfilename": "model.safetensors"}]})
    ds = [{"id": f"ds/d{k}", "author": "ds", "gated": "manual" if k == 2 else False, "private": False,
           "tags": [f"license:{['mit', 'cc-by-4.0', 'other', 'odc-by', 'apache-2.0', 'cc-by-nc-4.0'][k]}"]}
          for k in range(6)]
    mp, dp = tmp / "models.jsonl", tmp / "datasets.jsonl"
    mp.write_text("\n".join(json.dumps(m) for m in models) + "\n")
    dp.write_text("\n".join(json.dumps(d) for d in ds) + "\n")
    return mp, dp


def _grades(store, mid: str) -> dict:
    return {(r[0], r[1]): (r[2], r[3]) for r in store.con.execute(
        "SELECT framework, dimension, grade, score FROM openness WHERE id = ?", [mid]).fetchall()}


def test_representative_files_match_only_their_own_pattern() -> None:
    for name, (_, rep) in FILE_FEATURES.items():
        hits = [n for n, (pat, _) in FILE_FEATURES.items() if re.search(pat, rep, re.IGNORECASE)]
        assert hits == [name], (rep, hits)
    assert not any(re.search(pat, NEUTRAL_FILE, re.IGNORECASE) for pat, _ in FILE_FEATURES.values())


def test_set_based_and_per_model_paths_agree(tmp_path: Path) -> None:
    mp, dp = _write_hub(tmp_path)
    store = open_store(tmp_path / "s.duckdb")
    try:
        ingest_file(store, dp, repo_type="dataset")
        ingest_file(store, mp)
        # card text for a few models: these are re-graded by the per-model (card) pass
        sid = store.scalar("SELECT max(snapshot_id) FROM snapshots")
        store.con.execute("INSERT INTO cards (id, repo_type, text, fetched_at, snapshot_id) VALUES "
                          "('org1/m1', 'model', ?, now(), ?)",
                          ["# M\n## Training\n```\npython train.py --lr 1e-4\n```\n", sid])
        # licence texts the crawl read for models declaring `other` (no card text): one a licence the title
        # identifies, one a text nothing identifies; both paths read them through the same records
        other = [r[0] for r in store.con.execute(
            "SELECT DISTINCT f.id FROM files f JOIN models m USING (id) WHERE m.license = 'other' "
            "AND m.card_data->>'license_name' IS NULL AND f.path IN ('LICENSE', 'LICENSE-MODEL') ORDER BY 1").fetchall()]
        assert len(other) >= 2
        store.con.executemany(
            "INSERT INTO license_texts (id, path, sha, text, read_at, snapshot_id) VALUES (?, ?, NULL, ?, now(), ?)",
            [[other[0], "LICENSE", "LLAMA 2 COMMUNITY LICENSE AGREEMENT\nLlama 2 Version Release Date: July 18, 2023\n",
              sid], [other[1], "LICENSE", "Terms of our own.\nUse it kindly.\n", sid]])
        from openscope import derive
        derive.refresh(store)  # lineage and licences first when present, then openness
        stats = refresh(store)
        assert stats["models"] == 255 and stats["cards"] >= 2
        ids = [r[0] for r in store.con.execute("SELECT id FROM models ORDER BY id").fetchall()]
        for mid in ids:  # every model: the whole table agrees, not just a sample
            a = assess_record(from_store(store, mid))
            rows = openness_rows(a)
            expected = {(fw, d): (g, s) for fw, d, g, s, _ in rows}
            assert _grades(store, mid) == expected, mid
            verdict_ev = store.scalar("SELECT evidence::VARCHAR FROM openness WHERE id = ? AND framework = 'osaid'", [mid])
            assert json.loads(verdict_ev) == json.loads(next(e for fw, _, _, _, e in rows if fw == "osaid")), mid
        # licence files occur in the store; where one covering the weights is a model's only licence evidence, both
        # paths grade its licence unknown (never "no licence")
        lone = [r[0] for r in store.con.execute(
            "SELECT DISTINCT f.id FROM files f JOIN models m USING (id) WHERE m.license IS NULL "
            "AND f.path IN ('LICENSE', 'LICENSE-MODEL', 'MODEL_LICENSE') AND f.id NOT IN (SELECT id FROM cards)").fetchall()]
        assert len(lone) >= 3
        assert {_grades(store, m)[("osai", "licenses")][0] for m in lone} == {"unknown"}
        assert {_grades(store, m)[("osaid", "verdict")][0] for m in lone} <= {"insufficient"}
        # `other` with a stored licence text: identified by its title (the licence table and the grades), or,
        # unrecognised, still unknown
        assert store.con.execute("SELECT license, source FROM licenses WHERE id = ?", [other[0]]).fetchone() == (
            "llama2", "license_file")
        assert store.con.execute("SELECT license FROM licenses WHERE id = ?", [other[1]]).fetchone() == ("other",)
        assert _grades(store, other[0])[("component", "Model parameters (Final)")][0] == "restrictive_license"
        assert _grades(store, other[0])[("osai", "licenses")][0] == "closed"
        assert "not recognised" in store.scalar("SELECT reason FROM licenses WHERE id = ?", [other[1]])
        assert store.scalar("SELECT any_value(method) FROM openness WHERE id = ?", [other[0]]) == "card"
        # a modified MIT under `license: other` is graded as such by both paths (not as an unknown custom licence)
        modified = [r[0] for r in store.con.execute(
            "SELECT id FROM models WHERE license = 'other' AND card_data->>'license_name' = 'modified-mit'").fetchall()]
        graded = {_grades(store, m)[("osai", "licenses")][0] for m in modified}
        assert "partial" in graded and graded <= {"partial", "unknown"}  # unknown: a record with nothing readable
        # base-model weights from the roots' cited facts: Pythia open, Llama 2 gated, LLaMA by request only
        base_weights = [_grades(store, f"fans/ft{k}")[("osai", "weights_basemodel")][0] for k in range(4)]
        assert base_weights == ["open", "partial", "closed", "unknown"]
        methods = dict(store.con.execute(
            "SELECT id, any_value(method) FROM openness WHERE id IN ('org1/m1', 'EleutherAI/pythia-70m', 'org0/m0') "
            "GROUP BY id").fetchall())
        assert methods == {"org1/m1": "card", "EleutherAI/pythia-70m": "card", "org0/m0": "metadata"}
        # the card's training command is seen by the card pass only
        assert _grades(store, "org1/m1")[("component", "Training code")][0] != "not_found"
        # rerunning replaces rows instead of duplicating them
        n = store.scalar("SELECT count(*) FROM openness")
        refresh(store)
        assert store.scalar("SELECT count(*) FROM openness") == n
        assert store.scalar("SELECT count(DISTINCT id) FROM openness") == 255
        # a model that lost its card falls back to metadata rows, without leftovers of its card rows
        store.con.execute("DELETE FROM cards WHERE id = 'org1/m1'")
        refresh(store)
        assert store.scalar("SELECT count(*) FROM openness") == n
        assert store.con.execute("SELECT DISTINCT method FROM openness WHERE id = 'org1/m1'").fetchall() == [
            ("metadata",)]
    finally:
        store.close()


def test_parallel_card_pass_gives_the_same_rows(tmp_path: Path) -> None:
    from openscope.derive.openness import refresh_cards

    store = open_store(tmp_path / "p.duckdb")
    try:
        store.con.execute("INSERT INTO snapshots (snapshot_id, kind, started_at, status) "
                          "VALUES (1, 'ingest', now(), 'complete')")
        store.con.execute("INSERT INTO models (id, license, first_snapshot_id, last_snapshot_id) "
                          "SELECT 'o/m' || i, ['mit', 'llama2', NULL][1 + i % 3], 1, 1 FROM range(12) t(i)")
        store.con.execute(
            "INSERT INTO cards (id, repo_type, text, fetched_at, snapshot_id) SELECT 'o/m' || i, 'model', "
            "'---\ndatasets: [d/x' || i || ']\n---\n# M\n## Training\n```\npython train.py\n```\n' || "
            "repeat('Evaluated on MMLU. ', i), now(), 1 FROM range(12) t(i)")
        ids = [f"o/m{i}" for i in range(12)]

        def rows() -> list:
            return store.con.execute("SELECT id, framework, dimension, grade, score, evidence::VARCHAR "
                                     "FROM openness ORDER BY ALL").fetchall()

        assert refresh_cards(store, 1, ids, parallel_from=10**9) == 12
        serial = rows()
        assert refresh_cards(store, 1, ids, parallel_from=1) == 12  # worker processes
        assert rows() == serial and len(serial) == 12 * 35
    finally:
        store.close()


def test_empty_store_refreshes_to_nothing(tmp_path: Path) -> None:
    store = open_store(tmp_path / "e.duckdb")
    try:
        stats = refresh(store)
        assert stats["models"] == 0 and stats["cards"] == 0
        assert store.scalar("SELECT count(*) FROM openness") == 0
    finally:
        store.close()
