"""TensorFlow.js models: ``model.json`` (a graph model or a layers model) and its ``weightsManifest``.

A TF.js ``model.json`` is JSON, recognised by its content (``modelTopology`` with ``weightsManifest``, or a
``format`` of ``graph-model`` / ``layers-model``), not by its name:

- a **graph model** holds a TensorFlow ``GraphDef`` in protobuf's JSON mapping (``modelTopology.node[]`` with
  ``op`` names, functions in ``library.function[].nodeDef[]``, an initializer graph in ``modelInitializer``).
  TF.js itself runs only its own kernels, none of which reads files, reaches a network address or calls
  Python: a graph naming ``ReadFile`` or ``PyFunc`` fails in TF.js. The risk is the same graph run by
  TensorFlow, which is what the tools converting a graph model back into a SavedModel or frozen graph
  (tfjs-graph-converter) make of it; so its ops are judged by the TensorFlow audit's own lists
  (``tf_format.op_table``, attribute conditions included) and reported as ``tfjs.tensorflow_op`` (medium:
  for review, since no TF.js loader runs them), naming the TensorFlow rule the op has there;
- a **layers model** holds a Keras model config (``modelTopology`` or its ``model_config``): it is checked as
  a Keras config is (``keras_format.check_config``: Lambda layers, ``module`` references; tensorflowjs's
  converter turns it back into a Keras model with Keras's own deserializer), and a layer whose class TF.js
  does not ship (rules.yml ``tfjs_layer_classes``) loads only after the application registers a JavaScript
  class of that name: ``tfjs.custom_layer`` (medium, the policy of ``keras.custom_module``).

The ``weightsManifest`` names the shard files the loaders read relative to ``model.json`` (TF.js's file and
HTTP handlers, tensorflowjs's Python ``read_weights``, which joins them with ``os.path.join``): a path that is
absolute, climbs out of the folder or is a URL reads a file elsewhere (``tfjs.weights.path_traversal``, high,
as ``index.path_traversal``); a shard missing beside the model is ``tfjs.weights.missing`` (medium); shards
whose sizes disagree with the weights' shapes and dtypes are ``malformed.tfjs.weights`` (medium).
"""

from __future__ import annotations

import base64
import binascii
import math
import os
import posixpath
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import Any

from openscope.audit import keras_format, tf_format
from openscope.audit.blob import Blob
from openscope.audit.context import Context
from openscope.yamlsafe import safe_load

MAX_NODES = 1_000_000  # graph nodes and config objects looked at per model.json (then incomplete.tfjs_size)
MAX_SITES = 10_000  # distinct findings kept per rule and name
# bytes per element of the dtypes TF.js writes (quantized weights take their quantization dtype's size)
DTYPE_BYTES = {"float32": 4, "int32": 4, "bool": 1, "complex64": 8, "uint8": 1, "uint16": 2, "float16": 2,
               "int8": 1, "int16": 2}
CONTAINERS = ("layers", "layer", "cell", "cells", "forward_layer", "backward_layer")  # keys holding layers


@lru_cache(maxsize=1)
def layer_classes() -> frozenset[str]:
    """The layer and model classes TF.js ships (rules.yml ``tfjs_layer_classes``)."""
    text = resources.files("openscope.audit").joinpath("rules.yml").read_text(encoding="utf-8")
    doc = safe_load(text)
    return frozenset((doc.get("tfjs_layer_classes") or {}).get("classes") or ())


def kind(doc: Any) -> str | None:
    """``tfjs-graph-model`` / ``tfjs-layers-model`` when a parsed JSON document is a TF.js model.json, else None.
    The converter writes ``format``; older ones did not, so a topology with a manifest also counts, told apart
    by its shape (a graph has ``node``)."""
    if not isinstance(doc, dict):
        return None
    fmt, topo = doc.get("format"), doc.get("modelTopology")
    if fmt == "graph-model":
        return "tfjs-graph-model"
    if fmt == "layers-model":
        return "tfjs-layers-model"
    if isinstance(topo, dict) and isinstance(doc.get("weightsManifest"), list):
        return "tfjs-graph-model" if "node" in topo or "library" in topo else "tfjs-layers-model"
    return None


