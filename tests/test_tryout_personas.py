"""What the try-out of the three personas found, kept fixed (helper-tryout; docs/reviews.md's users, walked again).

- The publisher: a release folder improved step by step as ``assess`` tells; each step must move the grade it
  names (the MOF class's progress, the OSAID verdict) and its evidence must point at the file that did it. A
  Hub dataset the card declares cannot get a licence by any edit of the folder: it is read from a store that
  holds it, and ``assess`` now says so in a warning instead of leaving "state an open data licence" unexplained.
- ``assess --mof-record FILE ID`` graded the record and silently ignored ``ID``: now a usage error (64).
- ``sql`` refused "a INSERT statement": the article follows the statement's word. And it cut a result at
  ``--limit`` (1,000 by default) without a word, in ``--json`` too: the cut is now said on stderr.
- ``lineage --by-root-country`` said "no model with a declared base" of a store whose lineage was never derived
  and of one whose derivatives are all older than ``--since``: it says which.
- docs/openness.md showed ``--mof-record``'s progress line as the program does not print it (that example, and every
  other of docs/openness.md, is now run by ``test_docs_openness_examples``).

One small store per module (ingested from JSON Lines we write); no network.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from openscope.cli import main

REPO = Path(__file__).resolve().parents[1]
OPEN_DATASET = "acme-lab/open-corpus"       # in the store, cc-by-4.0
ABSENT_DATASET = "acme-lab/private-crawl"   # in no store


def run(*args: str | os.PathLike[str]) -> tuple[int, str, str]:
    """The console entry in-process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding one model and one open dataset."""
    root = tmp_path_factory.mktemp("tryout")
    store = root / "s.duckdb"
    models = root / "m.jsonl"
    models.write_text(json.dumps({"id": "acme-lab/tiny", "author": "acme-lab", "tags": ["license:mit"],
                                  "siblings": [{"rfilename": "model.safetensors"}]}) + "\n")
    datasets = root / "d.jsonl"
    datasets.write_text(json.dumps({"id": OPEN_DATASET, "author": "acme-lab", "tags": ["license:cc-by-4.0"]}) + "\n")
    assert run("--db", store, "--quiet", "ingest", models)[0] == 0
    assert run("--db", store, "--quiet", "ingest", "--datasets", datasets)[0] == 0
    return store


README = """---
license: apache-2.0
language:
- en
---
# tiny-lm

tiny-lm is a small decoder-only transformer released by Example Lab.

## Training
We trained tiny-lm for 2 epochs with AdamW on our own crawl of public-domain books.
The training script is `train.py` in this repository.
"""


@pytest.fixture
def release(tmp_path: Path) -> Path:
    """The publisher's first release: card, licence file, config, weights and a training script."""
    rel = tmp_path / "tiny-lm"
    rel.mkdir()
    (rel / "README.md").write_text(README, encoding="utf-8")
    (rel / "LICENSE").write_text("SPDX-License-Identifier: Apache-2.0\n\nCopyright 2026 Example Lab\n")
    (rel / "config.json").write_text('{"architectures": ["TinyLM"], "hidden_size": 64}\n')
    (rel / "model.safetensors").write_bytes(b"\0" * 16)
    (rel / "train.py").write_text("def main() -> None:\n    print('training')\n")
    return rel


def assess(store: Path, folder: Path) -> dict:
    code, out, err = run("--db", store, "--json", "assess", folder)
    assert code == 0, err
    return json.loads(out)


def steps(doc: dict) -> str:
    return "\n".join(doc["next_steps"]["mof"] + doc["next_steps"]["osaid"])


