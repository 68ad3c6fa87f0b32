"""What the publisher tryout (helper-tryout4) found in the probes and the MOF steps, each read by a general rule.

1. Training data shipped in the folder (``data/train.jsonl``, or a data file under a folder the card calls training
   data) is released under the repository's licence, as shipped evaluation data already was; the MOF step no longer
   asks to "release Datasets".
2. A licence the card states for a named benchmark ("The evaluation data (MMLU) is released under the MIT
   license.") is the evaluation data's, as the same sentence for the evaluation code already was.
3. The MOF step for a README too short to be a model card says what it lacks against the rule's thresholds.
4. A MOF record's step for a component listed without a licence asks for one in the record (it has no repository).
5. A snippet quoting a mention stops at its paragraph (not the next paragraph or table).
6. A card's ``base_model`` pasted as an address is the id it names (as lineage reads it), so the base's link is
   not taken for this release's weights.
7. A technical report named only in a denied list item is documented, not released, with the denial as evidence.

The folders are written here (an invented "pub-1b" release); each right form fails on the code before.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pytest
from model_folders import CARD_SECTIONS
from safetensors.numpy import save_file

from openscope.cli import main
from openscope.derive.openness.assessment import Assessment, assess_record
from openscope.derive.openness.evaluations.mof import evaluate_components
from openscope.derive.openness.probes import run_all
from openscope.derive.openness.probes.weights_released import declared_base_ids, own_model_link
from openscope.derive.openness.records import from_folder, from_text

CARD = """---
license: apache-2.0
---
# pub-1b

**Paper:** [pub-1b: a small open model](https://arxiv.org/abs/2501.01234)

pub-1b is a decoder-only transformer language model.
""" + CARD_SECTIONS + """
See the [datasheet](DATASHEET.md) of the training data and the [technical report](technical_report.md).
"""

FILES = {
    "DATASHEET.md": "# Datasheet: pub-1b training data\n\n## Sources\nPublic web pages crawled in 2025.\n\n"
                    "## Composition\n12B tokens of English text.\n\n## Collection and filtering\nLanguage "
                    "identification, deduplication, quality filtering.\n\n## Known issues\nContains biased text.\n",
    "config.json": json.dumps({"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "num_hidden_layers": 2,
                               "model_type": "llama"}),
    "eval.py": "# evaluate pub-1b on MMLU\n",
    "inference.py": "from transformers import AutoModelForCausalLM\n",
    "preprocess.py": "# clean, filter, deduplicate, tokenise\n",
    "technical_report.md": "# pub-1b technical report\n\nCapabilities: text completion. Usage: load with "
                           "transformers.\n",
    "train.py": "import torch\n# train pub-1b\n",
    "paper.pdf": "%PDF-1.4 pub-1b paper\n",
    "eval_data/mmlu_subset.jsonl": '{"q": "2+2", "a": "4"}\n',
}


def _release(root: Path, card: str = CARD, files: dict[str, str] | None = None, *, full: bool = True) -> Path:
    """A release folder: the card, weights (and an intermediate checkpoint) and, with ``full``, every other
    component MOF Class I asks for but the Datasets; ``files`` adds or replaces files (path: text)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "README.md").write_text(card, "utf-8")
    save_file({"w": np.zeros((4, 4), dtype=np.float32)}, str(root / "model.safetensors"))
    chosen = dict(FILES) if full else {"config.json": FILES["config.json"]}
    if full:
        (root / "checkpoint-1000").mkdir(exist_ok=True)
        (root / "checkpoint-1000" / "model.safetensors").write_bytes((root / "model.safetensors").read_bytes())
    chosen.update(files or {})
    for path, text in chosen.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, "utf-8")
    return root


def _assess(folder: Path) -> Assessment:
    return assess_record(from_folder(folder))


