"""Fault injection (429 with the Hub's headers, 5xx, cut bodies, slowness, outage, holding) and admin routes."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from openscope.simhub.testing import running_simhub


@pytest.fixture(scope="module")
def hub():
    with running_simhub(models=300, datasets=10, seed=3) as h:
        yield h


@pytest.fixture
def client(hub):
    hub.set_faults(rate_limit=None, error_rate=0.0, truncate_rate=0.0, slow_ms=0, down=False, hold_after_pages=None)
    with httpx.Client(base_url=hub.url, timeout=30, trust_env=False) as c:
        yield c
    hub.set_faults(rate_limit=None, error_rate=0.0, truncate_rate=0.0, slow_ms=0, down=False, hold_after_pages=None)


def test_rate_limit_429_with_hub_headers(hub, client):
    hub.set_faults(rate_limit=3, rate_window_s=60)
    ok = [client.get("/api/models", params={"limit": 2}) for _ in range(3)]
    assert [r.status_code for r in ok] == [200, 200, 200]
    assert ok[0].headers["ratelimit"].startswith('"api";r=2;t=')
    assert ok[2].headers["ratelimit"].startswith('"api";r=0;t=')
    r = client.get("/api/models")
    assert r.status_code == 429
    assert r.headers["ratelimit-policy"] == '"fixed window";"api";q=3;w=60'
    remaining, reset = r.headers["ratelimit"].split(";")[1:]
    assert remaining == "r=0" and 1 <= int(reset[2:]) <= 60
    assert r.headers["retry-after"] == reset[2:]
    assert r.headers["x-openscope-simulated"] == "1"
    before = hub.stats()["early_requests"]
    assert client.get("/api/models").status_code == 429  # still inside the announced window
    stats = hub.stats()
    assert stats["early_requests"] == before + 1
    assert stats["status_counts"]["429"] >= 2


def test_rate_window_resets(hub, client):
    hub.set_faults(rate_limit=1, rate_window_s=1)
    assert client.get("/api/models", params={"limit": 1}).status_code == 200
    r = client.get("/api/models", params={"limit": 1})
    assert r.status_code == 429
    time.sleep(float(r.headers["retry-after"]) + 0.05)
    assert client.get("/api/models", params={"limit": 1}).status_code == 200


def test_error_rate_is_deterministic_from_the_seed():
    def run() -> list[int]:
        with running_simhub(models=50, datasets=0, seed=21, error_rate=0.3) as h, \
                httpx.Client(base_url=h.url, timeout=30, trust_env=False) as c:
            return [c.get("/api/models", params={"limit": 1}).status_code for _ in range(40)]

    a, b = run(), run()
    assert a == b
    assert {s for s in a if s != 200} <= {500, 502, 503} and 3 <= sum(s != 200 for s in a) <= 25


def test_truncated_body_cuts_the_connection(hub, client):
    hub.set_faults(truncate_rate=1.0)
    before = hub.pages_served()
    with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
        client.get("/api/models", params={"limit": 50, "full": "true"})
    assert hub.pages_served() == before  # a cut page was not served
    hub.set_faults(truncate_rate=0.0)
    r = client.get("/api/models", params={"limit": 50})
    assert len(r.json()) == 50 and hub.pages_served() == before + 1
    assert not any(k.startswith("x-openscope-internal") for k in r.headers)


def test_slow_and_down(hub, client):
    hub.set_faults(slow_ms=300)
    t = time.monotonic()
    assert client.get("/api/models", params={"limit": 1}).status_code == 200
    assert time.monotonic() - t >= 0.29
    hub.set_faults(slow_ms=0, down=True)
    for path in ("/api/models", "/api/datasets", "/api/models/Qwen/Qwen2.5-7B-Instruct",
                 "/Qwen/Qwen2.5-7B-Instruct/resolve/main/README.md"):
        assert client.get(path).status_code == 503
    assert client.get("/_admin/stats").status_code == 200  # admin routes stay up


def test_hold_after_pages_blocks_until_release(hub, client):
    start = hub.pages_served()
    hub.set_faults(hold_after_pages=start + 2)
    assert client.get("/api/models", params={"limit": 5}).status_code == 200
    assert client.get("/api/models", params={"limit": 5}).status_code == 200
    result: dict = {}

    def third() -> None:
        with httpx.Client(base_url=hub.url, timeout=30, trust_env=False) as c:
            result["r"] = c.get("/api/models", params={"limit": 5})

    th = threading.Thread(target=third)
    th.start()
    time.sleep(0.6)
    assert th.is_alive() and hub.pages_served() == start + 2  # blocked exactly after page k
    hub.release()
    th.join(10)
    assert result["r"].status_code == 200 and hub.pages_served() == start + 3


def test_bad_fault_settings_are_400(hub, client):
    for body in ({"error_rate": 2}, {"nope": 1}, {"rate_limit": 0}, {"slow_ms": -1}):
        assert client.post("/_admin/faults", json=body).status_code == 400
    cur = client.post("/_admin/faults", json={"slow_ms": 0}).json()
    assert set(cur) == {"rate_limit", "rate_window_s", "error_rate", "truncate_rate", "slow_ms", "down",
                        "hold_after_pages", "hold_repo_info"}


def test_mutate_edit_add_delete_counters():
    with running_simhub(models=120, datasets=5, seed=8) as h, \
            httpx.Client(base_url=h.url, timeout=30, trust_env=False) as c:
        def full() -> dict[str, dict]:
            r = c.get("/api/models", params={"full": "true", "limit": 1000})
            return {e["id"]: e for e in r.json()}

        before = full()
        newest = max(e["lastModified"] for e in before.values())
        m = h.mutate(edit=3, add=2, delete=2, counters=3)
        assert [len(m[k]) for k in ("edited", "added", "deleted", "counters_changed")] == [3, 2, 2, 3]
        after = full()
        ids = set(h.ids())
        assert ids == set(after) and not set(m["deleted"]) & ids and set(m["added"]) <= ids
        for i in m["edited"]:
            if i in after:
                assert after[i]["lastModified"] > newest and after[i]["sha"] != before[i]["sha"]
        for i in m["counters_changed"]:
            if i in after and i not in m["edited"]:
                assert after[i]["downloads"] > before[i]["downloads"]
                assert after[i]["lastModified"] == before[i]["lastModified"]
        for i in m["added"]:
            assert after[i]["lastModified"] > newest and "openscope:synthetic" in after[i]["tags"]
        # the tag index follows mutations: a tag filter sees added repos and not deleted ones
        tagged = c.get("/api/models", params={"filter": "openscope:synthetic", "limit": 1000}).json()
        assert {e["id"] for e in tagged} == ids
        gone = m["deleted"][0]
        assert c.get(f"/api/models/{gone}").status_code == 404
        # explicit ids, and unknown ids are refused
        m2 = h.mutate(edit=[m["added"][0]])
        assert m2["edited"] == [m["added"][0]]
        assert c.post("/_admin/mutate", json={"edit": ["nobody/nothing"]}).status_code == 404
        assert c.post("/_admin/mutate", json={"add": -1}).status_code == 400
        assert c.post("/_admin/mutate", json={"explode": 1}).status_code == 400
        assert c.get("/_admin/ids", params={"kind": "spaces"}).status_code == 400
        assert len(h.ids("datasets")) == 5
