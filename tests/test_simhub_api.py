"""The simulated Hub's single-repo routes, shapes against the real responses, and huggingface_hub."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from openscope.simhub.testing import running_simhub

QWEN = "Qwen/Qwen2.5-7B-Instruct"


@pytest.fixture(scope="module")
def hub():
    with running_simhub(models=1500, datasets=40, seed=2) as h:
        yield h


@pytest.fixture
def client(hub):
    with httpx.Client(base_url=hub.url, timeout=30, trust_env=False) as c:
        yield c


def _types(v) -> set[type]:
    return {bool} if isinstance(v, bool) else {type(v)}


@pytest.mark.reference
def test_single_and_list_shapes_match_the_real_responses(shared_data: Path, client):
    real = [json.loads(p.read_text()) for p in sorted((shared_data / "hub-api").glob("*.model_info.json"))]
    assert len(real) == 4
    common = set.intersection(*(set(r) for r in real))
    real_types: dict[str, set[type]] = {}
    for r in real:
        for k, v in r.items():
            real_types.setdefault(k, set()).update(_types(v))
    # nullable fields: a real null means "may be null", so accept null or the shape seen elsewhere
    ours = client.get(f"/api/models/{QWEN}").json()
    assert common <= set(ours), common - set(ours)
    for k in set(ours) & set(real_types):
        assert _types(ours[k]) <= real_types[k] | ({type(None)} if type(None) in real_types[k] else set()), k
    # nested shapes: siblings, cardData, safetensors
    assert all(set(s) == {"rfilename"} for s in ours["siblings"])
    assert set(ours["safetensors"]) == {"parameters", "total"}
    # list entries (full=true): every key either appears in the real responses with the same type, or is a
    # documented list-route field (downloadsAllTime, trendingScore, gguf)
    listed = client.get("/api/models", params={"full": "true", "limit": 300}).json()
    list_only = {"downloadsAllTime": {int}, "trendingScore": {int}, "gguf": {dict}}
    for e in listed:
        for k, v in e.items():
            allowed = real_types.get(k, set()) | list_only.get(k, set())
            if k == "gated":
                allowed |= {str}  # "auto" / "manual" on gated repos (the Hub's documented values)
            assert _types(v) <= allowed, (k, v)
    assert {"_id", "id", "author", "createdAt", "lastModified", "downloads", "likes", "tags", "siblings",
            "sha", "private"} <= set.intersection(*(set(e) for e in listed))


def test_model_info_expand_base_models_and_children(hub, client):
    gen = hub.state.eco.models.to_pylist()
    child = next(r for r in gen if r["kind"] == "quantized" and r["parent"] == QWEN and r["decl"] == 0)
    info = client.get(f"/api/models/{child['id']}", params={"expand": ["baseModels", "author"]}).json()
    assert set(info) == {"_id", "id", "baseModels", "author"}
    assert info["baseModels"]["relation"] == "quantized"
    assert [m["id"] for m in info["baseModels"]["models"]] == [QWEN]
    n = client.get(f"/api/models/{QWEN}", params={"expand": "childrenModelCount"}).json()["childrenModelCount"]
    tagged = sum(1 for r in hub.state.eco.models.to_pylist() if r["parent"] == QWEN and r["decl"] != 1)
    assert n == tagged > 0
    assert client.get(f"/api/models/{QWEN}", params={"expand": "bogus"}).status_code == 400
    r = client.get("/api/models/nobody/nothing")
    assert r.status_code == 404 and r.headers["x-error-code"] == "RepoNotFound"


def test_tree_lists_files_with_sizes_and_lfs(client):
    tree = client.get(f"/api/models/{QWEN}/tree/main").json()
    info = client.get(f"/api/models/{QWEN}").json()
    assert [t["path"] for t in tree] == [s["rfilename"] for s in info["siblings"]]
    for t in tree:
        assert t["type"] == "file" and t["size"] > 0 and len(t["oid"]) == 40
        body = client.get(f"/{QWEN}/resolve/main/{t['path']}").content
        assert len(body) == t["size"]
        assert ("lfs" in t) == t["path"].endswith((".safetensors", ".gguf", ".bin"))
    assert client.get(f"/api/models/{QWEN}/tree/nope").status_code == 404
    r = client.get(f"/api/models/{QWEN}/tree/{info['sha']}")
    assert r.status_code == 200


def test_resolve_headers_range_and_head(client):
    sha = client.get(f"/api/models/{QWEN}").json()["sha"]
    full = client.get(f"/{QWEN}/resolve/main/model.safetensors")
    assert full.status_code == 200
    assert full.headers["x-repo-commit"] == sha and full.headers["etag"].startswith('"')
    assert int(full.headers["content-length"]) == len(full.content)
    assert full.headers["x-linked-size"] == str(len(full.content))
    head = client.head(f"/{QWEN}/resolve/main/model.safetensors")
    assert head.status_code == 200 and head.headers["content-length"] == str(len(full.content))
    assert head.headers["etag"] == full.headers["etag"] and head.content == b""
    part = client.get(f"/{QWEN}/resolve/main/model.safetensors", headers={"Range": "bytes=0-7"})
    assert part.status_code == 206 and part.content == full.content[:8]
    assert part.headers["content-range"] == f"bytes 0-7/{len(full.content)}"
    tail = client.get(f"/{QWEN}/resolve/main/model.safetensors", headers={"Range": "bytes=-5"})
    assert tail.status_code == 206 and tail.content == full.content[-5:]
    assert client.get(f"/{QWEN}/resolve/main/model.safetensors", headers={"Range": "bytes=999999-"}).status_code == 416
    missing = client.get(f"/{QWEN}/resolve/main/no-such-file.bin")
    assert missing.status_code == 404 and missing.headers["x-error-code"] == "EntryNotFound"
    assert client.get(f"/{QWEN}/resolve/v9/README.md").headers["x-error-code"] == "RevisionNotFound"


def test_huggingface_hub_lists_reads_and_downloads(hub, tmp_path: Path):
    from huggingface_hub import HfApi, hf_hub_download
    from huggingface_hub.errors import RepositoryNotFoundError

    api = HfApi(endpoint=hub.url, token=False)
    listed = list(api.list_models(limit=250, full=True))
    assert len(listed) == 250 and len({m.id for m in listed}) == 250
    everything = [m.id for m in api.list_models(author="Qwen")]
    assert QWEN in everything
    quant = {m.id for m in api.list_models(filter=f"base_model:quantized:{QWEN}")}
    assert quant and all(hub.state.entry("model", q)[0]["tags"].count(f"base_model:quantized:{QWEN}") for q in quant)
    info = api.model_info(QWEN, files_metadata=True)
    assert info.id == QWEN and info.safetensors.total > 0
    sizes = {s.rfilename: s.size for s in info.siblings}
    path = hf_hub_download(QWEN, "model.safetensors", cache_dir=tmp_path, endpoint=hub.url, token=False)
    assert Path(path).stat().st_size == sizes["model.safetensors"]
    card = hf_hub_download(QWEN, "README.md", cache_dir=tmp_path, endpoint=hub.url, token=False)
    assert Path(card).read_text().startswith("---\n")
    with pytest.raises(RepositoryNotFoundError):
        api.model_info("nobody/nothing")
    ds = list(api.list_datasets(limit=5))
    assert len(ds) == 5 and all("openscope:synthetic" in d.tags for d in ds)
    assert api.file_exists(QWEN, "config.json") and not api.file_exists(QWEN, "nope.json")
    from huggingface_hub import snapshot_download

    snap = Path(snapshot_download(ds[0].id, repo_type="dataset", cache_dir=tmp_path, endpoint=hub.url, token=False))
    assert (snap / "README.md").is_file() and (snap / "data" / "train-00000-of-00001.parquet").stat().st_size > 0


def test_huggingface_hub_reads_hf_endpoint_at_import(hub, tmp_path: Path):
    """HF_ENDPOINT set before huggingface_hub is imported (a fresh interpreter) reaches the simulator."""
    import os
    import subprocess
    import sys

    code = ("from huggingface_hub import HfApi; api = HfApi(token=False); "
            f"print(api.model_info({QWEN!r}).sha)")
    env = {**os.environ, "HF_ENDPOINT": hub.url, "HF_HOME": str(tmp_path), "HF_HUB_DISABLE_TELEMETRY": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == hub.state.entry("model", QWEN)[0]["sha"]