def test_each_step_assess_names_moves_what_it_promises(db: Path, release: Path) -> None:
    """The publisher's walk to MOF Class I, one named step at a time (as run by hand on the try-out)."""
    doc = assess(db, release)
    assert doc["mof"]["class"] == 0 and doc["mof"]["progress"]["3"] == pytest.approx(50.0)
    assert doc["components"]["Training code"]["evidence"][0]["locator"].endswith("train.py")
    meta = doc["components"]["Model metadata"]["evidence"][0]
    assert meta["locator"].endswith("README.md#L11-L12") and "AdamW" in meta["snippet"]   # the training lines
    assert "release Evaluation results" in steps(doc)

    with (release / "README.md").open("a") as f:
        f.write("\n## Evaluation\n| benchmark | score |\n|---|---|\n| HellaSwag | 30.1 |\n")
    doc = assess(db, release)
    assert doc["mof"]["progress"]["3"] == pytest.approx(200 / 3)
    res = doc["components"]["Evaluation results"]
    assert res["status"] == "open_license" and res["evidence"][0]["locator"].endswith("README.md#L15-L17")
    assert "Evaluation results" not in steps(doc) and "release Data card" in steps(doc)

    (release / "DATASHEET.md").write_text("# Datasheet\n\n## Sources\nPublic-domain books.\n")
    doc = assess(db, release)
    assert doc["mof"]["progress"]["3"] == pytest.approx(500 / 6)
    assert doc["components"]["Data card"]["evidence"][0]["locator"].endswith("DATASHEET.md")
    assert "data-information" not in doc["osaid"]["missing"]

    (release / "technical_report.md").write_text("# tiny-lm technical report\n\nCapabilities and usage.\n")
    doc = assess(db, release)
    assert doc["mof"]["class"] == 3 and doc["mof"]["progress"]["2"] == pytest.approx(70.0)
    for step in ("Inference code", "Evaluation code", "Evaluation data"):
        assert step in steps(doc)

    (release / "inference.py").write_text("def main() -> None:\n    print('generate')\n")
    (release / "evaluate.py").write_text("def main() -> None:\n    print('eval')\n")
    (release / "eval").mkdir()
    (release / "eval" / "hellaswag_sample.jsonl").write_text('{"ctx": "a", "label": 0}\n')
    doc = assess(db, release)
    assert doc["mof"]["class"] == 2
    assert doc["components"]["Evaluation data"]["evidence"][0]["locator"].endswith("eval/hellaswag_sample.jsonl")
    assert doc["osaid"]["missing"] == ["data-processing-code", "code-license"]

    (release / "preprocess.py").write_text("def main() -> None:\n    print('clean')\n")
    doc = assess(db, release)
    assert doc["osaid"] == {"verdict": "pass", "missing": []}

    (release / "checkpoints" / "step-1000").mkdir(parents=True)
    (release / "checkpoints" / "step-1000" / "model.safetensors").write_bytes(b"\0" * 16)
    (release / "paper.pdf").write_bytes(b"%PDF-1.4\n% tiny-lm\n")
    doc = assess(db, release)
    assert doc["components"]["Model parameters (Intermediate)"]["status"] == "open_license"
    assert doc["components"]["Research paper"]["status"] == "open_license"
    assert doc["mof"]["class"] == 2 and steps(doc).count("Datasets") == 1   # the training data is all that is left

    card = (release / "README.md").read_text()
    (release / "README.md").write_text(card.replace("language:", f"datasets:\n- {OPEN_DATASET}\nlanguage:"))
    doc = assess(db, release)
    assert doc["mof"]["class"] == 1 and doc["next_steps"] == {"mof": [], "osaid": []}
    data = doc["components"]["Datasets"]
    assert data["license"] == "cc-by-4.0" and OPEN_DATASET in data["evidence"][0]["locator"]
    assert doc["warnings"] == []


def test_a_declared_dataset_no_store_holds_is_named_in_a_warning(db: Path, release: Path) -> None:
    """The step "state an open data licence for Datasets" cannot be done in the folder for a Hub dataset: the
    warning says its licence is read from a store that holds it, and which datasets those are."""
    card = (release / "README.md").read_text()
    (release / "README.md").write_text(card.replace("language:", f"datasets:\n- {ABSENT_DATASET}\nlanguage:"))

    code, out, err = run("--db", db, "--json", "assess", release)
    assert code == 0
    doc = json.loads(out)
    assert doc["components"]["Datasets"]["status"] == "no_license"
    (warning,) = [w for w in doc["warnings"] if ABSENT_DATASET in w]
    assert f"the store {db} does not hold it" in warning and "--db" in warning
    assert f"openscope: warning: {warning}\n" in err   # one line on stderr, as in --json

    nowhere = release.parent / "none.duckdb"
    code, out, err = run("--db", nowhere, "assess", release)
    assert code == 0 and f"no store at {nowhere}" in " ".join(err.split())
    assert not nowhere.exists()                       # assess never creates a store

    code, out, err = run("--db", nowhere, "--quiet", "assess", release)
    assert code == 0 and err == ""                    # --quiet silences warnings

    # a dataset the store holds is graded by its licence, and nothing is said of it
    (release / "README.md").write_text(card.replace("language:", f"datasets:\n- {OPEN_DATASET}\nlanguage:"))
    code, out, err = run("--db", db, "--json", "assess", release)
    assert code == 0 and "declares the dataset" not in err and json.loads(out)["warnings"] == []


