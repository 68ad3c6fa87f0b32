"""A release folder's licence files are licence evidence: found, read bounded, identified by their text (never
guessed), scoped by their names, and fed into the components, the OSAID licence requirements, the index's
`licenses` dimension and the open-washing flags.

The licence texts below are written by the test (the licences' own texts may be copied verbatim); the
longer ones are cut to the lines that identify them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from model_folders import APACHE, model_folder

from openscope.derive.openness import openness_rows, refresh
from openscope.derive.openness.assessment import Assessment, assess_record
from openscope.derive.openness.license_files import identify, is_license_file, scope_of_name
from openscope.derive.openness.probes import Finding
from openscope.derive.openness.records import from_folder, from_store
from openscope.jobs.ingest import ingest_file
from openscope.store import open_store

MIT = """MIT License

Copyright (c) 2025 Acme AI

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""
KIMI_CLAUSE = ("Our only modification part is that, if the Software (or any derivative works thereof) is used for any "
               "of your commercial products or services that have more than 100 million monthly active users, you "
               "shall prominently display \"Acme K2\" on the user interface of such product or service.")
BSD3 = """Copyright (c) 2025, Acme AI

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this
   list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.

3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
"""
BSD2 = BSD3.replace("""3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.

""", "")
DEEPSEEK = "DEEPSEEK LICENSE AGREEMENT\n\nVersion 1.0, 23 October 2023\n\nCopyright (c) 2023 DeepSeek\n\nSection I: PREAMBLE\n"
LLAMA31 = "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\nLlama 3.1 Version Release Date: July 23, 2024\n\n\"Agreement\" means\n"
UNKNOWN = "Acme Terms\n\nYou may read these weights on Tuesdays. Everything else is forbidden.\n"
README = "# Acme 7B\n\nA language model.\n"


def _folder(root: Path, files: dict[str, str | bytes], readme: str = README) -> Path:
    return model_folder(root, files, readme)


def _assess(root: Path) -> Assessment:
    return assess_record(from_folder(root), use_curated=False)


def _licence(a: Assessment) -> Finding:
    return next(f for f in a.findings if f.probe == "license_declared")


def _files(a: Assessment) -> dict[str, dict]:
    return {f["path"]: f for f in _licence(a).detail.get("files", [])}


# -- identification of a text -------------------------------------------------------------------------


def test_texts_are_identified_by_what_is_characteristic_of_them() -> None:
    assert identify(MIT).license == "mit"
    assert identify(APACHE).license == "apache-2.0"
    assert identify(BSD3).license == "bsd-3-clause" and identify(BSD2).license == "bsd-2-clause"
    assert identify(DEEPSEEK).license == "deepseek"
    assert identify(LLAMA31).license == "llama3.1"
    assert identify("Attribution-NonCommercial-ShareAlike 4.0 International\n\n=====\n").license == "cc-by-nc-sa-4.0"
    assert identify("Attribution 4.0 International\n\n=====\n").license == "cc-by-4.0"
    assert identify("GNU LESSER GENERAL PUBLIC LICENSE\n  Version 3, 29 June 2007\n").license == "lgpl-3.0"
    assert identify("GNU GENERAL PUBLIC LICENSE\n  Version 3, 29 June 2007\n").license == "gpl-3.0"
    assert identify("Licensed under the Apache License, Version 2.0 (the \"License\");\n").license == "apache-2.0"
    # a licence of the publisher's own, known by its title only: a custom agreement (`other`), not a guess
    yi = identify("Yi Series Models Community License Agreement\n\n1. Definitions\n")
    assert (yi.license, yi.how) == ("other", "agreement")
    # a licence only mentioned inside a sentence is not the file's title
    assert identify("Acme notes\n\nThis bundle includes the Apache License, Version 2.0 text elsewhere.\n").license is None
    # MIT's grant cut short is not MIT
    assert identify(MIT.split("The above copyright")[0]).license is None


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=200)
       .filter(lambda t: any(c.isalnum() for c in t)))
