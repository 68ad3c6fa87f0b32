"""Curated data shipped with openscope; each folder carries the ATTRIBUTION.md of its sources."""
