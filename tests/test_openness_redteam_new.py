"""Red team of the openness rules added for licence files, merges, plain dataset ids, checkpoints and pasted cards.

Hostile input must cost bounded time (each test under ``pytest-timeout``, never timed inside), a hostile folder
must give exit 0 with one-line warnings and no traceback, and the new rules must read realistic cards the way a
careful human reader would (each card here written for the test).
"""

from __future__ import annotations

import codecs
import ctypes
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_folders import model_folder

from openscope.derive.openness import openness_rows, refresh
from openscope.derive.openness.assessment import assess_record
from openscope.derive.openness.declared_base import pasted_base
from openscope.derive.openness.license_files import identify, is_license_file, read_folder
from openscope.derive.openness.probes import run_all
from openscope.derive.openness.probes.datasets_released import (
    plain_dataset_id,
    training_command_dataset,
    training_config_dataset,
)
from openscope.derive.openness.probes.weights_released import merged_model_ids
from openscope.derive.openness.records import from_folder, from_store, from_text, read_card
from openscope.jobs.ingest import ingest_file
from openscope.store import open_store

MIT = """MIT License

Copyright (c) 2025 Acme Research

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, including without limitation
the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
permit persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of
the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE
WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""
README = "---\nlicense: mit\n---\n# Acme Chat 7B\n\nAcme Chat is a chat model by Acme Research, released with its weights.\n"
HEAD = "---\nlicense: apache-2.0\n---\n# Acme Chat 7B\n\nAcme Chat is a chat model by Acme Research.\n\n"
RUNS = [" ", "-", "[", "*", "- ", "1. ", "训练数据", "#", "\t", "`", "/", "a/", "(c) "]


def _folder(root: Path, files: dict[str, str | bytes], readme: str = README) -> Path:
    return model_folder(root, files, readme)


def _licence_files(root: Path) -> dict[str, dict]:
    rec = from_folder(root)
    return {f.path: f.as_json() for f in rec.cache["license_files"]}


def _one_line_warnings(stderr: str) -> list[str]:
    lines = stderr.splitlines()
    assert "Traceback" not in stderr
    assert all(ln.startswith("openscope: ") for ln in lines), lines   # every message is one line of its own
    assert "\x1b" not in stderr
    return lines


# -- 1. bounded time on hostile lines -------------------------------------------------------------------------


def _hostile_cards(run: str, n: int) -> list[str]:
    r = run * (n // len(run))
    return [
        r, "trained on " + r + "x", "fine-tuned" + r + "on a/b", "a merge of the following models:\n" + r + "\n- a/b" + r,
        "## Training data\n\n- `a/b`" + r + " a/b dataset " + r, "# Original model card" + r + "\n" + r,
        "```yaml\nmerge_method: x\nmodels:\n  - model: " + r + "\n  - model: a/" + r + "\n```\n",
        "```yaml\nbase_model: a/b\ndatasets:\n  - path: a/" + r + "x\n```\n", "--data " + r + " --dataset_name a/" + r,
    ]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("run", RUNS)
def test_card_rules_take_bounded_time_on_long_runs(run: str) -> None:
    for text in _hostile_cards(run, 200_000):
        rec = from_text("acme/x", HEAD + text)
        assess_record(rec, use_curated=False)
        merged_model_ids(rec), plain_dataset_id(rec), training_config_dataset(rec), training_command_dataset(rec)


@pytest.mark.timeout(60)
def test_card_rules_take_bounded_time_on_many_short_lines() -> None:
    cards = ["## Training data\n" + "- a/b\n" * 100_000, "a merge of the following models:\n" + "- a/b\n" * 100_000,
             "a merge of the following models:\n- x/y\n" * 40_000, "# Original model card\n" * 50_000,
             "trained on `a/b` " * 40_000, "## Training data\n\n" + "`a/b` " * 60_000,
             "```yaml\nmerge_method: ties\nmodels:\n" + "".join(f"  - model: org/m{i}\n" for i in range(20_000)) + "```\n"]
    for text in cards:
        assess_record(from_text("acme/x", text), use_curated=False)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("run", RUNS + ["\n", "x", "Copyright "])
def test_licence_identification_takes_bounded_time(run: str) -> None:
    r = run * (1_000_000 // len(run))
    for text in (r, r + "Apache License\n", "# " + r + "x\n", MIT + r + "z", r + "z\n" + MIT,
                 "this " + r + " is licensed under the Apache License, Version 2.0\n", MIT + "Copyright" + r,
                 "SPDX-License-Identifier: " + r, (run[:1] * 399 + "\n") * 2500,
                 MIT.replace("following conditions", "following " + r + " conditions")):
        identify(text)


@pytest.mark.timeout(60)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["trained on ", "a/b", "`", " ", "-", "[", "](", ")", "*", "\n", "merge", "following",
                                 "models:", "- ", "model: ", "datasets:", "path: ", "Original model card", "# ", "---",
                                 "dataset", "not ", "MIT License", "Permission is hereby granted", "训练"]),
                max_size=400), st.integers(1, 300))
def test_rules_are_bounded_on_generated_cards(parts: list[str], repeat: int) -> None:
    text = "".join(parts) * repeat
    assess_record(from_text("acme/x", text), use_curated=False)
    identify(text)


# -- 2. hostile folders: exit 0, one-line warnings, no traceback -----------------------------------------------


def _hostile_folders(base: Path) -> dict[str, Path]:
    out: dict[str, Path] = {}
    out["huge"] = _folder(base / "huge", {"LICENSE": "MIT License\n" + "x" * 3_000_000})
    out["empty"] = _folder(base / "empty", {"LICENSE": ""})
    out["nul"] = _folder(base / "nul", {"LICENSE": b"\0" * 100_000})
    out["utf16"] = _folder(base / "utf16", {"LICENSE": codecs.BOM_UTF16_LE + MIT.encode("utf-16-le")})
    out["latin1"] = _folder(base / "latin1", {"LICENSE": MIT.replace("Acme", "Acme Société").encode("latin-1")})
    out["dir"] = _folder(base / "dir", {"LICENSE/README.txt": "not a licence"})
    out["dangling"] = _folder(base / "dangling", {})
    (out["dangling"] / "LICENSE").symlink_to(base / "nowhere" / "LICENSE")
    out["loop"] = _folder(base / "loop", {})
    (out["loop"] / "LICENSE-A").symlink_to("LICENSE-B")
    (out["loop"] / "LICENSE-B").symlink_to("LICENSE-A")
    out["names"] = _folder(base / "names", {"LICENSES/MIT\nopenscope: warning: forged.txt": "x",
                                            "LICENSES/\x1b[31mRED\x1b[0m.txt": MIT, "LICENSES/..txt": "y"})
    out["dirloop"] = _folder(base / "dirloop", {})
    (out["dirloop"] / "LICENSES").symlink_to(".")
    return out


@pytest.mark.timeout(60)
def test_hostile_licence_files_give_warnings_never_a_traceback(tmp_path: Path, run_openscope) -> None:
    folders = _hostile_folders(tmp_path)
    expect = {"huge": "larger than", "empty": "not recognised", "nul": "not text (binary)", "utf16": "read as UTF-16",
              "latin1": "read as Latin-1", "dir": "not a regular file", "dangling": "not read",
              "loop": "Too many levels of symbolic links", "names": "not recognised"}
    for name, root in folders.items():
        r = run_openscope("--db", tmp_path / "none.duckdb", "assess", root)
        assert r.code == 0, (name, r.stderr)
        lines = _one_line_warnings(r.stderr)
        assert "\x1b" not in r.stdout, name    # a name's escape sequence is shown escaped, never sent to the terminal
        if name in expect:
            assert any(expect[name] in ln for ln in lines), (name, lines)
    # what was read from the decodable ones: the text is MIT whatever its encoding
    assert _licence_files(folders["utf16"])["LICENSE"]["license"] == "mit"
    assert _licence_files(folders["latin1"])["LICENSE"]["license"] == "mit"
    names = _licence_files(folders["names"])
    assert names["LICENSES/\x1b[31mRED\x1b[0m.txt"]["license"] == "mit"   # the JSON keeps the name as it is
    r = run_openscope("--db", tmp_path / "none.duckdb", "assess", folders["names"])
    assert "forged" in r.stderr and not any(ln.startswith("openscope: warning: forged") for ln in r.stderr.splitlines())
    assert "\\x1b[31mRED" in r.stdout      # the text output shows the escape, escaped
    assert "LICENSES/MIT\\nopenscope: warning: forged.txt" in r.stdout.replace("\n", "")


@pytest.mark.timeout(60)
def test_ten_thousand_licence_files_read_the_scoped_ones_first(tmp_path: Path, cli) -> None:
    root = _folder(tmp_path / "many", {"LICENSE-MODEL": MIT})
    for i in range(10_000):
        (root / f"LICENSE-{i}").write_text("see the other file\n")
    files = _licence_files(root)
    assert len(files) == 20 and files["LICENSE-MODEL"]["license"] == "mit"
    r = cli("--db", tmp_path / "none.duckdb", "assess", root, "--json")
    assert r.code == 0 and "10001 licence files; the first 20 were read" in r.stderr
    assert len(r.stderr.splitlines()) <= 22


def _without_root_file_access() -> None:
    """In the child, before it runs openscope: drop the capabilities by which root reads any file
    (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) from the bounding set, so the program it runs reads as a user does."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):
        if libc.prctl(24, cap, 0, 0, 0) != 0:   # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


