"""The crawl is a source-to-store job: it must not import derive (docs/development.md; /work/shared/DESIGN.md, "A
module imports only from layers to its left"). The licence-file rules it needs (which files, their order, the file
a ``license_link`` names, decoding, the not-a-licence check) live in :mod:`openscope.sources.license_files`, and
derive re-exports them under their old names."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_crawl_loads_no_derive_module() -> None:
    code = ("import sys, openscope.jobs.crawl, openscope.sources.hub, openscope.sources.license_files; "
            "print(','.join(sorted(m for m in sys.modules if m.startswith('openscope.derive'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_derive_keeps_the_moved_names_and_they_are_the_same_objects() -> None:
    from openscope.derive.openness import license_files as derived
    from openscope.sources import license_files as source

    for name in ("MAX_LINK_CHARS", "TEXT_EXTENSIONS", "decode_text", "is_license_file", "link_repo_id", "link_target",
                 "not_a_licence_text", "reading_priority", "reuse_id", "scope_of_name"):
        assert getattr(derived, name) is getattr(source, name), name
    assert source.link_repo_id("dataset", "o/d") == "datasets/o/d" and source.link_repo_id("model", "o/m") == "o/m"
    assert source.link_target("https://huggingface.co/datasets/o/d/blob/main/LICENSE",
                              source.link_repo_id("dataset", "o/d"), {"LICENSE"}) == "LICENSE"
