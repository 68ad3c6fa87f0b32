"""Paging: every matching id exactly once, for any limit, sort and filter; also across mutations."""

from __future__ import annotations

import functools
import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openscope.simhub.entries import entries_table
from openscope.simhub.generator import generate
from openscope.simhub.testing import running_simhub

SEED = 4
N_MODELS = 240


@pytest.fixture(scope="module")
def hub():
    with running_simhub(models=N_MODELS, datasets=60, seed=SEED) as h:
        yield h


@functools.cache
def _truth() -> tuple[list[dict], list[dict]]:
    """The entries as generated (independently of the server's query path)."""
    eco = generate(N_MODELS, datasets=60, seed=SEED)
    return ([json.loads(j) for j in entries_table(eco, "model").column("js").to_pylist()],
            [json.loads(j) for j in entries_table(eco, "dataset").column("js").to_pylist()])


@pytest.fixture(scope="module")
def truth():
    return _truth()


def crawl(url: str, path: str, params: dict) -> list[dict]:
    out: list[dict] = []
    with httpx.Client(timeout=30, trust_env=False) as c:
        r = c.get(url + path, params=params)
        pages = 0
        while True:
            assert r.status_code == 200, r.text
            out += r.json()
            pages += 1
            nxt = r.links.get("next", {}).get("url")
            if not nxt:
                break
            assert nxt.startswith("http://") and "cursor=" in nxt  # absolute, opaque cursor
            r = c.get(nxt)
    return out


KEY = {"lastModified": "lastModified", "createdAt": "createdAt", "downloads": "downloads", "likes": "likes",
       "trendingScore": "trendingScore", "id": "id", None: "_id"}


def expected(entries: list[dict], tags: list[str], search: str | None, author: str | None) -> set[str]:
    return {e["id"] for e in entries
            if all(t in e["tags"] for t in tags)
            and (search is None or search.lower() in e["id"].lower())
            and (author is None or e["author"].lower() == author.lower())}


FILTERS = [[], ["text-generation"], ["gguf"], ["license:apache-2.0", "text-generation"],
           ["base_model:quantized:Qwen/Qwen2.5-7B-Instruct"], ["peft", "lora"], ["no-such-tag"]]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(1, 60), sort=st.sampled_from(list(KEY)), tags=st.sampled_from(FILTERS),
       search=st.sampled_from([None, "qwen", "lora", "-"]), expand=st.booleans())
def test_every_matching_model_exactly_once(hub, limit, sort, tags, search, expand):
    truth = _truth()
    params: dict = {"limit": limit}
    if sort:
        params["sort"] = sort
    if tags:
        params["filter"] = ",".join(tags) if len(tags) > 1 and limit % 2 else tags
    if search:
        params["search"] = search
    if expand:
        params["expand"] = ["tags", "downloads", "likes", "lastModified", "createdAt", "trendingScore"]
    got = crawl(hub.url, "/api/models", params)
    ids = [e["id"] for e in got]
    assert len(ids) == len(set(ids))
    assert set(ids) == expected(truth[0], tags, search, None)
    if all(KEY[sort] in e for e in got):  # always descending (ties broken by id, also descending)
        pairs = [(e[KEY[sort]], e["id"]) for e in got]
        assert pairs == sorted(pairs, reverse=True)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limit=st.integers(1, 25), author=st.booleans())
def test_datasets_page_the_same_way(hub, limit, author):
    truth = _truth()
    who = truth[1][0]["author"] if author else None
    params = {"limit": limit, **({"author": who} if who else {})}
    ids = [e["id"] for e in crawl(hub.url, "/api/datasets", params)]
    assert len(ids) == len(set(ids)) and set(ids) == expected(truth[1], [], None, who)


def test_quantized_children_filter_is_exact(hub, truth):
    gen = generate(N_MODELS, seed=SEED).models.to_pylist()
    bases = {r["parent"] for r in gen if r["kind"] == "quantized" and r["parent"]}
    assert "Qwen/Qwen2.5-7B-Instruct" in bases
    total = 0
    for base in sorted(bases)[:12] + ["Qwen/Qwen2.5-7B-Instruct"]:
        got = {e["id"] for e in crawl(hub.url, "/api/models", {"filter": f"base_model:quantized:{base}", "limit": 3})}
        # from the structure: the quantized children of `base` that declare it in their tags
        want = {r["id"] for r in gen if r["kind"] == "quantized" and r["parent"] == base and r["decl"] != 1}
        assert got == want, base
        total += len(got)
    assert total > 10


def test_author_filter_and_compact_default_shape(hub, truth):
    author = "Qwen"
    got = crawl(hub.url, "/api/models", {"author": author, "limit": 3})
    assert {e["id"] for e in got} == expected(truth[0], [], None, author)
    assert all(set(e) >= {"_id", "id", "tags", "downloads", "likes", "createdAt"} for e in got)
    assert all("siblings" not in e for e in got)  # the compact default list shape
    full = crawl(hub.url, "/api/models", {"author": author, "full": "true", "limit": 1000})
    assert all("siblings" in e and "lastModified" in e for e in full)


def test_paging_survives_mutations_between_pages():
    with running_simhub(models=300, datasets=10, seed=9) as h:
        for sort in (None, "createdAt", "lastModified", "id"):
            before = set(h.ids())
            with httpx.Client(timeout=30, trust_env=False) as c:
                params = {"limit": 13, **({"sort": sort} if sort else {})}
                r = c.get(h.url + "/api/models", params=params)
                seen = [e["id"] for e in r.json()]
                r = c.get(r.links["next"]["url"])
                seen += [e["id"] for e in r.json()]
                m = h.mutate(edit=6, add=4, delete=5, counters=6)
                nxt = r.links.get("next", {}).get("url")
                while nxt:
                    r = c.get(nxt)
                    assert r.status_code == 200
                    seen += [e["id"] for e in r.json()]
                    nxt = r.links.get("next", {}).get("url")
            after = set(h.ids())
            assert len(seen) == len(set(seen))
            stable = (before & after) - (set(m["edited"]) if sort == "lastModified" else set())
            assert stable <= set(seen), sort
            assert not (set(m["deleted"]) - set(seen[:26]))  & set(seen[26:])


def test_bad_list_parameters_are_400(hub):
    with httpx.Client(timeout=30, trust_env=False) as c:
        for params in ({"limit": 0}, {"limit": 1001}, {"limit": "x"}, {"sort": "nope"}, {"cursor": "%%%"},
                       {"expand": "nope"}, {"expand": "baseModels"}, {"expand": "childrenModelCount"},
                       {"expand": "author", "full": "true"}):
            r = c.get(hub.url + "/api/models", params=params)
            assert r.status_code == 400, params
            assert r.headers["x-openscope-simulated"] == "1"
            assert "error" in r.json()
        assert c.get(hub.url + "/api/datasets", params={"expand": "gguf"}).status_code == 400


@pytest.mark.parametrize("sort", sorted(KEY, key=str))
def test_each_sort_pages_completely_in_order(hub, sort):
    params = {"limit": 17, "full": "true", **({"sort": sort} if sort else {})}
    got = crawl(hub.url, "/api/models", params)
    assert sorted(e["id"] for e in got) == sorted(e["id"] for e in _truth()[0])
    pairs = [(e[KEY[sort]], e["id"]) for e in got]
    assert pairs == sorted(pairs, reverse=True)
