"""Red team of the licence files `crawl --cards` reads (docs/reviews.md, "Licence files red team"): what a hostile or
sloppy publisher can put in ``license_link``, in a licence file's bytes and in the file tree, served by a forwarding
server in front of the simulated Hub on loopback (:mod:`licence_hub`); the real ``openscope`` commands run
in-process on the store it fills. Each answer must end in a complete crawl, a stored row that says what was served,
and a licence that is the text's or unknown: never a traceback, never a guess."""

from __future__ import annotations

import codecs
import gzip
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from licence_hub import Answer, forwarding
from store_rows import rows as q
from test_crawl_license_files import _crawl, _others, crawled, hub  # noqa: F401 - fixtures used by name

from openscope.derive.openness.license_files import link_target
from openscope.jobs.crawl import MAX_LICENSE_FILES_PER_MODEL, MAX_LICENSE_TEXT_BYTES

APACHE = "Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n\nTERMS AND CONDITIONS\n"


def _targets(crawled: tuple[Path, dict]) -> list[str]:  # noqa: F811 - the imported fixture's value
    return sorted(_others(crawled[0]))


def _licence_answers(bodies: dict[str, Answer]) -> Callable[[str], Answer | None]:
    def answer(path: str) -> Answer | None:
        for mid, canned in bodies.items():
            if path.split("?", 1)[0] == f"/{mid}/resolve/main/LICENSE":
                return canned
        return None
    return answer


def _checked(cli, db: Path, mids: list[str]) -> dict[str, dict[str, Any]]:
    """`license`, `assess` and `model` of each id: exit 0, JSON, at most one-line warnings, no traceback."""
    out = {}
    for mid in mids:
        for cmd in ("license", "assess", "model"):
            r = cli("--db", db, "--json", cmd, mid)
            assert r.code == 0 and "Traceback" not in r.stderr, (cmd, mid, r.stderr)
            assert all(len(line) < 400 for line in r.stderr.splitlines())
            doc = r.json()
            if cmd == "license":
                out[mid] = doc
    return out


# -- what a licence file's bytes may be -------------------------------------------------------------------------


def test_licence_bytes_are_decoded_as_the_folder_reader_does_or_stored_as_what_they_are(hub, crawled, tmp_path,  # noqa: F811
                                                                                      cli) -> None:
    """Before: the crawl stored ``bytes.decode("utf-8", errors="replace")``: a UTF-16 Apache-2.0 text became
    replacement characters and NULs (unrecognised), a UTF-8 BOM stayed in the evidence, binary bytes and a Git LFS
    pointer were stored as licence texts, and an HTML page's <title> was read as a licence's title."""
    utf16, bom, binary, lfs = _targets(crawled)
    html_body = (b"<!DOCTYPE html>\n<html>\n<head>\n<title>Llama 3.1 Community License Agreement</title>\n"
                 b"</head><body>Sign in to continue</body></html>\n")
    bodies = {utf16: (200, {}, codecs.BOM_UTF16_LE + APACHE.encode("utf-16-le")),
              bom: (200, {}, codecs.BOM_UTF8 + APACHE.replace("\n", "\r\n").encode()),
              binary: (200, {}, bytes(range(256)) * 4),
              lfs: (200, {}, b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"a" * 64 + b"\nsize 11357\n")}
    db = tmp_path / "bytes.duckdb"
    with forwarding(hub.url, _licence_answers(bodies)) as url:
        r = _crawl(cli, db, url)
        assert r.code == 0, r.stderr
    doc = r.json()
    assert doc["status"] == "complete" and doc["cards"]["license_files"]["failed"] == 0
    stored = {m: (t, n, b) for m, t, n, b in q(db, "SELECT id, text, note, bytes FROM license_texts")}
    assert stored[utf16][0] == APACHE and stored[bom][0] == APACHE.replace("\n", "\r\n")
    assert stored[utf16][2] == len(bodies[utf16][2])           # the bytes served, not the decoded text's
    assert stored[binary][:2] == (None, "not text (binary); not read")
    assert stored[lfs][:2] == (None, "a Git LFS pointer, not the file's text; not read")
    docs = _checked(cli, db, [utf16, bom, binary, lfs])
    for mid in (utf16, bom):
        assert (docs[mid]["license"], docs[mid]["source"]) == ("apache-2.0", "license_file")
        assert "\ufeff" not in json.dumps(docs[mid], ensure_ascii=False)
    for mid in (binary, lfs):   # unknown stays unknown, and says why
        assert docs[mid]["license"] == "other" and docs[mid]["class"] == "unknown"
    for mid in (utf16, bom, binary, lfs):   # the per-model grade is the set-based pass's
        grade = q(db, "SELECT grade FROM openness WHERE id = ? AND framework = 'osai' AND dimension = 'licenses'",
                  [mid])[0][0]
        assert cli("--db", db, "--json", "assess", mid).json()["osai"]["licenses"] == grade, mid

    db2 = tmp_path / "html.duckdb"
    with forwarding(hub.url, _licence_answers({utf16: (200, {"Content-Type": "text/html"}, html_body)})) as url:
        assert _crawl(cli, db2, url, "--no-derive").code == 0
    assert q(db2, "SELECT text, note FROM license_texts WHERE id = ?", [utf16]) == [
        (None, "an HTML page, not a licence text; not read")]


