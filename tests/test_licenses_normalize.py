"""The licence normaliser on hand-checked raw values (issue 6 §3).

Each row was checked by hand against the licence it names (or against the reason it names none). The
table is the specification: Hub ids, card spellings, SPDX expressions, links, file names, licence texts
and free text that must never be taken for a licence.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openscope.derive.licenses import get_license, normalize_license

# (raw value, kind, expected catalogue id; None = a compound expression)
HAND_CHECKED: list[tuple[str, str, str | None]] = [
    # Hub licence ids, as in the `license:` tag
    ("apache-2.0", "tag", "apache-2.0"),
    ("mit", "tag", "mit"),
    ("llama2", "tag", "llama2"),
    ("llama3", "tag", "llama3"),
    ("llama3.1", "tag", "llama3.1"),
    ("llama3.2", "tag", "llama3.2"),
    ("llama3.3", "tag", "llama3.3"),
    ("llama4", "tag", "llama4"),
    ("gemma", "tag", "gemma"),
    ("openrail", "tag", "openrail"),
    ("openrail++", "tag", "openrail++"),
    ("creativeml-openrail-m", "tag", "creativeml-openrail-m"),
    ("bigscience-openrail-m", "tag", "bigscience-openrail-m"),
    ("bigscience-bloom-rail-1.0", "tag", "bigscience-bloom-rail-1.0"),
    ("bigcode-openrail-m", "tag", "bigcode-openrail-m"),
    ("cc-by-nc-4.0", "tag", "cc-by-nc-4.0"),
    ("cc-by-nc-sa-4.0", "tag", "cc-by-nc-sa-4.0"),
    ("cc-by-nc-nd-4.0", "tag", "cc-by-nc-nd-4.0"),
    ("cc-by-nc-3.0", "tag", "cc-by-nc-3.0"),
    ("cc-by-4.0", "tag", "cc-by-4.0"),
    ("cc-by-sa-4.0", "tag", "cc-by-sa-4.0"),
    ("cc0-1.0", "tag", "cc0-1.0"),
    ("gpl-3.0", "tag", "gpl-3.0"),
    ("agpl-3.0", "tag", "agpl-3.0"),
    ("lgpl-lr", "tag", "lgpl-lr"),
    ("odc-by", "tag", "odc-by"),
    ("odbl", "tag", "odbl"),
    ("bsd-3-clause", "tag", "bsd-3-clause"),
    ("apple-ascl", "tag", "apple-ascl"),
    ("apple-amlr", "tag", "apple-amlr"),
    ("deepfloyd-if-license", "tag", "deepfloyd-if-license"),
    ("other", "tag", "other"),
    ("unknown", "tag", "unknown"),
    ("Apache-2.0", "tag", "apache-2.0"),
    ("MIT", "tag", "mit"),
    # card `license` / `license_name` spellings
    ("Apache 2.0", "card", "apache-2.0"),
    ("Apache License 2.0", "card", "apache-2.0"),
    ("Apache License, Version 2.0", "card", "apache-2.0"),
    ("apache license 2.0", "card_name", "apache-2.0"),
    ("MIT License", "card_name", "mit"),
    ("The MIT License", "card_name", "mit"),
    ("BSD-3", "card_name", "bsd-3-clause"),
    ("BSD 3-Clause", "card_name", "bsd-3-clause"),
    ("CC BY-SA 4.0", "card_name", "cc-by-sa-4.0"),
    ("CC BY-NC 4.0", "card_name", "cc-by-nc-4.0"),
    ("Creative Commons Attribution Non Commercial 4.0", "card_name", "cc-by-nc-4.0"),
    ("Creative Commons Attribution Non Commercial Share Alike 4.0", "card_name", "cc-by-nc-sa-4.0"),
    ("GNU General Public License v3.0", "card_name", "gpl-3.0"),
    ("Llama 2 Community License Agreement", "card_name", "llama2"),
    ("Meta Llama 3 Community License Agreement", "card_name", "llama3"),
    ("Llama 3.1 Community License Agreement", "card_name", "llama3.1"),
    ("Llama 3.2 Community License", "card_name", "llama3.2"),
    ("Llama 3.3 Community License Agreement", "card_name", "llama3.3"),
    ("Gemma Terms of Use", "card_name", "gemma"),
    ("qwen", "card_name", "qwen"),
    ("Qwen License Agreement", "card_name", "qwen"),
    ("qwen-research", "card_name", "qwen-research"),
    ("tongyi-qianwen", "card_name", "tongyi-qianwen"),
    ("tongyi-qianwen-license-agreement", "card_name", "tongyi-qianwen"),
    ("tongyi-qianwen-research", "card_name", "tongyi-qianwen-research"),
    ("deepseek", "card_name", "deepseek"),
    ("DeepSeek License Agreement", "card_name", "deepseek"),
    ("mrl", "card_name", "mrl"),
    ("Mistral AI Research License", "card_name", "mrl"),
    ("mnpl", "card_name", "mnpl"),
    ("flux-1-dev-non-commercial-license", "card_name", "flux-1-dev-non-commercial-license"),
    ("FLUX.1 [dev] Non-Commercial License", "card_name", "flux-1-dev-non-commercial-license"),
    ("Falcon-180B TII License", "card_name", "falcon-180b-license"),
    ("falcon-llm-license", "card_name", "falcon-llm-license"),
    ("apple-sample-code-license", "card_name", "apple-ascl"),
    ("OpenMDW-1.0", "card_name", "openmdw-1.0"),
    ("CreativeML Open RAIL-M", "card_name", "creativeml-openrail-m"),
    ("CreativeML Open RAIL++-M License", "card_name", "openrail++"),
    ("BigCode OpenRAIL-M v1 license agreement", "card_name", "bigcode-openrail-m"),
    ("OpenRAIL", "card_name", "openrail"),
    ("Proprietary", "card_name", "proprietary"),
    # SPDX expressions stay expressions
    ("Apache-2.0 OR MIT", "tag", None),
    ("mit or apache-2.0", "card", None),
    ("(MIT AND CC-BY-4.0)", "card", None),
    ("MIT/Apache-2.0", "card", None),
    ("The MIT License (MIT)", "card_name", "mit"),
    ("CC-BY-NC-4.0 (non-commercial)", "card_name", "cc-by-nc-4.0"),
    ("GNU GPL v3", "card_name", "gpl-3.0"),
    ("CC BY-NC/SA", "card_name", "cc-by-nc-sa"),
    # links
    ("https://www.apache.org/licenses/LICENSE-2.0", "link", "apache-2.0"),
    ("https://creativecommons.org/licenses/by-nc/4.0/", "link", "cc-by-nc-4.0"),
    ("https://creativecommons.org/licenses/by-sa/4.0/legalcode", "link", "cc-by-sa-4.0"),
    ("https://ai.google.dev/gemma/terms", "link", "gemma"),
    ("https://mistral.ai/licenses/MRL-0.1.md", "link", "mrl"),
    ("https://mistral.ai/licenses/MNPL-0.1.md", "link", "mnpl"),
    ("https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct/blob/main/LICENSE", "link", "llama3.1"),
    ("https://www.llama.com/llama3_3/license/", "link", "llama3.3"),
    ("https://huggingface.co/black-forest-labs/FLUX.1-dev/blob/main/LICENSE.md", "link", "flux-1-dev-non-commercial-license"),
    ("https://spdx.org/licenses/MIT.html", "link", "mit"),
    ("https://opensource.org/licenses/MIT", "link", "mit"),
    # file names
    ("LICENSE-APACHE", "file", "apache-2.0"),
    ("LICENSE.mit", "file", "mit"),
    ("LICENSE", "file", "unknown"),
    ("LICENSE.txt", "file", "unknown"),
    ("LICENSE-MODEL", "file", "unknown"),
    ("USE_POLICY.md", "file", "unknown"),
    ("README.md", "file", "unknown"),
    # free text that names no licence
    ("Component not included", "card_name", "unknown"),
    ("Component not include.", "card_name", "unknown"),
    ("see website", "card_name", "unknown"),
    ("See LICENSE file", "card_name", "unknown"),
    ("N/A", "card_name", "unknown"),
    ("TBD", "card_name", "unknown"),
    ("proprietary?", "card_name", "unknown"),
    ("Undisclosed", "card_name", "unknown"),
    ("unlicensed", "card_name", "unknown"),
    ("", "tag", "unknown"),
    ("license", "card_name", "unknown"),
    ("Unknown (Apache-2.0?)", "card_name", "unknown"),
    ("https://arxiv.org/pdf/2401.06066", "card_name", "unknown"),
    ("datasets with \"mit\" “apache-2”, “bsd-3-clause”", "card_name", "unknown"),
    ("License only specified in original dataset starcoderdata", "card_name", "unknown"),
    ("Apache-2.0 and Community License for Baichuan2 Model", "card_name", "unknown"),
]


def test_table_is_big_enough() -> None:
    assert len(HAND_CHECKED) >= 60
    assert len({(r, k) for r, k, _ in HAND_CHECKED}) == len(HAND_CHECKED)


@pytest.mark.parametrize(("raw", "kind", "expected"), HAND_CHECKED)
def test_hand_checked(raw: str, kind: str, expected: str | None) -> None:
    m = normalize_license(raw, kind=kind)
    assert m.id == expected, (raw, m)
    if expected is None:
        assert m.expression and m.reason
    elif expected == "unknown":
        assert m.reason, f"unknown without a reason for {raw!r}"
        assert m.license is None
    else:
        assert get_license(expected) is not None
        assert m.confidence > 0
        assert m.evidence.startswith(kind)


def test_expression_is_normalised_not_collapsed() -> None:
    m = normalize_license("apache-2.0 or mit", kind="card")
    assert (m.id, m.expression) == (None, "Apache-2.0 OR MIT")
    assert m.cls == "permissive"
    assert m.license == "Apache-2.0 OR MIT"
    # OR: the licensee may pick the least restrictive option; AND: every part applies
    assert normalize_license("CC-BY-NC-4.0 OR MIT").cls == "permissive"
    assert normalize_license("CC-BY-NC-4.0 AND MIT").cls == "non_commercial"
    assert normalize_license("(GPL-3.0-only OR MIT) AND Apache-2.0").expression == "(GPL-3.0-only OR MIT) AND Apache-2.0"


def test_expression_with_an_unknown_part_is_unknown_with_reason() -> None:
    m = normalize_license("MIT OR some-house-licence", kind="card")
    assert m.id == "unknown"
    assert "some-house-licence" in m.reason


def test_single_spdx_id_keeps_its_spdx_form() -> None:
    m = normalize_license("apache-2.0")
    assert (m.id, m.expression, m.confidence) == ("apache-2.0", "Apache-2.0", 1.0)
    assert normalize_license("llama3.1").expression is None


def test_confidence_depends_on_where_the_value_came_from() -> None:
    assert normalize_license("mit", kind="tag").confidence > normalize_license("mit", kind="file").confidence
    assert normalize_license("mit", kind="tag").confidence > normalize_license("MIT License", kind="card_name").confidence


def test_licence_texts_are_recognised_by_their_titles() -> None:
    apache = "                                 Apache License\n                           Version 2.0, January 2004\n" + "x" * 200
    assert normalize_license(apache, kind="text").id == "apache-2.0"
    mit = "MIT License\n\nCopyright (c) 2024 Someone\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\n"
    assert normalize_license(mit, kind="text").id == "mit"
    llama = "LLAMA 3.2 COMMUNITY LICENSE AGREEMENT\nLlama 3.2 Version Release Date: September 25, 2024\n" + "y" * 200
    assert normalize_license(llama, kind="text").id == "llama3.2"
    other = "These are the terms of a licence nobody has catalogued.\n" * 5
    m = normalize_license(other, kind="text")
    assert m.id == "unknown" and m.reason


def test_card_license_list_means_all_apply() -> None:
    m = normalize_license('["mit", "cc-by-nc-4.0"]', kind="card")
    assert m.id is None and m.expression == "MIT AND CC-BY-NC-4.0"
    assert m.cls == "non_commercial"
    assert normalize_license('["apache-2.0"]', kind="card").id == "apache-2.0"


def test_bad_kind_is_rejected() -> None:
    with pytest.raises(ValueError):
        normalize_license("mit", kind="carrier-pigeon")


def test_none_is_unknown_with_reason() -> None:
    m = normalize_license(None)
    assert m.id == "unknown" and m.reason == "no licence declared"

_PIECES = st.sampled_from(["MIT", "apache-2.0", "AND", "OR", "WITH", "(", ")", "/", "llama3.1", "?", "see",
                           "license", "Classpath-exception-2.0", "https://", "cc-by-nc-4.0", "[", "]", ",", "\n"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(_PIECES, max_size=8).map(" ".join)),
       st.sampled_from(["tag", "card", "card_name", "link", "file", "text"]))
def test_any_input_gives_an_answer_never_an_error(raw: str, kind: str) -> None:
    m = normalize_license(raw, kind=kind)
    if m.id is None:
        assert m.expression and m.reason
    elif m.id == "unknown":
        assert m.reason
    else:
        assert get_license(m.id) is not None
    assert 0.0 <= m.confidence <= 1.0
