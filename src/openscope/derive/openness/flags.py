"""Open-washing flags: claims of openness that the records contradict.

Five flags, each with its evidence:

* ``open-source-claim-with-closed-parts``: the card says "open source" while the training data or the
  training code is not released, or the weights are not under an open licence;
* ``card-license-contradicts-hub-tag``: the licence the card's text names for the weights (or for the whole
  release) differs from the Hub's ``license:`` tag; a licence it names only for the code or the data is not
  compared (:mod:`.probes._license_scope`);
* ``license-file-contradicts-card``: a licence file of the folder (:mod:`.license_files`) names another licence
  than the README for what the file covers: the README's declared licence (front matter) or the licence its
  text names for the weights, against ``LICENSE`` / ``LICENSE-MODEL``; the licence its text names for the code,
  against ``LICENSE-CODE``. Evidence: the file's identifying line and the README's;
* ``license-contradicts-base``: the model declares an open licence while its lineage root's licence is
  restrictive (a derivative cannot relax its base's terms; where the catalogue's flow-down rule says its
  terms bind the declared licence, the parameters are graded by the base's licence: :mod:`.inheritance`);
  a base whose licence class is unknown is not flagged. Without a lineage root, the base the card declares is used when
  it resolves to a curated family (its weights' cited licence). Every other ancestor whose terms bind the
  weights (a CC BY-NC finetune in the middle of the chain) is flagged too, once per ancestor;
* ``open-license-with-use-restrictions``: an open licence is declared while the card's terms, the Hub's access form,
  ``license_name`` or a use-policy file restrict use (:mod:`.use_policy`).
"""

from __future__ import annotations

from typing import Any

from openscope.derive.openness import use_policy
from openscope.derive.openness.evaluations.osai import Side
from openscope.derive.openness.evaluations.osaid import OsaidResult
from openscope.derive.openness.licensing import classify
from openscope.derive.openness.probes import Finding
from openscope.derive.openness.records import ModelRecord

# Names the card text can only give as a family ("Open RAIL++-M", "CreativeML OpenRAIL-M" are all read as
# "openrail"): a Hub tag of the same family is the same licence named more precisely, not a contradiction
# (stable-diffusion-2's card, tagged openrail++, was flagged).
FAMILY_NAMES = {"openrail": "rail"}


def _same_family(hub_id: str, card_id: str) -> bool:
    family = FAMILY_NAMES.get(card_id.lower())
    return family is not None and family in hub_id.lower()


def _ev(side: Side, probe: str) -> list[dict[str, str]]:
    f = side.findings.get(probe)
    return [e.as_json() for e in f.evidence] if f else []