def test_any_words_added_to_mit_make_it_another_licence(added: str) -> None:
    """Text after the MIT text's end, or any word changed inside its grant, is never read as MIT (a copyright
    line after it is the one addition that is not a term)."""
    after = identify(MIT + "\n" + added + "\n")
    assert after.license in ("mit", "modified-mit")
    if after.license == "mit":
        notice = re.compile(r"^\W*(copyright\b.{0,12}?(\(c\)|©|\d{4})|(\(c\)|©)\s*\d{4}|all rights reserved\W*$"
                            r"|spdx-license-identifier:)", re.IGNORECASE)
        assert all(not any(c.isalnum() for c in ln) or notice.match(ln.strip()) for ln in added.split("\n")), added
    inside = identify(MIT.replace("to deal\n", f"to deal {added}\n", 1))
    assert inside.license != "mit" or not any(c.isalnum() for c in added)


def test_a_modified_mit_text_is_not_mit() -> None:
    added = identify(MIT + "\n" + KIMI_CLAUSE + "\n")
    assert (added.license, added.how) == ("modified-mit", "modified")
    assert added.snippet.startswith("Our only modification part is that") and added.line == 23
    titled = identify("Modified MIT License\n\n" + MIT.split("\n", 1)[1])
    assert (titled.license, titled.line, titled.snippet) == ("modified-mit", 1, "Modified MIT License")
    inserted = identify(MIT.replace("without restriction,", "without restriction for non-commercial purposes,"))
    assert inserted.license == "modified-mit" and "non-commercial" in inserted.snippet
    assert identify(BSD3 + "\nThe Software may not be used for military purposes.\n").license == "modified-bsd"
    assert identify(MIT).license == "mit"  # the original, with its title and copyright line
    assert identify(MIT + "\nCopyright holders may revoke this licence at will.\n").license == "modified-mit"
    assert identify(MIT + "\nCopyright (c) 2025 Acme AI Labs\n").license == "mit"   # another notice, no term


def test_which_files_are_licence_files_and_what_their_names_cover() -> None:
    for name in ("LICENSE", "LICENCE.md", "LICENSE.txt", "COPYING", "LICENSE-CODE", "LICENSE-MODEL", "MODEL_LICENSE",
                 "LICENSE_WEIGHTS", "LICENSE-DATA", "LICENSE.apache", "LICENSE-MIT", "LICENSES/Apache-2.0.txt"):
        assert is_license_file(name), name
    for name in ("NOTICE", "USE_POLICY.md", "THIRD_PARTY_LICENSES", "LICENSE-THIRD-PARTY", "license_check.py",
                 "third_party/x/LICENSE", "README.md"):
        assert not is_license_file(name), name
    assert scope_of_name("LICENSE-CODE") == {"code"}
    assert scope_of_name("LICENSE-MODEL") == scope_of_name("MODEL_LICENSE") == scope_of_name("LICENSE_WEIGHTS") == {"weights"}
    assert scope_of_name("LICENSE-DATA.md") == {"data"}
    assert scope_of_name("LICENSE") == scope_of_name("LICENSE.apache") == frozenset()


# -- a folder -------------------------------------------------------------------------------------------


def test_a_plain_licence_file_licenses_the_whole_release(tmp_path: Path) -> None:
    bare = _assess(_folder(tmp_path / "bare", {}))
    assert _licence(bare).status == "no_license" and bare.osai["licenses"] == "closed"
    a = _assess(_folder(tmp_path / "apache", {"LICENSE": APACHE}))
    f = _licence(a)
    assert (f.status, f.license) == ("open_license", "apache-2.0")
    ev = f.evidence[0]
    assert ev.kind == "file" and ev.locator == f"{tmp_path / 'apache'}/LICENSE#L2" and ev.snippet == "Apache License"
    assert a.components["Model parameters (Final)"].status == "open_license"
    assert a.components["Model parameters (Final)"].license == "apache-2.0"
    assert a.osai["licenses"] == "open" and "parameters-license" not in a.osaid.missing
    assert "parameters-license" in bare.osaid.missing


