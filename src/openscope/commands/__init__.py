"""Interfaces: one module per CLI command, each exposing ``register(app)``. They only present."""