@pytest.mark.timeout(60)
def test_an_unreadable_licence_file_is_a_warning(tmp_path: Path) -> None:
    """chmod 000: root reads it anyway, so as root the command runs without root's file-access capabilities
    (what a user without the right sees); as anyone else the file is unreadable as it is."""
    root = _folder(tmp_path / "perm", {"LICENSE": MIT})
    os.chmod(root / "LICENSE", 0)
    try:
        exe = [sys.executable, "-m", "openscope", "--db", str(tmp_path / "none.duckdb"), "assess", str(root), "--json"]
        drop = _without_root_file_access if os.geteuid() == 0 else None
        r = subprocess.run(exe, capture_output=True, text=True, timeout=50, preexec_fn=drop)  # noqa: PLW1509
        assert r.returncode == 0, r.stderr
        lines = _one_line_warnings(r.stderr)
        assert any("cannot read licence file LICENSE: Permission denied" in ln for ln in lines), lines
        doc = json.loads(r.stdout)
        lic = next(p for p in doc["probes"] if p["probe"] == "license_declared")
        assert lic["detail"]["files"][0]["read"] is False and lic["detail"]["files"][0]["license"] is None
    finally:
        os.chmod(root / "LICENSE", 0o644)


@pytest.mark.timeout(30)
def test_a_dangling_link_or_a_folder_named_license_is_reported(tmp_path: Path) -> None:
    root = _folder(tmp_path / "d", {"LICENSE-MODEL/x.txt": MIT})
    (root / "LICENSE").symlink_to(root / "gone")
    files = _licence_files(root)
    assert set(files) == {"LICENSE", "LICENSE-MODEL"}
    assert not any(f["read"] for f in files.values())
    assert files["LICENSE-MODEL"]["covers"] == ["weights"]


