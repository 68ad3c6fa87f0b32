"""Generated repository files parse with the real format libraries; cards vary in openness."""

from __future__ import annotations

import io
import json
import pickletools
import zipfile
from pathlib import Path

import httpx
import pytest
import yaml

from openscope.simhub import content
from openscope.simhub.testing import running_simhub


@pytest.fixture(scope="module")
def hub():
    with running_simhub(models=1200, datasets=10, seed=6) as h:
        yield h


def _get(hub, rid: str, path: str) -> bytes:
    r = httpx.get(f"{hub.url}/{rid}/resolve/main/{path}", trust_env=False, timeout=30)
    assert r.status_code == 200, (rid, path)
    return r.content


def _first(hub, pred):
    for r in hub.state.eco.models.to_pylist():
        if pred(r):
            return r
    raise AssertionError("no such model in the ecosystem")


def test_safetensors_file_loads(hub):
    from safetensors.numpy import load

    r = _first(hub, lambda r: r["kind"] == "finetune")
    tensors = load(_get(hub, r["id"], "model.safetensors"))
    assert tensors["weight"].shape == (2, 2)


def test_gguf_file_reads(hub, tmp_path: Path):
    from gguf import GGUFReader

    r = _first(hub, lambda r: r["quant"] == "GGUF")
    entry = hub.state.entry("model", r["id"])[0]
    name = next(s["rfilename"] for s in entry["siblings"] if s["rfilename"].endswith(".gguf"))
    p = tmp_path / "m.gguf"
    p.write_bytes(_get(hub, r["id"], name))
    reader = GGUFReader(p)
    arch = reader.fields["general.architecture"]
    assert bytes(arch.parts[arch.data[0]]).decode() in ("llama", "qwen2")
    assert len(reader.tensors) == 0


def test_pytorch_bin_is_a_benign_zip_pickle(hub):
    r = _first(hub, lambda r: r["old"])
    data = _get(hub, r["id"], "pytorch_model.bin")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert set(z.namelist()) == {"archive/data.pkl", "archive/version"}
        pkl = z.read("archive/data.pkl")
    globals_ = [arg for op, arg, _ in pickletools.genops(pkl) if op.name in ("GLOBAL", "STACK_GLOBAL")]
    assert globals_ == ["collections OrderedDict"]


def test_adapter_config_names_the_base(hub):
    r = _first(hub, lambda r: r["kind"] == "adapter" and r["decl"] == 0)
    cfg = json.loads(_get(hub, r["id"], "adapter_config.json"))
    assert cfg["base_model_name_or_path"] == r["parent"] and cfg["peft_type"] == "LORA"


def test_cards_front_matter_equals_card_data_and_openness_varies(hub):
    levels: dict[int, str] = {}
    for r in hub.state.eco.models.to_pylist()[:400]:
        if r["openness"] not in levels:
            levels[r["openness"]] = r["id"]
    assert set(levels) == {0, 1, 2, 3}
    texts = {k: _get(hub, v, "README.md").decode() for k, v in levels.items()}
    for lvl, text in texts.items():
        entry = hub.state.entry("model", levels[lvl])[0]
        if text.startswith("---\n"):
            front = yaml.safe_load(text.split("---\n")[1])
            assert front == entry["cardData"]
        assert ("## Training data" in text) == (lvl >= 2)
        assert ("## Evaluation" in text) == (lvl >= 3)
    assert "github.com" in texts[3] and "github.com" not in texts[0]
    assert len(texts[3]) > len(texts[0])


def test_content_is_deterministic_from_seed_and_id():
    entry = {"id": "a/b", "author": "a", "tags": ["base_model:finetune:x/y"], "cardData": {"license": "mit"},
             "siblings": [{"rfilename": n} for n in ("README.md", "model.safetensors", "config.json")]}
    for path in ("README.md", "model.safetensors", "config.json"):
        assert content.file_bytes(1, entry, 3, path) == content.file_bytes(1, entry, 3, path)
    assert content.file_bytes(1, entry, 3, "model.safetensors") != content.file_bytes(2, entry, 3, "model.safetensors")
    assert content.file_bytes(1, entry, 3, "missing.txt") is None


def test_dataset_files_and_tree(hub, tmp_path: Path):
    import pyarrow.parquet as pq

    did = hub.ids("datasets")[0]
    tree = httpx.get(f"{hub.url}/api/datasets/{did}/tree/main", trust_env=False).json()
    assert any(t["type"] == "directory" and t["path"] == "data" for t in tree)
    assert not any(t["path"].startswith("data/") for t in tree)  # not recursive: the folder only
    rec = httpx.get(f"{hub.url}/api/datasets/{did}/tree/main", params={"recursive": "true"}, trust_env=False).json()
    parquet = next(t for t in rec if t["path"].endswith(".parquet"))
    r = httpx.get(f"{hub.url}/datasets/{did}/resolve/main/{parquet['path']}", trust_env=False)
    assert r.status_code == 200 and len(r.content) == parquet["size"]
    (tmp_path / "t.parquet").write_bytes(r.content)
    assert pq.read_table(tmp_path / "t.parquet").num_rows == 3
    card = httpx.get(f"{hub.url}/datasets/{did}/resolve/main/README.md", trust_env=False).text
    assert card.startswith("---\n") and "Synthetic dataset" in card


def test_licence_files_carry_the_spdx_id_where_the_licence_has_one(hub):
    """A LICENSE names its SPDX licence in the REUSE form, so a downloaded folder's licence file is read as
    that licence; a licence of the publisher's own (llama3.1) has no SPDX id and is known by its title line."""
    from openscope.derive.openness.license_files import identify

    seen: dict[str, str | None] = {}
    for r in hub.state.eco.models.to_pylist():
        entry = hub.state.entry("model", r["id"])[0]
        lic = (entry.get("cardData") or {}).get("license")
        if lic in ("apache-2.0", "mit", "llama3.1") and lic not in seen and \
                any(s["rfilename"] == "LICENSE" for s in entry.get("siblings", [])):
            seen[lic] = identify(_get(hub, r["id"], "LICENSE").decode()).license
    assert seen == {"apache-2.0": "apache-2.0", "mit": "mit", "llama3.1": "llama3.1"}