def test_mit_and_bsd_files(tmp_path: Path) -> None:
    mit = _assess(_folder(tmp_path / "mit", {"LICENSE.txt": MIT}))
    assert _licence(mit).license == "mit" and _files(mit)["LICENSE.txt"]["line"] == 5
    bsd = _assess(_folder(tmp_path / "bsd", {"LICENSE.md": BSD2}))
    assert _licence(bsd).license == "bsd-2-clause" and _licence(bsd).status == "open_license"


def test_deepseek_style_split_code_and_model_licences(tmp_path: Path) -> None:
    root = _folder(tmp_path / "ds", {"LICENSE-CODE": MIT, "LICENSE-MODEL": DEEPSEEK, "train.py": "print('train')\n"})
    a = _assess(root)
    files = _files(a)
    assert files["LICENSE-CODE"]["covers"] == ["code"] and files["LICENSE-CODE"]["license"] == "mit"
    assert files["LICENSE-MODEL"]["covers"] == ["weights"] and files["LICENSE-MODEL"]["license"] == "deepseek"
    p = a.components["Model parameters (Final)"]
    assert (p.status, p.license) == ("restrictive_license", "deepseek")
    t = a.components["Training code"]
    assert (t.status, t.license) == ("open_license", "mit")
    f = _licence(a)
    assert f.status == "restrictive_license" and f.detail["mixed"] is True
    assert a.osai["licenses"] == "partial"                    # open code, restricted weights
    assert "parameters-license" in a.osaid.missing and "code-license" not in " ".join(
        m for m in a.osaid.missing if "Training code" in m)
    assert {e.locator.rsplit("/", 1)[1] for e in f.evidence if e.kind == "file"} == {"LICENSE-CODE#L5", "LICENSE-MODEL#L1"}


def test_reuse_licenses_folder(tmp_path: Path) -> None:
    root = _folder(tmp_path / "reuse", {"LICENSES/Apache-2.0.txt": APACHE,
                                        "LICENSES/CC-BY-4.0.txt": "(the licence's text was not copied here)\n"})
    a = _assess(root)
    files = _files(a)
    assert files["LICENSES/Apache-2.0.txt"]["license"] == "apache-2.0" and files["LICENSES/Apache-2.0.txt"]["how"] == "title"
    by_name = files["LICENSES/CC-BY-4.0.txt"]
    assert by_name["license"] == "cc-by-4.0" and by_name["how"] == "reuse"   # REUSE: the file name is its SPDX id
    assert _licence(a).status == "open_license" and a.osai["licenses"] == "open"


def test_an_unrecognised_licence_text_is_reported_not_guessed(tmp_path: Path, cli) -> None:
    root = _folder(tmp_path / "unk", {"LICENSE": UNKNOWN})
    a = _assess(root)
    f = _licence(a)
    assert f.status == "no_license" and f.license is None
    assert _files(a)["LICENSE"]["recognised"] is False
    assert f.evidence[0].kind == "file" and "not recognised" in f.evidence[0].snippet
    assert a.components["Model parameters (Final)"].status == "no_license"   # released, licence unknown
    r = cli("--db", tmp_path / "none.duckdb", "assess", root, "--json")
    assert r.code == 0 and "licence file LICENSE: its text is not recognised" in r.stderr


def test_an_unrecognised_licence_file_is_a_licence_of_unknown_terms(tmp_path: Path) -> None:
    """As a listed file the store did not read: a licence exists and its terms are not known, so every grade
    a licence decides is unknown, never "no licence"; the same README without the file is graded as before."""
    with_file = _assess(_folder(tmp_path / "unk", {"LICENSE": UNKNOWN}))
    without = _assess(_folder(tmp_path / "none", {}))
    assert _licence(with_file).detail["files_unknown"] == ["LICENSE"]
    assert (without.osai["licenses"], without.osai["weights_endmodel"]) == ("closed", "open")
    assert (with_file.osai["licenses"], with_file.osai["weights_endmodel"]) == ("unknown", "unknown")
    assert "licence file present, not identified (LICENSE)" in with_file.osai_basis["licenses"]
    assert without.osaid.verdict == "fail" and "parameters-license" in without.osaid.missing
    assert with_file.osaid.verdict == "insufficient" and "parameters-license" in with_file.osaid.notes
    assert "parameters-license" not in without.osaid.notes
    # a code-only licence file of unknown terms leaves the weights as they were
    code_only = _assess(_folder(tmp_path / "code", {"LICENSE-CODE": UNKNOWN}))
    assert code_only.osai["weights_endmodel"] == "open" and code_only.osai["licenses"] == "unknown"