# -- pasted cards ---------------------------------------------------------------------------------------------

OWN = "---\nlicense: apache-2.0\nbase_model: acme/base-7b\n---\n# Acme Base 7B GGUF\n\nQuantized files of Acme Base 7B.\n\n"
BASE_TEXT = "# Acme Base 7B\n\nAcme Base was pretrained on 2T tokens of the acme/web-corpus dataset, all released.\n"


@pytest.mark.timeout(30)
def test_pasted_cards_that_are_empty_nested_repeated_or_hostile() -> None:
    assert pasted_base(from_text("q/x", OWN + "# Original model card\n")) is None                # nothing pasted
    assert pasted_base(from_text("q/x", OWN + "# Original model card\n\n---\nlicense: mit\n---\n")) is None
    # a heading inside a fenced block is a comment of a script, not a pasted card
    code = OWN + "```python\n# Original model card\nprint('hello world, this is a long enough script line')\n```\n"
    assert read_card(code).pasted is None and pasted_base(from_text("q/x", code)) is None
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(9)) + \
        "license: *j\ntags: *j\ndatasets: *j\n---\n"
    for front in (bomb, "---\nlicense: !!python/object/apply:os.system ['echo pwned']\n---\n",
                  "---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n"):
        rec = from_text("q/x", OWN + "# Original model card: acme/base-7b\n" + front + BASE_TEXT)
        p = pasted_base(rec)
        assert p is not None and p.name == "acme/base-7b" and p.record.license is None
        doc = assess_record(rec, use_curated=False).as_json()
        assert len(json.dumps(doc, default=str)) < 2_000_000    # an alias bomb is never expanded into the output
    repeated = OWN + ("# Original model card: acme/base-7b\n\n" + BASE_TEXT) * 200
    assert pasted_base(from_text("q/x", repeated)) is not None