def test_mof_record_with_a_model_beside_it_is_a_usage_error(tmp_path: Path, release: Path) -> None:
    record = tmp_path / "record.yml"
    record.write_text("release:\n  name: x\n  components:\n  - name: Model architecture\n    license: MIT\n")
    code, out, err = run("--json", "assess", "--mof-record", record)
    assert code == 0 and json.loads(out)["mof"]["class"] == 0
    for extra in ([release], ["acme-lab/tiny"], ["--import-experts", record]):
        code, out, err = run("--json", "assess", "--mof-record", record, *extra)
        assert code == 64 and out == "", extra
        assert err.count("\n") == 1 and "--mof-record grades the record alone" in err


@pytest.mark.parametrize(("query", "said"), [
    ("INSERT INTO models SELECT * FROM models", "an INSERT statement is refused"),
    ("UPDATE models SET license = 'x'", "an UPDATE statement is refused"),
    ("ATTACH 'other.duckdb'", "an ATTACH statement is refused"),
    ("DROP TABLE models", "a DROP statement is refused"),
])
def test_sql_refuses_writes_in_good_english(db: Path, query: str, said: str) -> None:
    code, out, err = run("--db", db, "sql", query)
    assert code == 65 and out == "" and said in err


def test_sql_says_when_the_limit_cut_the_result(db: Path) -> None:
    """The analyst's export was silently the first --limit rows: the cut is said on stderr, --json unchanged."""
    query = "SELECT * FROM range(5) t(n)"
    code, out, err = run("--db", db, "--json", "sql", "--limit", "3", query)
    assert code == 0 and [r["n"] for r in json.loads(out)["rows"]] == [0, 1, 2]
    assert err == "openscope: warning: showing the first 3 rows; the query has more (--limit N shows N, --limit 0 all)\n"
    for limit in ("5", "0"):   # exactly the limit, or all of it: nothing was cut, nothing is said
        code, out, err = run("--db", db, "--json", "sql", "--limit", limit, query)
        assert code == 0 and len(json.loads(out)["rows"]) == 5 and err == ""
    code, out, err = run("--db", db, "--quiet", "sql", "--limit", "3", query)
    assert code == 0 and err == "" and "│ 2 │" in out and "│ 3 │" not in out


def test_by_root_country_says_why_it_found_no_derivative(db: Path, tmp_path: Path) -> None:
    """"no model with a declared base" was said of a store whose lineage was never derived (its models declare
    bases) and of one with derivatives none of which is as recent as --since: the answer says why it is empty."""
    code, out, _ = run("--db", db, "lineage", "--by-root-country")
    assert code == 0 and "no derivatives in the store (no model with a declared base)" in out

    dump = tmp_path / "d.jsonl"
    dump.write_text("\n".join(json.dumps(e) for e in [
        {"id": "acme-lab/base"},
        {"id": "jdoe/base-ft", "createdAt": "2025-05-01T00:00:00.000Z", "tags": ["base_model:finetune:acme-lab/base"]},
    ]) + "\n")
    store = tmp_path / "s.duckdb"
    assert run("--db", store, "--quiet", "ingest", "--no-derive", dump)[0] == 0
    code, out, err = run("--db", store, "lineage", "--by-root-country")
    flat = " ".join(out.split())
    assert code == 0 and "lineage was never derived for this store" in flat and "declared base" not in flat
    assert "lineage was never derived" in err                        # the warning stands beside it

    derived = tmp_path / "t.duckdb"
    assert run("--db", derived, "--quiet", "ingest", dump)[0] == 0
    code, out, err = run("--db", derived, "--json", "lineage", "--by-root-country")
    assert code == 0 and json.loads(out)["total"] == 1              # there is a derivative...
    code, out, err = run("--db", derived, "lineage", "--by-root-country", "--since", "2026-01-01")
    flat = " ".join(out.split())                                      # ...none created since 2026
    assert code == 0 and "no derivative in the store was created on or after 2026-01-01" in flat
    assert "declared base" not in flat and err == ""


@pytest.fixture(autouse=True)
def _no_store_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test names its store: a developer's OPENSCOPE_DB must not change what a test sees."""
    monkeypatch.delenv("OPENSCOPE_DB", raising=False)
    yield