def scan_tfjs(ctx: Context, blob: Blob, doc: dict, fmt: str) -> None:
    topo = doc.get("modelTopology")
    if fmt == "tfjs-graph-model":
        _graph(ctx, blob, doc)
    elif isinstance(topo, dict):
        config = topo.get("model_config", topo)
        keras_format.check_config(ctx, blob, config, 0)
        _layers(ctx, blob, config)
    _manifest(ctx, blob, doc.get("weightsManifest"))


# -- graph models -----------------------------------------------------------------------------------------
def _nodes(doc: dict) -> Iterator[tuple[str | None, Any]]:
    """(function name or None for a main graph, node) for every node of the model and initializer graphs and
    of their function libraries (protobuf's JSON mapping writes ``nodeDef``; ``node_def`` is accepted too)."""
    for key in ("modelTopology", "modelInitializer"):
        graph = doc.get(key)
        if not isinstance(graph, dict):
            continue
        nodes = graph.get("node")
        if isinstance(nodes, list):
            for n in nodes:
                yield None, n
        lib = graph.get("library")
        functions = lib.get("function") if isinstance(lib, dict) else None
        for fn in functions if isinstance(functions, list) else ():
            if not isinstance(fn, dict):
                continue
            sig = fn.get("signature")
            name = sig.get("name") if isinstance(sig, dict) else None
            body = fn.get("nodeDef", fn.get("node_def"))
            for n in body if isinstance(body, list) else ():
                yield (name if isinstance(name, str) else ""), n


def _attr_strings(node: dict, key: str) -> list[str]:
    """The string values of attribute ``key``: ``s`` or ``list.s``, base64 in protobuf's JSON mapping of bytes
    (a value that is not base64 is taken as written, as some writers emit plain text)."""
    attrs = node.get("attr")
    value = attrs.get(key) if isinstance(attrs, dict) else None
    if not isinstance(value, dict):
        return []
    raw: list[Any] = [value["s"]] if "s" in value else []
    lst = value.get("list")
    if isinstance(lst, dict) and isinstance(lst.get("s"), list):
        raw.extend(lst["s"][:tf_format.MAX_ATTR_VALUES])
    out: list[str] = []
    for v in raw:
        if not isinstance(v, str):
            continue
        try:
            out.append(base64.b64decode(v, validate=True).decode("utf-8", "replace")[:tf_format.MAX_ATTR])
        except (binascii.Error, ValueError):
            out.append(v[:tf_format.MAX_ATTR])
    return out


def _graph(ctx: Context, blob: Blob, doc: dict) -> None:
    table = tf_format.op_table()
    hits: dict[tuple[str, str | None], list] = {}
    seen = 0
    for fn, node in _nodes(doc):
        seen += 1
        if seen > MAX_NODES:
            ctx.incomplete(blob, "tfjs_size", f"more than {MAX_NODES:,} graph nodes; the rest were not checked")
            break
        if not isinstance(node, dict) or not isinstance(node.get("op"), str):
            continue
        op = node["op"]
        group = table.get(op)
        if group is None:
            continue
        extra = ""
        if group.attr is not None:
            values = _attr_strings(node, group.attr)
            if not group.applies(values):
                continue
            extra = f" ({group.attr} {', '.join(repr(v[:200]) for v in values[:3])})" if values else ""
        hit = hits.get((op, fn))
        if hit is not None:
            hit[0] += 1
        elif len(hits) < MAX_SITES:
            name = node.get("name")
            hits[(op, fn)] = [1, name if isinstance(name, str) else "", extra]
    for (op, fn), (count, name, extra) in hits.items():
        group = table[op]
        where = "the main graph" if fn is None else f"function {fn[:200]!r}"
        more = f" (and {count - 1:,} more such node(s) there)" if count > 1 else ""
        ctx.add(blob, "tfjs.tensorflow_op", "medium",
                f"node {name[:200]!r}{more} in {where} names the TensorFlow op {op[:200]}{extra}, which the "
                f"TensorFlow audit reports as {group.rule} ({group.severity}): {group.why}. TF.js has no kernel for "
                "it and cannot run it; the risk is this graph converted back to TensorFlow (a SavedModel or frozen "
                "graph made from the graph model) and run there", 0, op)


