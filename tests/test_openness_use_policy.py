"""A use policy beside an open licence: the ``open-license-with-use-restrictions`` flag (derive/openness/use_policy.py).

An OSI-approved licence grants use for any purpose (the OSD's clauses 5 and 6, OSAID 1.0's first freedom); a release
tagged with one whose card, access form, ``license_name`` or repository binds its users to a use policy is flagged,
with the restricting line or the file as evidence. Advice is not a restriction, nor is a licence's own text, nor an
access form that only asks for contact details. Cards are written here (own words); the store is built by our own
ingest from Hub API entries written here, and ``assess`` reads it through the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from evidence33_cards import CARDS

from openscope.derive.openness.assessment import Assessment, assess_record
from openscope.derive.openness.records import from_text
from openscope.derive.openness.use_policy import FLAG
from openscope.jobs.ingest import ingest_file
from openscope.store import open_store


def _card(text: str, mid: str = "acme/m") -> Assessment:
    return assess_record(from_text(mid, text), use_curated=False)


def _flags(a: Assessment) -> list[dict[str, Any]]:
    return [f for f in a.flags if f["flag"] == FLAG]


def _licensed(tag: str, body: str, front: str = "") -> str:
    return f"---\nlicense: {tag}\n{front}---\n# M\n\nA small text model.\n\n{body}\n"


def test_an_acceptable_use_policy_beside_apache_is_flagged_with_its_line() -> None:
    """The eleventh evidence round's rule question (chat_aup): Apache-2.0 and "subject to … our Acceptable Use
    Policy, which forbids … military applications". Fails without the flag (no flag at all before it)."""
    mid, text = CARDS["chat_aup"]
    a = _card(text, mid)
    [flag] = _flags(a)
    assert flag["detail"] == "declares 'apache-2.0' (open: use for any purpose) but restricts use in its card's terms"
    [ev] = flag["evidence"]
    assert ev["kind"] == "card" and ev["locator"] == f"{mid}#L11-L12"
    assert "subject to the Apache 2.0 license and to our [Acceptable Use Policy]" in ev["snippet"]
    assert a.osai["licenses"] == "open"   # the grades are not moved (docs/openness.md says why)


@pytest.mark.parametrize("sentence", [
    "You may not use this model for military applications or for surveillance.",
    "By downloading the weights you agree not to use them to build weapons.",
    "The model must not be used to generate political campaign material.",
    "Commercial use is strictly prohibited.",
    "Use of the model for medical diagnosis is not permitted.",
    "The Usage Policy, which prohibits harassment and spam, applies to every user.",
    "Users must comply with our Acceptable Use Policy.",
    "Prohibited uses of the model are outlined in the Prohibited Use Policy.",
])
def test_a_binding_restriction_beside_mit_is_flagged(sentence: str) -> None:
    """Each binding form of a use restriction (a use policy one is subject to, a forbidden use in the words of an
    obligation). Kills each alternative of use_policy.RESTRICTION dropped, and the open-licence test removed."""
    [flag] = _flags(_card(_licensed("mit", f"## Terms\n\n{sentence}")))
    assert flag["evidence"][0]["kind"] == "card"
    assert flag["evidence"][0]["locator"] == "acme/m#L10"


@pytest.mark.parametrize("body", [
    "We encourage users to use the model responsibly and to report misuse.",
    "Please use responsibly.",
    "## Bias, Risks and Limitations\n\nThe model may produce biased or false statements; users should check them.",
    "## Out-of-Scope Use\n\nThe model should not be used for medical advice: it performs poorly on clinical text.",
    "## License\n\nLicensed under the Apache License, Version 2.0 (the \"License\"); you may not use this file except "
    "in compliance with the License. You may obtain a copy of the License at the usual address.",
    "## License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software, to "
    "deal in the Software without restriction, including without limitation the rights to use, copy, modify.",
    "The outputs may not be accurate for languages other than English.",
    "You may not use these model weights except in compliance with the License.",
    "See our responsible AI guidelines for advice on deploying the model.",
])
def test_advice_and_a_licence_text_restrict_nothing(body: str) -> None:
    """Recommendations, limitations, out-of-scope performance notes and a licence's own text are no use restriction.
    Kills RESTRICTION taking "should not", the Apache header's "except in compliance" guard dropped, or a bare
    "may not" read as binding."""
    assert _flags(_card(_licensed("apache-2.0", body))) == []


@pytest.mark.parametrize("tag", ["llama3.1", "cc-by-nc-4.0", "other"])
def test_a_use_policy_under_a_restrictive_licence_is_not_open_washing(tag: str) -> None:
    """The restriction is already in the licence's grade: nothing open is claimed. Kills declared_open returning the
    licence whatever its class."""
    assert _flags(_card(_licensed(tag, "Users must comply with our Acceptable Use Policy."))) == []