@pytest.mark.timeout(20)
def test_unreadable_licence_files_are_warnings(tmp_path: Path, cli) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "LICENSE").write_text(APACHE)
    cases = {"binary": lambda r: (r / "LICENSE").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
             "symlink": lambda r: (r / "LICENSE").symlink_to(outside / "LICENSE"),
             "fifo": lambda r: os.mkfifo(r / "LICENSE")}
    words = {"binary": "is not text (binary)", "symlink": "symbolic link that leads out of the folder",
             "fifo": "not a regular file"}
    for name, make in cases.items():
        root = _folder(tmp_path / name, {})
        make(root)
        a = _assess(root)
        assert _licence(a).status == "no_license", name               # never the outside file's Apache-2.0
        assert _files(a)["LICENSE"]["read"] is False, name
        assert any(words[name] in w for w in a.warnings), (name, a.warnings)
        r = cli("--db", tmp_path / "none.duckdb", "assess", root, "--json")
        assert r.code == 0 and words[name] in r.stderr and "Traceback" not in r.stderr, name
        assert json.loads(r.stdout)["id"] == name
    inside = _folder(tmp_path / "inside", {"docs/LICENSE.txt": APACHE})
    (inside / "LICENSE").symlink_to(inside / "docs" / "LICENSE.txt")   # a link within the folder is read
    assert _licence(_assess(inside)).license == "apache-2.0"


def test_a_large_licence_file_is_read_bounded(tmp_path: Path) -> None:
    root = _folder(tmp_path / "big", {"LICENSE": APACHE + ("   filler line\n" * 80_000)})
    a = _assess(root)
    assert _licence(a).license == "apache-2.0"
    assert any("larger than 1,000,000 bytes" in w for w in a.warnings)


def test_readme_and_licence_file_contradiction_is_flagged(tmp_path: Path) -> None:
    readme = "---\nlicense: apache-2.0\n---\n" + README
    a = _assess(_folder(tmp_path / "contra", {"LICENSE": LLAMA31}, readme))
    flags = [f for f in a.flags if f["flag"] == "license-file-contradicts-card"]
    assert len(flags) == 1 and "'llama3.1'" in flags[0]["detail"] and "'apache-2.0'" in flags[0]["detail"]
    file_ev, readme_ev = flags[0]["evidence"]
    assert file_ev["kind"] == "file" and file_ev["locator"].endswith("/LICENSE#L1")
    assert file_ev["snippet"] == "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT"
    assert readme_ev["kind"] == "hub_metadata" and readme_ev["locator"].endswith("README.md#L2")
    agree = _assess(_folder(tmp_path / "agree", {"LICENSE": LLAMA31}, readme.replace("apache-2.0", "llama3.1")))
    assert not [f for f in agree.flags if f["flag"] == "license-file-contradicts-card"]
    # the card's text naming the weights' licence against LICENSE-MODEL
    card = README + "\n## License\n\nThe model weights are released under CC BY-NC 4.0.\n"
    b = _assess(_folder(tmp_path / "card", {"LICENSE-MODEL": APACHE}, card))
    flags = [f for f in b.flags if f["flag"] == "license-file-contradicts-card"]
    assert len(flags) == 1 and [e["kind"] for e in flags[0]["evidence"]] == ["file", "card"]
    # a code licence file beside a card that names the weights' licence contradicts nothing
    c = _assess(_folder(tmp_path / "code", {"LICENSE-CODE": MIT}, card))
    assert not [f for f in c.flags if f["flag"] == "license-file-contradicts-card"]