def _run(*args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


# -- 1. training data shipped in the folder ------------------------------------------------------------------------

def test_a_shipped_train_file_releases_the_datasets_under_the_repository_licence(tmp_path: Path) -> None:
    a = _assess(_release(tmp_path / "r7", files={"data/train.jsonl": '{"text": "hello"}\n'}))
    fact = a.components["Datasets"]
    assert fact.status == "open_license" and (fact.license or "").lower() == "apache-2.0"
    assert "data/train.jsonl" in json.dumps([e.as_json() for e in fact.evidence])
    assert a.mof.cls == 1 and not any("Datasets" in s for s in a.mof.next_steps)


def test_the_cli_walk_of_the_tryout_folder_reaches_class_one(tmp_path: Path) -> None:
    folder = _release(tmp_path / "r7", files={"data/train.jsonl": '{"text": "hello"}\n'})
    code, out, err = _run("--db", tmp_path / "none.duckdb", "--json", "assess", folder)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["mof"]["class"] == 1 and doc["components"]["Datasets"]["status"] == "open_license"
    assert not any("release Datasets" in s for s in doc["next_steps"]["mof"])


def test_a_data_folder_the_card_calls_training_data_is_released(tmp_path: Path) -> None:
    card = CARD.replace("Trained on a web text corpus for 2 epochs with AdamW.",
                        "Trained on a web text corpus for 2 epochs with AdamW. The training corpus ships in "
                        "[corpus/](corpus/).")
    a = _assess(_release(tmp_path / "c", card, {"corpus/web-2025.jsonl": '{"text": "hello"}\n'}))
    assert a.components["Datasets"].status == "open_license"
    assert "corpus/web-2025.jsonl" in a.components["Datasets"].evidence[0].snippet


def test_a_data_folder_the_card_does_not_call_training_data_is_not_credited(tmp_path: Path) -> None:
    a = _assess(_release(tmp_path / "c", files={"corpus/web-2025.jsonl": '{"text": "hello"}\n',
                                                 "train_results.json": "{}", "trainer_state.json": "{}",
                                                 "training_args.json": "{}", "test/train.jsonl": "{}\n"}))
    assert a.components["Datasets"].status == "documented_not_released"


def test_a_data_licence_the_card_states_governs_the_shipped_file(tmp_path: Path) -> None:
    card = CARD.replace("## Intended uses", "Data License: CC-BY-NC-4.0\n\n## Intended uses")
    a = _assess(_release(tmp_path / "nc", card, {"data/train.jsonl": '{"text": "hello"}\n'}))
    fact = a.components["Datasets"]
    assert fact.status != "open_license" and "nc" in (fact.license or "").lower()
    assert a.components["Evaluation data"].license == fact.license   # shipped data read alike


# -- 2. a licence stated for a named benchmark ---------------------------------------------------------------------

BENCH_CARD = CARD.replace(
    "| MMLU | 31.0 |\n",
    "| MMLU | 31.0 |\n\n{line}\n")


def _eval_data(tmp_path: Path, line: str) -> tuple[str, str | None, list[str]]:
    folder = _release(tmp_path / "gh", BENCH_CARD.replace("{line}", line), full=False)
    fact = _assess(folder).components["Evaluation data"]
    return fact.status, fact.license, [e.snippet for e in fact.evidence]


def test_a_licence_the_card_states_for_the_named_benchmark_is_credited(tmp_path: Path) -> None:
    status, licence, snippets = _eval_data(tmp_path, "The evaluation data (MMLU) is released under the MIT license.")
    assert (status, (licence or "").lower()) == ("open_license", "mit")
    assert "The evaluation data (MMLU) is released under the MIT license." in snippets


def test_a_benchmark_named_with_its_licence_alone_is_credited(tmp_path: Path) -> None:
    status, licence, _ = _eval_data(tmp_path, "MMLU is distributed under the MIT license.")
    assert status == "open_license" and (licence or "").lower() == "mit"


def test_a_restrictive_benchmark_licence_is_read_as_stated(tmp_path: Path) -> None:
    status, licence, _ = _eval_data(tmp_path, "Our benchmark data is released under CC BY-NC 4.0.")
    assert status == "restrictive_license" and "nc" in (licence or "").lower()


def test_a_licence_stated_for_the_evaluation_code_leaves_the_benchmark_unlicensed(tmp_path: Path) -> None:
    status, licence, _ = _eval_data(tmp_path, "The evaluation code for MMLU is released under the MIT license.")
    assert status == "no_license" and licence is None


# -- 3. the step for a README too short to be a model card ---------------------------------------------------------

SHORT_CARD = "---\nlicense: apache-2.0\n---\n# pub-1b\n\npub-1b is a decoder-only transformer language model.\n\n" \
             "## Limitations\nMay produce wrong text.\n"


def _card_step(steps: list[str]) -> str:
    (step,) = [s for s in steps if "model card" in s.lower()]
    return step


def test_a_short_readme_step_says_what_it_lacks(tmp_path: Path) -> None:
    a = _assess(_release(tmp_path / "mc", SHORT_CARD, full=False))
    step = _card_step(a.mof.next_steps)
    assert "release Model card" not in step
    assert "102 characters of text (at least 200)" in step
    assert "at least 2 of intended uses, limitations and risks, training data, evaluation" in step
    assert "at least 30 characters" in step and "'Limitations' has 23" in step


def test_a_short_readme_step_names_the_topics_already_there(tmp_path: Path) -> None:
    card = SHORT_CARD.replace("May produce wrong text.", "May produce wrong or biased text; check its answers.")
    step = _card_step(_assess(_release(tmp_path / "mc", card, full=False)).mof.next_steps)
    assert "(now limitations and risks)" in step and "has 23" not in step


def test_no_readme_keeps_the_release_step(tmp_path: Path) -> None:
    folder = _release(tmp_path / "none", full=False)
    (folder / "README.md").unlink()
    assert "release Model card" in _card_step(_assess(folder).mof.next_steps)


# -- 4. a MOF record's steps ask for the licence in the record ----------------------------------------------------

RECORD = """framework:
  name: Model Openness Framework
  version: '1.0'
release:
  name: pub-1b
  version: 1b
  producer: pubco
  license:
    distribution: {name: Apache-2.0}
    code: {name: Apache-2.0}
    data: {name: CC-BY-4.0}
    document: {name: CC-BY-4.0}
  components:
    - {name: Model architecture}
    - {name: Model parameters (Final)}
    - {name: Evaluation results}
    - {name: Model card}
    - {name: Data card}
    - {name: Technical report}
    - {name: Training code}
    - {name: Inference code}
    - {name: Evaluation code}
    - {name: Evaluation data}
    - {name: Data preprocessing code}
    - {name: Supporting libraries and tools}
    - {name: Datasets}
    - {name: Model parameters (Intermediate)}
    - {name: Research paper, license: unlicensed}
"""


def test_a_record_step_asks_for_a_licence_in_the_record(tmp_path: Path) -> None:
    path = tmp_path / "rec3.yml"
    path.write_text(RECORD, "utf-8")
    code, out, err = _run("--db", tmp_path / "none.duckdb", "--json", "assess", "--mof-record", path)
    assert code == 0, err
    (step,) = json.loads(out)["next_steps"]
    assert "state an open document licence for Research paper in the record" in step
    assert "`license:` on its entry in release.components" in step
    assert "repository" not in step


def test_a_folder_step_for_an_unlicensed_component_still_names_the_repository(tmp_path: Path) -> None:
    res = evaluate_components({"Model architecture": "", "Model parameters (Final)": "Apache-2.0"})
    assert any("shipping it in the repository" in s for s in res.next_steps)


# -- 5. a snippet stops at its paragraph -------------------------------------------------------------------------

def test_evaluation_snippets_stop_at_their_paragraph(tmp_path: Path) -> None:
    card = CARD.replace("## Evaluation\n", "## Evaluation\nWe evaluated with lm-evaluation-harness.\n\n"
                                           "| benchmark | score |\n|---|---|\n| HellaSwag | 40.0 |\n\n")
    a = _assess(_release(tmp_path / "p", card, full=False))
    for name, first in (("Evaluation code", "lm-evaluation-harness."), ("Evaluation data", "| HellaSwag | 40.0 |")):
        ev = a.components[name].evidence[0]
        assert ev.snippet.endswith(first), (name, ev.snippet)
        assert "-L" not in ev.locator.rsplit("#", 1)[1], (name, ev.locator)   # one line: its own paragraph


def test_a_mention_in_a_heading_quotes_the_paragraph_under_it() -> None:
    rec = from_text("pubco/lynx", "# Lynx\n\nLynx answers questions.\n\n## Example outputs\n\nAsked for a haiku, "
                                  "it writes three lines.\n\n## Limitations\n\nMay produce wrong text.\n")
    (f,) = [x for x in run_all(rec) if x.probe == "sample_outputs"]
    assert f.evidence[0].snippet.startswith("## Example outputs Asked for a haiku")
    assert "Limitations" not in f.evidence[0].snippet


# -- 6. a declared base pasted as an address ---------------------------------------------------------------------

BASE_CARD = """---
base_model: {base}
---
# Lynx

Lynx answers questions. Download: [acme/base-7b](https://huggingface.co/acme/base-7b).
"""


@pytest.mark.parametrize("base", ["acme/base-7b", "hf.co/acme/base-7b", "https://huggingface.co/acme/base-7b/tree/main",
                                  "huggingface.co/Acme/Base-7B?x=1"])
def test_a_declared_base_written_as_an_address_is_its_id(base: str) -> None:
    rec = from_text("pubco/lynx", BASE_CARD.replace("{base}", base))
    assert declared_base_ids(rec) == {"acme/base-7b"}
    assert own_model_link(rec) is None     # the base's weights, not this release's


def test_a_dataset_address_declared_as_base_names_no_base() -> None:
    rec = from_text("pubco/lynx", BASE_CARD.replace("{base}", "https://huggingface.co/datasets/acme/corpus"))
    assert declared_base_ids(rec) == set()


# -- 7. a technical report named only in a denied item ----------------------------------------------------------

@pytest.mark.parametrize(("lead", "denial"), [
    ("## Not released\n\n", "## Not released"),
    ("The following are not released:\n\n", "The following are not released:"),
])
def test_a_report_named_only_in_a_denied_item_is_documented_not_released(lead: str, denial: str) -> None:
    rec = from_text("pubco/lynx", f"# Lynx\n\nLynx answers questions.\n\n{lead}"
                                  "- technical report: [Report](https://arxiv.org/abs/2401.00001)\n")
    (f,) = [x for x in run_all(rec) if x.probe == "technical_report"]
    assert (f.status, f.outcome) == ("documented_not_released", "negative")
    assert f.evidence[0].snippet.startswith("- technical report") and f.evidence[-1].snippet == denial


def test_a_report_under_a_heading_denying_something_else_stays_released() -> None:
    rec = from_text("pubco/lynx", "# Lynx\n\nLynx answers questions.\n\n## Training data (not released)\n\n"
                                  "- technical report: [Report](https://arxiv.org/abs/2401.00001)\n")
    (f,) = [x for x in run_all(rec) if x.probe == "technical_report"]
    assert f.status == "no_license"


# -- 7. `license ID` loads the licence probe, not every probe -----------------------------------------------------

def test_the_card_licence_path_imports_only_what_it_needs() -> None:
    import subprocess
    import sys

    code = ("import sys, openscope.derive.licenses.card, openscope.derive.openness.flags, "
            "openscope.derive.openness.probes.license_declared; "
            "print(','.join(sorted(m for m in sys.modules if m.startswith('openscope.derive.openness.') and "
            "m.rsplit('.', 1)[-1] in ('assessment', 'sql', 'weights_released', 'datasets_released', "
            "'technical_report', 'model_card', 'inheritance'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_the_package_still_gives_its_grading_names() -> None:
    import openscope.derive.openness as pkg
    from openscope.derive.openness.assessment import assess_record as real

    assert pkg.assess_record is real and callable(pkg.refresh_metadata) and pkg.curated.entries()
    with pytest.raises(AttributeError):
        _ = pkg.no_such_name