def test_the_access_form_and_license_name_restrict_use() -> None:
    """The Hub's access form (a prompt, a field's label) and ``license_name`` are the release's terms too; a form
    that asks only for contact details is not. Evidence: the front-matter line. Kills _gate_texts (a prompt, a
    field's label), GATE_ONLY and LICENSE_NAME each dropped."""
    prompt = "extra_gated_prompt: By requesting access you agree to comply with the Acceptable Use Policy.\n"
    [flag] = _flags(_card(_licensed("apache-2.0", "", prompt)))
    assert flag["detail"].endswith("restricts use in its access form")
    assert flag["evidence"] == [{"kind": "hub_metadata", "locator": "acme/m#L3", "read_at": flag["evidence"][0]["read_at"],
                                 "snippet": "extra_gated_prompt: By requesting access you agree to comply with the "
                                            "Acceptable Use Policy."}]
    fields = "extra_gated_fields:\n  Affiliation: text\n  I will use the model for research purposes only: checkbox\n"
    [flag] = _flags(_card(_licensed("mit", "", fields)))
    assert "research purposes only" in flag["evidence"][0]["snippet"]
    [flag] = _flags(_card(_licensed("apache-2.0", "", "license_name: apache-2.0-with-aup\n")))
    assert flag["evidence"][0]["snippet"] == "license_name: apache-2.0-with-aup"
    contact = ("extra_gated_prompt: You agree to share your contact information to access this model.\n"
               "extra_gated_fields:\n  Name: text\n  Email: text\n")
    assert _flags(_card(_licensed("apache-2.0", "", contact))) == []


def _entry(mid: str, files: list[str], tags: list[str], **extra: Any) -> dict[str, Any]:
    return {"id": mid, "author": mid.split("/")[0], "tags": tags, "siblings": [{"rfilename": f} for f in files],
            "createdAt": "2024-01-01T00:00:00.000Z", "lastModified": "2024-02-01T00:00:00.000Z", **extra}


W = "model.safetensors"
ENTRIES = [
    _entry("u/aup-file", [W, "USE_POLICY.md"], ["license:apache-2.0"]),
    _entry("u/aup-nested", [W, "docs/Acceptable-Use-Policy.pdf"], ["license:mit"]),
    _entry("u/gate", [W], ["license:apache-2.0"], gated="manual",
           cardData={"license": "apache-2.0",
                     "extra_gated_prompt": "You agree not to use the model for surveillance of any person."}),
    _entry("u/contact", [W], ["license:apache-2.0"], gated="auto",
           cardData={"license": "apache-2.0", "extra_gated_prompt": "Please share your name and affiliation."}),
    _entry("u/policy-restrictive", [W, "USE_POLICY.md"], ["license:cc-by-nc-4.0"]),
    _entry("u/plain", [W, "POLICY_NOTES.md", "usage.md"], ["license:apache-2.0"]),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of the entries above (metadata only: file lists, tags, front matter; no card text)."""
    tmp = tmp_path_factory.mktemp("aup")
    mp = tmp / "models.jsonl"
    mp.write_text("\n".join(json.dumps(e) for e in ENTRIES) + "\n")
    path = tmp / "s.duckdb"
    store = open_store(path)
    try:
        ingest_file(store, mp)
    finally:
        store.close()
    return path


@pytest.mark.parametrize(("mid", "snippet"), [
    ("u/aup-file", "use-policy file: USE_POLICY.md"),
    ("u/aup-nested", "use-policy file: docs/Acceptable-Use-Policy.pdf"),
    ("u/gate", "extra_gated_prompt: You agree not to use the model for surveillance of any person."),
    ("u/contact", None),
    ("u/policy-restrictive", None),
    ("u/plain", None),
])
def test_a_stored_models_metadata_flags_it_in_assess_json(db: Path, cli: Any, mid: str, snippet: str | None) -> None:
    """The set-based inputs (the file list, the stored front matter) without any card text: a use-policy file or a
    restricting access prompt beside an open tag is flagged in ``assess --json``; a contact-only prompt, a
    restrictive tag and files whose names are no use policy are not. Kills POLICY_FILE's basename reading (a
    nested file), its names, and the stored front matter (``card_data``) not read when there is no card."""
    r = cli("--db", db, "assess", mid, "--json")
    assert r.code == 0, r.stderr
    got = [f for f in json.loads(r.stdout)["flags"] if f["flag"] == FLAG]
    if snippet is None:
        assert got == []
        return
    [flag] = got
    assert flag["evidence"][0]["snippet"] == snippet
    if snippet.startswith("use-policy file"):
        assert flag["evidence"][0] == {"kind": "file_list", "read_at": flag["evidence"][0]["read_at"],
                                       "locator": f"https://huggingface.co/{mid}/blob/main/{snippet.split(': ')[1]}",
                                       "snippet": snippet}