def test_a_text_already_stored_that_is_no_licence_text_identifies_nothing() -> None:
    """Texts stored by an earlier crawl are read again by every derivation: a stored HTML page or LFS pointer is
    judged as what it is (before: the page's <title>"… License Agreement" made it `other` "by agreement")."""
    from openscope.derive.licenses.flowdown import identify_texts

    page = "<!doctype html>\n<html lang=en>\n<title>Llama 3.1 Community License Agreement</title>\n"
    pointer = "version https://git-lfs.github.com/spec/v1\noid sha256:" + "b" * 64 + "\nsize 9\n"
    for text, why in ((page, "an HTML page"), (pointer, "a Git LFS pointer")):
        (path, lic, reading), = identify_texts([("LICENSE", text)])
        assert lic is None and why in reading
    # a licence that mentions HTML or LFS further down is still read
    assert identify_texts([("LICENSE", APACHE + "<html> version https://git-lfs.github.com/spec/v1\n")])[0][1] \
        == "apache-2.0"


def test_answers_at_and_past_the_bound_a_gzip_bomb_and_a_lying_length(hub, crawled, tmp_path, cli) -> None:  # noqa: F811
    exact, over, bomb, liar = _targets(crawled)
    line = b"Licence text.\n"
    body = (line * (MAX_LICENSE_TEXT_BYTES // len(line) + 1))[:MAX_LICENSE_TEXT_BYTES - 1] + b"\n"
    bodies = {exact: (200, {}, body), over: (200, {}, body + b"x"),
              bomb: (200, {"Content-Encoding": "gzip"}, gzip.compress(b"\n" * (MAX_LICENSE_TEXT_BYTES * 8))),
              liar: (200, {"Content-Length": str(len(body) + 1000)}, body[:100])}
    db = tmp_path / "bounds.duckdb"
    with forwarding(hub.url, _licence_answers(bodies)) as url:
        r = _crawl(cli, db, url)
        assert r.code == 0, r.stderr
    stored = {m: (t is not None, n, b) for m, t, n, b in q(db, "SELECT id, text, note, bytes FROM license_texts")}
    too_large = f"larger than {MAX_LICENSE_TEXT_BYTES:,} bytes; not read"
    assert stored[exact] == (True, None, MAX_LICENSE_TEXT_BYTES)
    assert stored[over][:2] == stored[bomb][:2] == (False, too_large)
    assert liar not in stored   # a cut answer is a failed read: tried again next time, its README kept
    assert q(db, "SELECT text IS NOT NULL, license_files_at IS NULL FROM cards WHERE id = ?", [liar]) == [(True, True)]
    counts = r.json()["cards"]["license_files"]
    assert (counts["too_large"], counts["failed"]) == (2, 1)
    _checked(cli, db, [exact, over, bomb, liar])


# -- what license_link may be ---------------------------------------------------------------------------------------


HOSTILE_LINKS: list[object] = ["https://[::1", "http://[zz]/LICENSE", "LICENSE\x00", "A" * 100_000,
                               ["LICENSE"], 7, {"path": "LICENSE"}, True, "../other-repo/LICENSE",
                               "https://huggingface.co/other/repo/blob/main/LICENSE", "file:///etc/passwd"]


def test_hostile_license_links_never_stop_the_crawl_or_the_grades(hub, crawled, tmp_path, cli) -> None:  # noqa: F811
    """Before: a ``license_link`` that is not a valid URL ("https://[::1") raised ValueError out of ``urlsplit``
    in the crawl (``license_paths``: the whole cards pass stopped) and in the licence step."""
    targets = _targets(crawled)
    links = {mid: HOSTILE_LINKS[i::len(targets)] for i, mid in enumerate(targets)}
    for round_ in range(max(len(v) for v in links.values())):
        now = {mid: v[round_] for mid, v in links.items() if round_ < len(v)}

        def rewrite(path: str, body: bytes, now: dict[str, object] = now) -> bytes:
            if not path.startswith("/api/models?") and not path.startswith("/api/models/?"):
                return body
            entries = json.loads(body)
            for e in entries:
                if isinstance(e, dict) and e.get("id") in now and isinstance(e.get("cardData"), dict):
                    e["cardData"]["license_link"] = now[e["id"]]
            return json.dumps(entries).encode()

        db = tmp_path / f"links{round_}.duckdb"
        with forwarding(hub.url, rewrite=rewrite) as url:
            r = _crawl(cli, db, url)
            assert r.code == 0 and "Traceback" not in r.stderr, (now, r.stderr)
        assert r.json()["cards"]["license_files"]["failed"] == 0
        seen = dict(q(db, "SELECT id, card_data->>'$.license_link' FROM models WHERE id IN (SELECT unnest(?))",
                      [list(now)]))
        assert any(v is not None for v in seen.values()), "the rewritten listing was not the one crawled"
        # the release's own LICENSE is read all the same (the link names no file of this tree)
        assert {m for (m,) in q(db, "SELECT id FROM license_texts")} >= set(now)
        _checked(cli, db, list(now))


def test_license_link_names_this_repositorys_file_or_nothing() -> None:
    tree = {"LICENSE", "LICENSE.md", "sub/LICENSE"}
    for link in HOSTILE_LINKS + ["/..", "https://huggingface.co/o/m/blob/main/../LICENSE", "%2e%2e/LICENSE"]:
        assert link_target(link, "o/m", tree) is None, link   # type: ignore[arg-type]
    for link in ("/LICENSE", "LICENSE?download=true", "LICENSE#L3", "LICENSE%2Emd",
                 "https://huggingface.co/o/m/blob/main/LICENSE?download=true#L3", " LICENSE\n"):
        assert link_target(link, "o/m", tree) in ("LICENSE", "LICENSE.md"), link
    # a file name holding a literal "%" (before: the link was unquoted only, and named no file)
    assert link_target("LICENSE%20X", "o/m", tree | {"LICENSE%20X"}) == "LICENSE%20X"
    assert link_target("my%20licence.txt", "o/m", tree | {"my licence.txt"}) == "my licence.txt"
    assert link_target("%2e%2e/LICENSE", "o/m", tree | {"%2e%2e/LICENSE"}) == "%2e%2e/LICENSE"   # a name, not ..


# -- what a tree may hold ---------------------------------------------------------------------------------------------


def test_a_tree_of_many_odd_licence_entries_costs_at_most_the_bound(hub, crawled, tmp_path, cli) -> None:  # noqa: F811
    mid = _targets(crawled)[0]
    extra: list[dict[str, Any]] = [{"type": "file", "path": f"LICENSES/LicenseRef-{i}.txt", "size": 10, "oid": "x"}
                                   for i in range(40)]
    extra += [{"type": "directory", "path": "LICENSE-DIR"}, {"type": "file", "path": "license.md", "size": -5},
              {"type": "file", "path": "License.TXT", "size": 10**30}, {"type": "file", "path": ["LICENSE"]},
              {"type": "file", "path": "LICENSE-MODEL", "size": True}]

    def rewrite(path: str, body: bytes) -> bytes:
        if path.startswith(f"/api/models/{mid}/tree/"):
            return json.dumps(json.loads(body) + extra).encode()
        return body

    served: list[str] = []

    def answer(path: str) -> Answer | None:   # every extra file 404s as the Hub's own "no such entry"
        if path.startswith(f"/{mid}/resolve/main/") and not path.endswith("/LICENSE") \
                and not path.endswith("/README.md"):
            served.append(path)
            return 404, {"X-Error-Code": "EntryNotFound"}, b"Entry not found"
        return None

    db = tmp_path / "tree.duckdb"
    with forwarding(hub.url, answer, rewrite) as url:
        r = _crawl(cli, db, url)
        assert r.code == 0, r.stderr
    assert len(served) == MAX_LICENSE_FILES_PER_MODEL - 1   # LICENSE + three others, no more
    assert r.json()["cards"]["license_files"]["failed"] == 0
    assert q(db, "SELECT license_files_at IS NOT NULL FROM cards WHERE id = ?", [mid]) == [(True,)]
    _checked(cli, db, [mid])



def test_a_licence_file_trickled_past_the_deadline_is_a_failed_read_tried_again(hub, crawled, tmp_path,  # noqa: F811
                                                                              cli) -> None:
    """A publisher's file (or a proxy) that sends its bytes slowly never holds the crawl past ``--deadline``: the
    read fails after the retries, the README and tree are kept and the model's licence files are looked for again."""
    mid = _targets(crawled)[0]
    slow = [APACHE.encode()[i:i + 8] for i in range(0, 160, 8)]   # 20 chunks, 0.25 s apart: 5 s
    db = tmp_path / "trickle.duckdb"
    with forwarding(hub.url, _licence_answers({mid: (200, {}, slow)})) as url:
        r = _crawl(cli, db, url, "--no-derive", "--deadline", "0.6", "--timeout", "0.5")
        assert r.code == 0, r.stderr
    assert r.json()["cards"]["license_files"]["failed"] == 1
    assert q(db, "SELECT count(*) FROM license_texts WHERE id = ?", [mid]) == [(0,)]
    assert q(db, "SELECT text IS NOT NULL, license_files_at IS NULL FROM cards WHERE id = ?", [mid]) == [(True, True)]
    with forwarding(hub.url) as url:   # the file is served whole again: read, and the model is done
        doc = _crawl(cli, db, url, "--no-derive").json()
    assert doc["cards"]["candidates"] == 1 and doc["cards"]["license_files"]["read"] == 1
    assert q(db, "SELECT license_files_at IS NOT NULL FROM cards WHERE id = ?", [mid]) == [(True,)]


# -- what the store keeps ---------------------------------------------------------------------------------------------


def test_a_new_commit_replaces_a_models_texts_and_a_removed_licence_file_leaves_none(hub, crawled, tmp_path,  # noqa: F811
                                                                                   cli) -> None:
    """A publisher changes the licence at a new commit (new text) or removes the file: the stored texts are the new
    commit's, never the old text kept for a commit that no longer has it."""
    changed, removed = _targets(crawled)[:2]
    new = "f" * 40
    db = tmp_path / "commits.duckdb"
    shutil.copyfile(crawled[0], db)
    before = dict(q(db, "SELECT id, text FROM license_texts WHERE id IN (?, ?)", [changed, removed]))
    assert before[changed] and before[removed]

    def rewrite(path: str, body: bytes) -> bytes:
        if path.startswith(f"/api/models/{removed}/tree/"):
            return json.dumps([e for e in json.loads(body) if e.get("path") != "LICENSE"]).encode()
        if path.startswith("/api/models?") or path.startswith("/api/models/?"):
            entries = json.loads(body)
            for e in entries:
                if isinstance(e, dict) and e.get("id") in (changed, removed):
                    e["sha"] = new
            return json.dumps(entries).encode()
        return body

    def answer(path: str) -> Answer | None:
        for mid in (changed, removed):
            if path.split("?", 1)[0] == f"/{mid}/resolve/main/README.md":
                return 200, {"X-Repo-Commit": new}, b"# A new card\n"
        if path.split("?", 1)[0] == f"/{changed}/resolve/main/LICENSE":
            return 200, {"X-Repo-Commit": new}, APACHE.encode()
        return None

    with forwarding(hub.url, answer, rewrite) as url:
        r = _crawl(cli, db, url)
        assert r.code == 0, r.stderr
    assert r.json()["cards"]["candidates"] == 2
    assert q(db, "SELECT id, path, sha, text FROM license_texts WHERE id IN (?, ?)", [changed, removed]) == [
        (changed, "LICENSE", new, APACHE)]
    assert cli("--db", db, "--json", "license", changed).json()["license"] == "apache-2.0"
    assert cli("--db", db, "--json", "license", removed).json()["license"] == "other"
