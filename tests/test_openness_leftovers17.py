"""Three openness leftovers of earlier sessions (helper-mofstep), each read by a general rule.

1. The MOF step for a training dataset declared by Hub id (``datasets:``) names that dataset's repository: its
   licence is stated in its own card, so "state an open data licence … shipping it in the repository puts it under
   the repository's licence" asked for an edit that changes nothing. A looked-up dataset with no (or no open)
   licence is asked for one there, or to be replaced by an open dataset; one no store told about says its licence
   was not looked up. A component shipped as files keeps the old step.
2. A code-host link inside a denied list item ("## Not released" › "- training code: https://github.com/acme/x",
   or after "The following are not released:") is no evidence of release: the training-code probe reads the item
   as documented, not released, with the denying words as evidence, and no probe takes the link as the release's
   own code, report, paper or weights.
3. A denying heading that names a component denies that component's statements under it: "## Training data (not
   released)" › "The training code is available at https://github.com/…" releases the training code; one that names
   none ("## Not released", "## Unavailable") denies everything under it.

The cards and folders are written here (an invented "Acme Lynx" model); each right form fails on the code before.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from card_readings import card_record

from openscope.cli import main
from openscope.derive.openness.evaluations.mof import Hosted, components, evaluate_components
from openscope.derive.openness.probes import Finding, run_all
from openscope.derive.openness.probes._own_evidence import own_code_repository
from openscope.derive.openness.probes.datasets_released import denied_lines, heading_components

CORPUS = "acme/web-corpus"
CODE_URL = "https://github.com/acme/lynx"


def _findings(text: str) -> dict[str, Finding]:
    return {f.probe: f for f in run_all(card_record(text))}


def _card(body: str) -> str:
    return f"# Lynx\n\nLynx answers questions.\n\n{body}\n"


# -- 1. the MOF step for a declared Hub dataset --------------------------------------------------------------------

def _class_two(datasets: str | None) -> dict[str, str | None]:
    """Every component MOF Class I requires released under an open licence but the Datasets (``datasets`` = their
    listed licence; None: not released)."""
    listed: dict[str, str | None] = {c.name: "Apache-2.0" for c in components() if c.required and c.name != "Datasets"}
    if datasets is not None:
        listed["Datasets"] = datasets
    return listed


def _datasets_step(steps: list[str]) -> str:
    (step,) = [s for s in steps if "Datasets" in s or "dataset" in s]
    return step


def test_a_looked_up_declared_dataset_without_licence_is_asked_for_one_in_its_own_card() -> None:
    res = evaluate_components(_class_two(""), hosted={"Datasets": Hosted((CORPUS,), True)})
    assert res.cls == 2
    step = _datasets_step(res.next_steps)
    assert f"give the declared dataset {CORPUS} an open data licence (`license:` in its own card" in step
    assert "declare a released dataset whose licence is open" in step
    assert "shipping it in the repository" not in step


def test_a_declared_dataset_no_store_told_says_its_licence_was_not_looked_up() -> None:
    res = evaluate_components(_class_two(""), hosted={"Datasets": Hosted((CORPUS, "acme/chat-mix"), False)})
    step = _datasets_step(res.next_steps)
    assert f"the declared datasets {CORPUS}, acme/chat-mix state an open data licence" in step
    assert "not looked up here" in step and "shipping it in the repository" not in step


def test_a_declared_dataset_under_a_closed_licence_names_it_and_its_licence() -> None:
    res = evaluate_components(_class_two("CC-BY-NC-4.0"), hosted={"Datasets": Hosted((CORPUS,), True)})
    step = _datasets_step(res.next_steps)
    assert CORPUS in step and "now CC-BY-NC-4.0" in step and "declare a released dataset" in step


def test_datasets_shipped_as_files_keep_the_repository_step() -> None:
    """Without a declared Hub dataset the component is the release's own files: shipping them puts them under the
    repository's licence, and the step says so (a Hosted entry for a component not released changes nothing)."""
    step = _datasets_step(evaluate_components(_class_two("")).next_steps)
    assert "shipping it in the repository puts it under the repository's licence" in step
    res = evaluate_components(_class_two(None), hosted={"Datasets": Hosted((CORPUS,), True)})
    assert _datasets_step(res.next_steps).startswith("to reach Class I - Open Science Model: release Datasets")


