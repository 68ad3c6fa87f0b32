"""The store: one DuckDB file owning the contract's tables, every write a transaction."""

from openscope.store.db import SCHEMA_VERSION, Store, default_db_path, on_write_open, open_store

__all__ = ["SCHEMA_VERSION", "Store", "default_db_path", "on_write_open", "open_store"]
