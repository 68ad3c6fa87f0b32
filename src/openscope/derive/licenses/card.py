"""What a model's card names for its weights against its Hub ``license:`` tag, for `openscope license ID` and `model ID`.

Why: a governance team reads ``openscope license ID`` to decide on adoption; the licence there is the Hub tag's (the
card's ``license:``), and a card whose text says "the weights are released under MIT" beside an ``apache-2.0`` tag
leaves open which terms the publisher meant. ``assess`` flags that (``card-license-contradicts-hub-tag``) but the
licence answer said nothing. Why not a second reader: the openness side already reads which licence a card's text
names and what it covers (the ``license_declared`` probe with :mod:`..openness.probes._license_scope`); this module
loads the stored model's record as ``assess ID`` does (:func:`..openness.records.load_record`, without the
lineage root or ancestors, which the probe does not read), runs that probe, and compares with
:func:`..openness.flags.card_versus_tag`. The openness modules are imported when a model is answered, never for a
licence lookup, so ``license mit`` starts as light as before (``tests/test_cli_startup.py``).

The comparison is the one ``assess`` makes, with one difference a governance reader needs: two open licences that
differ (MIT on the card, Apache-2.0 on the tag) are shown too, since their duties differ (Apache-2.0's NOTICE file
and change notices); ``assess`` flags only a difference in openness (``open_washing`` says whether it does).
"""

from __future__ import annotations

from typing import Any

from openscope.store import Store


def card_license(store: Store, model_id: str) -> dict[str, Any] | None:
    """``card_license`` of the licence document: ``None`` when the store holds no card text for the model (nothing
    was read: whether the card agrees with the tag is unknown), else ``{tag, card, contradicts, open_washing, detail,
    evidence}``. ``card`` is the licence the card's text names for the weights or the whole release (``None``: it
    names none); ``contradicts`` is true when it is another licence than the tag, false when the same, and ``None``
    when there is nothing to compare; ``open_washing`` is true when ``assess`` flags it
    (``card-license-contradicts-hub-tag``: the two differ in openness, or both are restrictive); ``evidence`` is
    where each was read (the tag, the card's lines)."""
    # most models of a store crawled without --cards have no card text: answered without loading the card reader
    if store.scalar("SELECT count(*) FROM cards WHERE id = ? AND repo_type = 'model' AND text IS NOT NULL",
                    [model_id]) == 0:
        return None
    from openscope.derive.openness.flags import card_tag_contradiction, card_versus_tag
    from openscope.derive.openness.probes import license_declared
    from openscope.derive.openness.records import load_record

    rec = load_record(store, model_id, with_root=False)
    if rec is None or rec.card is None:
        return None
    finding = license_declared.run(rec)
    tag, card = finding.detail.get("declared"), finding.detail.get("card_weights")
    contradicts = card_versus_tag(finding)
    flagged = card_tag_contradiction(finding) is not None
    if contradicts:
        detail = f"the card names {card!r} for the weights but the Hub licence tag is {tag!r}"
    elif contradicts is False:
        detail = f"the card names {card!r} for the weights, as the Hub licence tag ({tag!r})"
    elif card is None or card == "other":
        detail = ("the card's text names no licence for the weights" if card is None else
                  "the card's text names only a licence agreement of the publisher's own (`other`)")
    else:
        detail = f"the card names {card!r}; the model has no Hub licence tag to compare it with"
    return {
        "tag": tag,
        "card": card,
        "contradicts": contradicts,
        "open_washing": flagged,
        "detail": detail,
        "evidence": [e.as_json() for e in finding.evidence if e.kind in ("hub_metadata", "card")],
    }