def _run(*args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


README = f"""---
license: apache-2.0
datasets:
- {CORPUS}
---
# Lynx

Lynx is a small decoder-only transformer.

## Training
We trained Lynx for 2 epochs with AdamW. The training script is `train.py` in this repository.

## Evaluation
| benchmark | score |
|---|---|
| HellaSwag | 30.1 |
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release at MOF Class II whose only missing Class I component is the training data it declares."""
    rel = tmp_path_factory.mktemp("lynx") / "lynx"
    rel.mkdir()
    files = {"README.md": README, "LICENSE": "SPDX-License-Identifier: Apache-2.0\n",
             "config.json": '{"architectures": ["Lynx"]}\n', "train.py": "print('train')\n",
             "DATASHEET.md": "# Datasheet\n\n## Sources\nPublic-domain books.\n",
             "technical_report.md": "# Lynx technical report\n\nCapabilities and usage.\n",
             "inference.py": "print('generate')\n", "evaluate.py": "print('eval')\n",
             "preprocess.py": "print('clean')\n", "eval/hellaswag_sample.jsonl": '{"ctx": "a"}\n'}
    for name, text in files.items():
        (rel / name).parent.mkdir(parents=True, exist_ok=True)
        (rel / name).write_text(text)
    (rel / "model.safetensors").write_bytes(b"\0" * 16)
    return rel


def _assess(folder: Path, db: Path) -> dict:
    code, out, err = _run("--db", db, "--json", "assess", folder)
    assert code == 0, err
    return json.loads(out)


def test_assess_names_the_dataset_repository_no_store_told(folder: Path, tmp_path: Path) -> None:
    doc = _assess(folder, tmp_path / "none.duckdb")
    assert doc["mof"]["class"] == 2 and doc["components"]["Datasets"]["status"] == "no_license"
    step = _datasets_step(doc["next_steps"]["mof"])
    assert f"make sure the declared dataset {CORPUS} states an open data licence" in step
    assert "not looked up here" in step and "shipping it" not in step


def test_assess_asks_a_stored_dataset_without_licence_for_one(folder: Path, tmp_path: Path) -> None:
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"id": CORPUS, "author": "acme", "tags": []}) + "\n")
    db = tmp_path / "s.duckdb"
    assert _run("--db", db, "--quiet", "ingest", "--datasets", data)[0] == 0
    doc = _assess(folder, db)
    assert doc["components"]["Datasets"]["status"] == "no_license" and doc["warnings"] == []
    step = _datasets_step(doc["next_steps"]["mof"])
    assert f"give the declared dataset {CORPUS} an open data licence (`license:` in its own card" in step
    assert "shipping it" not in step


# -- 2. a code-host link inside a denied list item -----------------------------------------------------------------

@pytest.mark.parametrize(("body", "denial"), [
    (f"## Not released\n\n- training code: {CODE_URL}", "## Not released"),
    (f"## Not released\n\n- training code: [Code]({CODE_URL})", "## Not released"),
    (f"The following are not released:\n- training code: {CODE_URL}", "The following are not released:"),
    (f"## Unavailable\n\n- training code: [GitHub]({CODE_URL})", "## Unavailable"),
])
def test_a_code_link_in_a_denied_item_is_no_release(body: str, denial: str) -> None:
    found = _findings(_card(body))
    train = found["training_code"]
    assert (train.outcome, train.status) == ("negative", "documented_not_released")
    assert [e.snippet for e in train.evidence][-1] == denial     # the evidence names the denial
    assert train.evidence[-1].locator.startswith("README.md#L")
    assert found["architecture_code"].status == "not_found"     # nor is the link the release's architecture code
    assert own_code_repository(card_record(_card(body)), "Training code") is None


