"""Licences: the catalogue, the normaliser, per-model licences and their flow-down along lineage.

Public API (other parts import these):

- :func:`normalize_license` (raw value → :class:`LicenseMatch`)
- :func:`get_license` (id / alias → :class:`LicenseInfo` with its :class:`Clause` list)
- :func:`model_licenses` (the contract's `license` JSON for a model in the store)
- :func:`dataset_license` (`license --dataset`'s JSON for a dataset in the store)
- :func:`refresh` (the derive step: ``licenses``, ``license_catalogue`` and ``license_flow`` tables)
"""

from __future__ import annotations

from openscope.derive.licenses.catalogue import (
    CLASSES,
    Clause,
    LicenseInfo,
    all_licenses,
    get_license,
    suggest,
)
from openscope.derive.licenses.datasets import dataset_license
from openscope.derive.licenses.flowdown import match_attributes, model_licenses, refresh, resolve_declaration
from openscope.derive.licenses.normalize import KINDS, LicenseMatch, normalize_license

__all__ = [
    "CLASSES",
    "KINDS",
    "Clause",
    "LicenseInfo",
    "LicenseMatch",
    "all_licenses",
    "dataset_license",
    "get_license",
    "match_attributes",
    "model_licenses",
    "normalize_license",
    "refresh",
    "resolve_declaration",
    "suggest",
]