def flags(rec: ModelRecord, end: Side, osaid_result: OsaidResult, base: Side | None = None,
          declared: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The open-washing flags; ``declared`` is the base the card declares (when no lineage root is known)."""
    out: list[dict[str, Any]] = []
    claim = end.findings.get("open_source_claim")
    if claim is not None and claim.outcome == "positive":
        closed = []
        if not end.facts["Datasets"].released and not end.facts["Data card"].released:
            closed.append("training data")
        if not end.facts["Training code"].released:
            closed.append("training code")
        if end.facts["Model parameters (Final)"].status != "open_license":
            closed.append("weights under an open licence")
        if closed:
            out.append({
                "flag": "open-source-claim-with-closed-parts",
                "detail": "the card claims \"open source\" but these are not released openly: " + ", ".join(closed),
                "evidence": _ev(end, "open_source_claim"),
            })
    lic = end.findings.get("license_declared")
    if lic is not None:
        contradiction = card_tag_contradiction(lic)
        if contradiction is not None:
            out.append(contradiction)
    if lic is not None:
        out.extend(_file_contradictions(rec, lic))
    restricted = use_policy.flag(rec, lic.detail.get("card_weights") if lic is not None else None)
    if restricted is not None:
        out.append(restricted)
    if base is not None and rec.root is not None:
        vb, ve = classify(rec.root.license), classify(rec.license)
        # a base whose licence is unknown (`other`, unrecognised) contradicts nothing we can show
        if vb.open is False and vb.cls not in (None, "unknown") and ve.open and not _licensor(rec.id, rec.root.id):
            out.append({
                "flag": "license-contradicts-base",
                "base": rec.root.id,
                "detail": f"declares {rec.license!r} (open) but its base {rec.root.id} is under {rec.root.license!r}",
                "evidence": [{"kind": "hub_metadata", "locator": rec.root.locator,
                              "snippet": f"license: {rec.root.license}" + _last_read(rec.root), "read_at": rec.read_at}],
            })
    elif base is not None and declared is not None:
        bp = base.facts["Model parameters (Final)"]
        own = rec.license or (lic.detail.get("file_weights") or lic.detail.get("card_weights") if lic is not None else None)
        if bp.status == "restrictive_license" and classify(own).open and not _licensor_declared(rec):
            out.append({
                "flag": "license-contradicts-base",
                "base": declared["family"],
                "detail": f"declares {own!r} (open) but the base it declares, {declared['family']}, "
                          f"is under {bp.license!r}",
                "evidence": [declared["evidence"]] + [e.as_json() for e in bp.evidence[:1]],
            })
    out.extend(_binding_ancestors(end, {f.get("base") for f in out if f["flag"] == "license-contradicts-base"}))
    return out


def _last_read(root: ModelRecord) -> str:
    """What a root deleted from the Hub adds to its licence's snippet (its page no longer answers): the words the
    inheritance evidence uses (:func:`.ancestry.as_last_read`)."""
    gone = root.cache.get("deleted_on")
    return f" (deleted from the Hub on {gone}; its licence as last read)" if gone else ""


def card_versus_tag(lic: Finding) -> bool | None:
    """Whether the licence the card's text names for the weights (or the whole release) is another licence than
    the Hub's ``license:`` tag (:func:`.probes.license_declared.run`'s ``declared`` and ``card_weights``): True;
    False when it is the same licence, the same family named less precisely, or a modified permissive licence under
    the Hub's ``other``; None when there is nothing to compare (no tag, no licence named for the weights, only the
    catch-all ``other``, or a name no licence is known by). A "Code License" badge beside a Hub tag that names the
    weights' licence is not compared. One reading for ``assess`` (:func:`card_tag_contradiction`) and ``openscope
    license ID`` (:mod:`openscope.derive.licenses.card`), which also shows two open licences that differ (MIT
    against Apache-2.0: the duties differ, the openness does not)."""
    hub, card = lic.detail.get("declared"), lic.detail.get("card_weights")
    if not hub or not card or card == "other":
        return None
    if hub == "other" and card.startswith("modified-"):  # the publisher's own terms, said twice
        return False
    vh, vc = classify(hub), classify(card)
    if not (vh.id and vc.id):
        return None
    return vh.id.lower() != vc.id.lower() and not _same_family(vh.id, vc.id)


def card_tag_contradiction(lic: Finding) -> dict[str, Any] | None:
    """``card-license-contradicts-hub-tag`` from the ``license_declared`` finding, or None: the card names another
    licence than the tag (:func:`card_versus_tag`) and the two differ in openness, or both are restrictive."""
    if not card_versus_tag(lic):
        return None
    hub, card = lic.detail["declared"], lic.detail["card_weights"]
    vh, vc = classify(hub), classify(card)
    if vh.open != vc.open or vh.open is False:
        return {
            "flag": "card-license-contradicts-hub-tag",
            "detail": f"Hub licence tag {hub!r} but the card names {card!r}",
            "evidence": [e.as_json() for e in lic.evidence],
        }
    return None


def _differs(readme: str | None, in_file: str | None) -> bool:
    """Do a README's licence and a licence file's name different terms? Not when either is unknown, when the
    README's is the catch-all ``other`` (a licence outside the Hub's list, which a custom agreement or a
    modified licence is), or when the README names only the family of the file's licence."""
    if not readme or not in_file or (readme == "other" and not classify(in_file).open):
        return False
    if readme.startswith("modified-") and in_file.startswith("modified-"):
        return False
    vr, vf = classify(readme), classify(in_file)
    if not (vr.id and vf.id) or vr.id.lower() == vf.id.lower() or _same_family(vf.id, vr.id):
        return False
    if readme.lower() == in_file.lower():
        return False
    return vr.open != vf.open or vr.open is False