@pytest.mark.timeout(30)
def test_a_pasted_card_that_is_itself_a_reupload_reads_the_innermost_card() -> None:
    """A quantization of a re-upload pastes the re-upload's card, which pastes the original's: the original's own
    card is the base's side; the intermediate's words about its quantized files are not the base's."""
    middle = "# Original model card: mid/acme-base-7b-hf\n\n# Acme Base 7B (HF format)\n\nConverted to HF format " \
             "by mid. No training was done.\n\n"
    text = OWN + middle + "## Original model card: acme/base-7b\n\n" + BASE_TEXT
    p = pasted_base(from_text("q/x", text))
    assert p is not None
    lines = text.split("\n")
    assert lines[p.lines[0] - 1].startswith("## Original model card: acme/base-7b")
    assert "Converted to HF format" not in p.record.card.body and "2T tokens" in p.record.card.body
    # nesting without end stops after a few levels, in bounded time
    deep = OWN + "".join(f"# Original model card: m/{i}\n\nThe card of model number {i}, long enough to read.\n\n"
                         for i in range(5_000))
    assert pasted_base(from_text("q/x", deep)) is not None


# -- 3. wrong evidence ------------------------------------------------------------------------------------------


def _datasets(text: str) -> tuple[str, list[str]]:
    f = {f.probe: f for f in run_all(from_text("acme/chat", HEAD + text))}["datasets_released"]
    return f.outcome, [e.snippet for e in f.evidence]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("text", [
    "## Training\n\nIt was trained on the same data as meta-llama/Llama-2-7b, following its recipe.\n",
    "It was fine-tuned on top of mistralai/Mistral-7B-v0.1 with LoRA.\n",
    "The model was not trained on HuggingFaceH4/ultrachat_200k.\n",
    "## Training data\n\nWe trained on our own crawl. We do NOT use `HuggingFaceH4/ultrachat_200k`.\n",
    "## Datasets\n\ndatasets: see acme-org/chat-eval for the evaluation\n",
    "It was fine-tuned on acme%2Forg/chat-mix.\n",
    "It was fine-tuned on \u0430cme-org/chat-mix.\n",              # a Cyrillic "а": no Hub id
    "It was fine-tuned on acme-org/ch\u0430t-mix.\n",
    "It performs better than acme-org/chat-base, trained on our data.\n",
])
def test_names_that_are_not_training_data_are_not_datasets(text: str) -> None:
    outcome, ev = _datasets(text)
    assert outcome == "negative", ev


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("text", "named"), [
    ("Trained on acme-org/chat-mix; evaluated on acme-org/chat-eval.\n", "acme-org/chat-mix"),
    ("It was fine-tuned on data such as acme-org/chat-mix.\n", "acme-org/chat-mix"),
    ("## Training data\n\n- acme-org/chat-mix\n", "acme-org/chat-mix"),
])
def test_plain_training_data_ids_are_still_datasets(text: str, named: str) -> None:
    outcome, ev = _datasets(text)
    assert outcome == "positive" and named in ev[0], ev