def test_the_same_item_under_a_release_heading_is_released_code() -> None:
    found = _findings(_card(f"## Released\n\n- training code: [Code]({CODE_URL})"))
    assert found["training_code"].status == "no_license" and found["training_code"].outcome == "positive"
    assert found["architecture_code"].outcome == "positive"


def test_a_denied_preprocessing_item_names_its_denial() -> None:
    found = _findings(_card("## Not released\n\n- data processing scripts"))
    prep = found["preprocessing_code"]
    assert prep.status == "documented_not_released" and prep.evidence[-1].snippet == "## Not released"


# -- 3. a denying heading denies the components it names -----------------------------------------------------------

@pytest.mark.parametrize(("title", "names"), [
    ("Training data (not released)", {"Datasets"}),
    ("Not released: training code", {"Training code"}),
    ("Data processing code (not released)", {"Data preprocessing code"}),
    ("训练数据（未公开）", {"Datasets"}),
    ("Model weights not released", {"Model parameters (Final)", "Model parameters (Intermediate)"}),
    ("Not released", None),
    ("Unavailable", None),
    ("Components (not public)", None),
])
def test_what_a_heading_names(title: str, names: set[str] | None) -> None:
    assert heading_components(title) == (None if names is None else frozenset(names))


@pytest.mark.parametrize("sentence", [
    f"The training code is available at {CODE_URL}.",
    f"Our training code is released: [Code]({CODE_URL}).",
])
def test_a_data_heading_leaves_the_training_code_it_releases(sentence: str) -> None:
    text = _card(f"## Training data (not released)\n\n{sentence}")
    found = _findings(text)
    assert (found["training_code"].outcome, found["training_code"].status) == ("positive", "no_license")
    assert found["training_code"].evidence[-1].locator == CODE_URL
    rec = card_record(text)
    assert 7 in denied_lines(rec, "Datasets") and 7 not in denied_lines(rec, "Training code")


def test_a_data_heading_still_denies_the_data_under_it() -> None:
    found = _findings(_card("## Training data (not released)\n\n"
                            "We trained on [acme/web](https://huggingface.co/datasets/acme/web) and web text."))
    assert found["datasets_released"].status == "documented_not_released"


def test_a_code_heading_leaves_the_dataset_it_links() -> None:
    found = _findings(_card("## Not released: training code\n\n"
                            "We trained on [acme/web](https://huggingface.co/datasets/acme/web) and web text."))
    assert found["datasets_released"].status == "no_license"
    assert found["datasets_released"].evidence[0].locator == "https://huggingface.co/datasets/acme/web"


@pytest.mark.parametrize("title", ["Not released", "Unavailable"])
def test_a_heading_that_names_nothing_denies_every_component(title: str) -> None:
    found = _findings(_card(f"## {title}\n\nThe training code is available at {CODE_URL}.\n\n"
                            "We trained on [acme/web](https://huggingface.co/datasets/acme/web)."))
    assert found["training_code"].status == "documented_not_released"
    assert found["training_code"].evidence[-1].snippet == f"## {title}"
    assert found["architecture_code"].status == "not_found"
    assert found["datasets_released"].status != "no_license"


@pytest.mark.parametrize(("probe", "item"), [
    ("technical_report", "- technical report: [Report](https://arxiv.org/abs/2401.00001)"),
    ("research_paper", "- paper: [Paper](https://arxiv.org/abs/2401.00001)"),
    ("weights_released", "- weights: [acme/lynx-7b](https://huggingface.co/acme/lynx-7b)"),
    ("evaluation_code", "- evaluation code: [Code](https://github.com/acme/lynx-eval)"),
])
def test_every_probe_leaves_a_link_in_a_denied_item(probe: str, item: str) -> None:
    """The probes agree: a link in a denied item releases no report, paper, weights or code; the same item under a
    heading that releases does."""
    assert _findings(_card(f"## Not released\n\n{item}"))[probe].outcome == "negative"
    assert _findings(_card(f"## Released\n\n{item}"))[probe].outcome == "positive"
    # a heading that names another component leaves it released
    assert _findings(_card(f"## Training data (not released)\n\n{item}"))[probe].outcome == "positive"