def test_a_modified_mit_licence_file_is_graded_as_modified(tmp_path: Path) -> None:
    plain = _assess(_folder(tmp_path / "plain", {"LICENSE": MIT}))
    assert plain.osai["licenses"] == "open" and plain.components["Model parameters (Final)"].status == "open_license"
    a = _assess(_folder(tmp_path / "kimi", {"LICENSE": MIT + "\n" + KIMI_CLAUSE + "\n"}))
    f = _licence(a)
    assert f.status == "restrictive_license" and _files(a)["LICENSE"]["license"] == "modified-mit"
    assert f.evidence[0].locator.endswith("/LICENSE#L23") and f.evidence[0].snippet.startswith("Our only modification")
    assert a.osai["licenses"] == "partial"                    # open in most terms, not OSI-approved
    assert a.components["Model parameters (Final)"].status == "restrictive_license"
    assert a.osai["weights_endmodel"] == "open"              # no agreement to accept: not presumed gated


def test_readme_link_says_what_a_plain_licence_file_covers(tmp_path: Path) -> None:
    card = README + "\n## License\n\nCode license: [MIT](LICENSE). Model weights: CC BY-NC 4.0.\n"
    a = _assess(_folder(tmp_path / "scoped", {"LICENSE": MIT, "train.py": "x\n"}, card))
    assert _files(a)["LICENSE"]["covers"] == ["code"]
    assert a.components["Training code"].license == "mit"
    assert a.components["Model parameters (Final)"].status == "restrictive_license"


def test_cli_text_output_lists_licence_files(tmp_path: Path, cli) -> None:
    root = _folder(tmp_path / "ds", {"LICENSE-CODE": MIT, "LICENSE-MODEL": DEEPSEEK})
    r = cli("--db", tmp_path / "none.duckdb", "assess", root)
    assert r.code == 0, r.stderr
    text = " ".join(r.stdout.split())
    assert "licence file LICENSE-CODE (covers code): mit" in text
    assert "licence file LICENSE-MODEL (covers weights): deepseek" in text


# -- a stored model: the file list names a licence file whose text the store does not keep ---------------


def test_stored_model_with_a_licence_file_says_it_was_not_read(tmp_path: Path, cli) -> None:
    models = [{"id": "acme/lic", "author": "acme", "tags": [], "siblings": [{"rfilename": "LICENSE"},
                                                                          {"rfilename": "model.safetensors"}]},
              {"id": "acme/nolic", "author": "acme", "tags": [], "siblings": [{"rfilename": "model.safetensors"}]}]
    mp = tmp_path / "models.jsonl"
    mp.write_text("\n".join(json.dumps(m) for m in models) + "\n")
    db = tmp_path / "s.duckdb"
    store = open_store(db)
    try:
        ingest_file(store, mp)
        refresh(store)
        for mid in ("acme/lic", "acme/nolic"):   # the set-based rows and the per-model grades agree
            a = assess_record(from_store(store, mid))
            stored = {(r[0], r[1]): (r[2], r[3]) for r in store.con.execute(
                "SELECT framework, dimension, grade, score FROM openness WHERE id = ?", [mid]).fetchall()}
            assert stored == {(fw, d): (g, s) for fw, d, g, s, _ in openness_rows(a)}, mid
        lic = assess_record(from_store(store, "acme/lic"))
        f = _licence(lic)
        assert f.status == "no_license" and f.detail["files_unread"] == ["LICENSE"]
        ev = [e for e in f.evidence if e.kind == "file_list"]
        assert ev and ev[0].locator == "https://huggingface.co/acme/lic/blob/main/LICENSE"
        assert "its text was not read" in ev[0].snippet
        assert "files_unread" not in _licence(assess_record(from_store(store, "acme/nolic"))).detail
    finally:
        store.close()
    r = cli("--db", db, "assess", "acme/lic")
    assert r.code == 0 and "licence file LICENSE: in the file list, its text not read" in " ".join(r.stdout.split())
