"""Is a declared licence open? One answer for probes and SQL, from the licence catalogue.

Why an adapter: the licence catalogue (:mod:`openscope.derive.licenses`) is the authority on classes
(permissive, copyleft, use_restricted, non_commercial, …); openness needs only "open", "restrictive"
or "unknown". When the catalogue is not installed, the SPDX list shipped with the MOF (OSI and FSF
flags) answers for SPDX ids, and anything else declared stays *not open* (a custom or unlisted licence
is not an OSI-approved one), with its class unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from openscope.derive.openness.evaluations.mof import canonical_license, is_open_license

OPEN_CLASSES = {"permissive", "weak_copyleft", "copyleft"}
RESTRICTIVE_CLASSES = {"use_restricted", "non_commercial", "custom_flow_down", "closed"}
NO_LICENSE = {"", "none", "unknown", "unlicensed", "noassertion"}


@dataclass(frozen=True)
class LicenseVerdict:
    declared: str | None
    id: str | None          # catalogue id or SPDX id
    open: bool | None       # None = nothing declared
    osi: bool | None
    cls: str | None
    source: str


def _catalogue():  # the licence issue's module, when present
    try:
        from openscope.derive import licenses
    except ImportError:
        return None
    if not hasattr(licenses, "normalize_license") or not hasattr(licenses, "get_license"):
        return None
    return licenses


@lru_cache(maxsize=4096)
def classify(raw: str | None) -> LicenseVerdict:
    if raw is None or str(raw).strip().lower() in NO_LICENSE:
        return LicenseVerdict(raw, None, None, None, None, "none declared")
    raw = str(raw).strip()
    if raw.lower().startswith("modified-"):
        # a permissive licence its publisher modified (a licence file's "Modified MIT", an edited Apache-2.0 text):
        # no catalogue entry, so the catalogue's "unknown" made a publisher's step read "(now unknown)" for a
        # licence that was identified
        return LicenseVerdict(raw, raw.lower(), False, False, None, "a permissive licence its publisher modified")
    cat = _catalogue()
    if cat is not None:
        try:
            m = cat.normalize_license(raw, kind="tag")
            lid = getattr(m, "id", None) or getattr(m, "expression", None)
            info = cat.get_license(lid) if lid else None
        except Exception:  # the catalogue must never break grading
            info, lid = None, None
        if info is not None:
            cls = getattr(info, "cls", None)
            osi = getattr(info, "osi_approved", None)
            is_open = bool(osi) or cls in OPEN_CLASSES or is_open_license(lid)
            if cls in RESTRICTIVE_CLASSES:
                is_open = False
            return LicenseVerdict(raw, lid, is_open, osi, cls, "licence catalogue")
    spdx = canonical_license(raw)
    if is_open_license(spdx):
        return LicenseVerdict(raw, spdx, True, None, None, "SPDX list (OSI/FSF flags, MOF open data licences)")
    return LicenseVerdict(raw, spdx, False, False, None, "not an OSI/FSF-approved or open data licence")
