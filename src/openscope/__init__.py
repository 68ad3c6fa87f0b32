"""openscope: measure the open-source AI ecosystem (openness, lineage, adoption, safety) with evidence."""

__version__ = "0.1.0"