@pytest.mark.timeout(30)
def test_a_merge_card_with_models_merged_and_slices_names_its_bases() -> None:
    card = HEAD + (
        "## Merge Details\n### Merge Method\n\nThis model was merged using the SLERP merge method.\n\n"
        "### Models Merged\n\nThe following models were included in the merge:\n"
        "* [org-a/Model-A](https://huggingface.co/org-a/Model-A)\n* org-b/Model-B\n\n### Configuration\n\n"
        "```yaml\nslices:\n  - sources:\n      - model: org-a/Model-A\n        layer_range: [0, 32]\n"
        "      - model: org-c/Model-C\n        layer_range: [0, 32]\nmerge_method: slerp\nbase_model: org-a/Model-A\n```\n")
    rec = from_text("acme/merge", card)
    assert merged_model_ids(rec) == {"org-a/model-a", "org-b/model-b", "org-c/model-c"}
    weights = {f.probe: f for f in run_all(rec)}["weights_released"]
    assert not any("huggingface.co/org-" in e.locator for e in weights.evidence)   # the bases' weights, not its own


NOTICE = ("\n---\n\nThis product includes software developed at The Apache Software Foundation "
          "(http://www.apache.org/).\n\nLicensed under the Apache License, Version 2.0 (the \"License\"); you may not "
          "use this file except in compliance with the License.\n")


@pytest.mark.timeout(30)
def test_licence_file_texts_a_careful_reader_reads_so() -> None:
    # an Apache NOTICE or a bundled component's Apache text after MIT: MIT with notices, not a modified MIT
    assert identify(MIT + NOTICE).license == "mit"
    assert identify(MIT + "\nPortions of this software are derived from foo, licensed as follows:\n\n"
                    "Apache License\nVersion 2.0, January 2004\n").license == "mit"
    # an added duty stays a modification
    duty = MIT + "\nIf the Software is used in a product with more than 100 million users, you shall display \"Acme\".\n"
    assert identify(duty).license == "modified-mit"
    # a paragraph about the release's own model under another licence is a term, not a bundled part's notice
    for added in ("The model weights are licensed under CC BY-NC 4.0.", "Third-party model weights are CC BY-NC."):
        assert identify(MIT + "\n" + added + "\n").license == "modified-mit", added
    # a URL, a translation: a pointer or a text that is not the licence's legal text identifies nothing
    assert identify("https://www.apache.org/licenses/LICENSE-2.0\n").license is None
    assert identify("MIT 许可证\n\n版权所有 (c) 2025 某公司\n\n特此免费授予任何获得本软件副本的人不受限制地处理本软件的权利。\n").license is None
    assert identify("某某模型社区许可协议\n\n1. 定义\n本协议中的术语……\n").license == "other"
    assert not is_license_file("third_party/LICENSE") and not is_license_file("THIRD_PARTY_LICENSE")


@pytest.mark.timeout(30)
def test_a_third_party_licence_file_and_a_chinese_licence_md_in_a_folder(tmp_path: Path) -> None:
    root = _folder(tmp_path / "r", {"third_party/LICENSE": "GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n",
                                    "LICENSE.md": "# 模型许可协议\n\n本模型权重仅限学术研究使用，禁止商业用途。\n"})
    files, warnings = read_folder(root, ["third_party/LICENSE", "LICENSE.md"])
    assert [f.path for f in files] == ["LICENSE.md"]      # a sub-folder's licence covers that folder's content
    assert files[0].license == "other"                     # a publisher's own agreement, restrictive
    assert warnings == []


# -- 4. the set-based path and the per-model path agree with checkpoint folders and licence files ---------------

SHAPES = [["checkpoint-500/model.safetensors", "checkpoint-1000/model.safetensors"], ["step-100/pytorch_model.bin"],
          ["global_step500/mp_rank_00_model_states.pt", "model.safetensors"], ["LICENSE", "model.safetensors"],
          ["LICENSE-MODEL", "LICENSE-CODE", "x.gguf"], ["LICENSES/Apache-2.0.txt"], ["third_party/LICENSE"],
          ["LICENSE.md", "checkpoint-10/model.bin", "optimizer.pt"], ["COPYING", "final/model.safetensors"], []]