def _file_contradictions(rec: ModelRecord, lic: Any) -> list[dict[str, Any]]:
    """``license-file-contradicts-card``: each licence file whose licence differs from the README's for what
    the file covers (the weights, or the release as a whole: the declared licence, else the licence the card's
    text names for the weights; the code: the licence the card names for the code)."""
    from openscope.derive.openness.inputs import shown
    from openscope.derive.openness.probes.license_declared import file_evidence_items, license_files

    files = license_files(rec)
    if not files:
        return []
    evidence = file_evidence_items(rec, limit=len(files))
    declared = lic.detail.get("declared")
    card_ev = [e for e in lic.evidence if e.kind == "card"]
    decl_ev = [e for e in lic.evidence if e.kind == "hub_metadata"]
    out = []
    for lf, ev in zip(files, evidence, strict=False):
        if lf.license is None:
            continue
        if lf.covers("weights"):
            readme, what = declared or lic.detail.get("card_weights"), "the weights" if lf.scope else "the release"
            rev = decl_ev if declared else card_ev
        elif "code" in lf.scope:
            readme, what, rev = lic.detail.get("card_code"), "the code", card_ev
        else:
            continue
        if _differs(readme, lf.license):
            out.append({
                "flag": "license-file-contradicts-card",
                "file": lf.path,
                # the name as one line without escapes: the detail is printed as text (a name may hold a newline)
                "detail": f"{shown(lf.path)} is {lf.license!r} but the README names {readme!r} for {what}",
                "evidence": [ev.as_json()] + [e.as_json() for e in rev[:1]],
            })
    return out


def _licensor(model_id: str, base_id: str) -> bool:
    """The base's organisation published the model: its licensor, not bound by its licence (:mod:`..licenses.licensor`)."""
    from openscope.derive.licenses.licensor import organisation

    org = organisation(model_id)
    return org is not None and org == organisation(base_id)


def _licensor_declared(rec: ModelRecord) -> bool:
    from openscope.derive.openness.assessment import licensor_declared

    return licensor_declared(rec)


def _binding_ancestors(end: Side, seen: set[Any]) -> list[dict[str, Any]]:
    """``license-contradicts-base`` for every ancestor whose terms bind the weights (:mod:`.inheritance`), not
    only the lineage root: an MIT model built on a CC BY-NC finetune of an Apache-2.0 root contradicts the
    finetune's terms, and its weights are graded by them. Evidence: the weights' own, where it names that
    ancestor (its Hub page or curated family)."""
    fact = end.facts["Model parameters (Final)"]
    inh = fact.inherited or {}
    out: list[dict[str, Any]] = []
    if inh.get("declared") is None:  # the weights declare nothing: the base's terms apply, nothing contradicts them
        return out
    for b in inh.get("bases") or []:
        if b.get("base") in seen:
            continue
        steps = b.get("distance")
        where = f", {steps} lineage step{'s' if steps != 1 else ''} up" if isinstance(steps, int) else ""
        out.append({
            "flag": "license-contradicts-base",
            "base": b.get("base"),
            "detail": f"declares {inh.get('declared')!r} (open) but its ancestor {b.get('base')}{where} is under "
                      f"{b.get('license')!r}, whose terms bind derivatives: " + "; ".join(b.get("reasons") or []),
            "evidence": [e.as_json() for e in fact.evidence if str(b.get("base")) in (e.locator + e.snippet)][:2],
        })
        seen.add(b.get("base"))
    return out