# -- layers models ----------------------------------------------------------------------------------------
def _layers(ctx: Context, blob: Blob, config: Any) -> None:
    """Layers (and nested models, wrapped layers, RNN cells) whose class TF.js does not ship. Only objects
    where a layer stands are looked at (the model, ``layers``, a wrapper's ``layer``, ``cell``/``cells``):
    initializers, constraints and training settings are not layers, and are not judged by this list."""
    known = layer_classes()
    found: dict[str, list] = {}
    todo: list[Any] = [config]
    seen = 0
    while todo:
        node = todo.pop()
        seen += 1
        if seen > MAX_NODES:
            ctx.incomplete(blob, "tfjs_size", f"more than {MAX_NODES:,} layer objects; the rest were not checked")
            break
        if isinstance(node, list):
            todo.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        cls = node.get("class_name")
        if isinstance(cls, str) and cls not in known and cls not in ("Lambda", "__lambda__"):
            name = node.get("config", {}).get("name") if isinstance(node.get("config"), dict) else None
            if cls in found:
                found[cls][0] += 1
            elif len(found) < MAX_SITES:
                found[cls] = [1, name]
        inner = node.get("config")
        if isinstance(inner, dict):
            todo.extend(inner[k] for k in CONTAINERS if k in inner)
        todo.extend(node[k] for k in CONTAINERS if k in node)
    for cls, (count, name) in found.items():
        more = f" (and {count - 1:,} more such layer(s))" if count > 1 else ""
        ctx.add(blob, "tfjs.custom_layer", "medium",
                f"layer {name!r} of class {cls[:200]!r}{more} is not a class TF.js ships: loading needs the "
                "application to register a JavaScript class of that name (tf.serialization.registerClass), and "
                "converting the model to Keras needs a Python one: code outside the file, not audited here", 0, cls)


# -- the weights manifest ---------------------------------------------------------------------------------
def _outside(path: str) -> bool:
    """Absolute (POSIX, a drive, UNC), climbing out with ``..``, or a URL: what a loader joining it to the
    model's folder would read from elsewhere (Python's os.path.join restarts at an absolute part)."""
    return tf_format.outside(path, schemes=True) or "://" in path


def _manifest(ctx: Context, blob: Blob, manifest: Any) -> None:
    if not isinstance(manifest, list):
        return
    base = _folder(blob)
    for g, group in enumerate(manifest[:MAX_SITES]):
        if not isinstance(group, dict):
            continue
        paths = group.get("paths")
        paths = [p for p in paths if isinstance(p, str)] if isinstance(paths, list) else []
        sizes: list[int] = []
        for p in paths:
            if _outside(p):
                ctx.add(blob, "tfjs.weights.path_traversal", "high",
                        f"weightsManifest group {g} names the shard {p[:200]!r}, outside the model's folder: a loader "
                        "reading the weights (tensorflowjs's read_weights, TF.js in Node) reads that file instead",
                        0, p[:200])
                continue
            if base is None:
                continue
            full = os.path.join(base, posixpath.normpath(p))
            try:
                sizes.append(os.stat(full).st_size)
            except (OSError, ValueError):  # ValueError: a NUL in the path (no loader opens it either)
                ctx.add(blob, "tfjs.weights.missing", "medium",
                        f"weightsManifest group {g} names the shard {p[:200]!r}, which is not beside the model: the "
                        "weights that would be loaded were not checked", 0, p[:200])
        if base is not None and paths and len(sizes) == len(paths):  # every shard present and inside
            _sizes(ctx, blob, g, group.get("weights"), sum(sizes))


def _folder(blob: Blob) -> str | None:
    """The folder model.json sits in, for a file on disk (not an archive member: its shards are members)."""
    if blob.member is not None or blob.folder is None:
        return None
    return str(blob.folder)


def _sizes(ctx: Context, blob: Blob, g: int, weights: Any, actual: int) -> None:
    """The bytes a group's weights take (elements x dtype size, the quantization dtype when quantized) against
    its shards' sizes; not judged when a weight's size cannot be known (strings are length-prefixed)."""
    if not isinstance(weights, list):
        return
    expected = 0
    for w in weights:
        if not isinstance(w, dict):
            return
        q = w.get("quantization")
        dtype = q.get("dtype") if isinstance(q, dict) else w.get("dtype")
        shape = w.get("shape")
        if dtype not in DTYPE_BYTES or not isinstance(shape, list) \
                or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
            return
        expected += math.prod(shape) * DTYPE_BYTES[dtype]
    if expected != actual:
        ctx.add(blob, "malformed.tfjs.weights", "medium",
                f"weightsManifest group {g}: its weights take {expected:,} bytes by their shapes and dtypes, its "
                f"shards hold {actual:,}: the loader reads the wrong values or fails", 0)