@pytest.mark.timeout(120)
def test_set_based_and_per_model_paths_agree_on_new_file_shapes(tmp_path: Path) -> None:
    rnd = random.Random(7)
    models = []
    for i in range(120):
        files = rnd.choice(SHAPES) + rnd.sample(["config.json", "train.py", "README.md"], rnd.randint(0, 2))
        e = {"id": f"org{i % 5}/m{i}", "author": f"org{i % 5}", "tags": [f"license:{rnd.choice(['mit', 'other'])}"],
             "siblings": [{"rfilename": f} for f in files]}
        if rnd.random() < 0.3:
            e["tags"].append(f"base_model:finetune:org0/m{i % 5}")
        models.append(e)
    mp = tmp_path / "m.jsonl"
    mp.write_text("\n".join(json.dumps(m) for m in models) + "\n")
    store = open_store(tmp_path / "s.duckdb")
    try:
        ingest_file(store, mp)
        refresh(store)
        for mid, in store.con.execute("SELECT id FROM models ORDER BY id").fetchall():
            rec = from_store(store, mid)
            expected = {(fw, d): (g, s) for fw, d, g, s, _ in openness_rows(assess_record(rec))}
            got = {(r[0], r[1]): (r[2], r[3]) for r in store.con.execute(
                "SELECT framework, dimension, grade, score FROM openness WHERE id = ?", [mid]).fetchall()}
            assert got == expected, (mid, [p for p, _ in rec.files])
        only_ckpt = store.scalar("SELECT count(*) FROM openness WHERE framework = 'component' AND "
                                 "dimension = 'Model parameters (Final)' AND grade = 'not_found'")
        assert only_ckpt > 0     # a folder of intermediate checkpoints alone shows no final weights, on both paths
    finally:
        store.close()


@pytest.mark.timeout(30)
def test_a_licence_file_name_that_is_not_utf8_is_read_by_its_real_name(tmp_path: Path) -> None:
    root = _folder(tmp_path / "raw", {})
    (root / "LICENSES").mkdir()
    with open(os.fsencode(root / "LICENSES") + b"/MIT-\xff.txt", "wb") as f:
        f.write(MIT.encode())
    files = _licence_files(root)
    assert files == {"LICENSES/MIT-\\xff.txt": files["LICENSES/MIT-\\xff.txt"]}
    assert files["LICENSES/MIT-\\xff.txt"]["license"] == "mit"


@pytest.mark.timeout(30)
def test_a_contradiction_flag_shows_a_hostile_file_name_on_one_line(tmp_path: Path) -> None:
    agreement = "ACME COMMUNITY LICENSE AGREEMENT\n\nYou may not use the model for commercial purposes.\n"
    root = _folder(tmp_path / "flag", {"LICENSES/Acme\nforged.txt": agreement, "LICENSE-MODEL": agreement})
    a = assess_record(from_folder(root), use_curated=False)
    details = [f["detail"] for f in a.flags if f["flag"] == "license-file-contradicts-card"]
    assert len(details) == 2 and all("\n" not in d for d in details), details
    assert any(d.startswith("LICENSES/Acme\\nforged.txt is 'other'") for d in details), details


@pytest.mark.timeout(30)
def test_a_models_merged_heading_over_its_list_names_the_bases() -> None:
    card = HEAD + "This model is a merge.\n\n### Models Merged\n\n* [org-a/Model-A](https://huggingface.co/org-a/Model-A)\n" \
                  "* org-b/Model-B\n\n## Usage\n\n- org-c/not-listed\n"
    assert merged_model_ids(from_text("acme/merge", card)) == {"org-a/model-a", "org-b/model-b"}
    # a list under another heading of a merge card names nothing
    assert merged_model_ids(from_text("acme/x", HEAD + "A merge.\n\n### Models Compared\n\n* org-b/Model-B\n")) == set()


@pytest.mark.timeout(30)
def test_a_pasted_heading_of_a_page_gives_a_name_of_a_line() -> None:
    p = pasted_base(from_text("q/x", "# GGUF\n\nFiles.\n\n# Original model card: " + "Acme " * 50_000 + "\n\n" + BASE_TEXT))
    assert p is not None and 0 < len(p.name) <= 200
