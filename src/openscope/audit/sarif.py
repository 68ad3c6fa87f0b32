"""SARIF 2.1.0 output, so code-scanning tools (GitHub code scanning, IDEs) can show audit findings.

Where a finding is located: ``--json`` names each file relative to the audited folder, but a code-scanning
tool reads ``artifactLocation.uri`` relative to the repository root (GitHub), so a folder audited below the
root (``models/acme/…``) would put every alert on a path that does not exist. A file under the working folder
(where a CI job runs, the checkout) is therefore named relative to it, with ``uriBaseId`` ``%SRCROOT%`` and the
run's ``originalUriBaseIds`` giving that folder's absolute URI; a file elsewhere gets its absolute ``file://``
URI and no base id (SARIF 2.1.0 §3.4.4: a base id goes only with a relative reference). Paths are
percent-encoded, as a URI must be; the audited-folder name stays in ``properties.file``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from openscope import __version__
from openscope.audit.engine import Report
from openscope.audit.findings import utf8

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
RULE_TEXT = {
    "pickle.import.denied": "Pickle imports a dangerous callable",
    "pickle.import.dunder": "Pickle reaches interpreter internals through a dunder attribute",
    "pickle.import.unknown": "Pickle imports a callable that is not on the allowlist",
    "pickle.import.review": "Pickle imports a known-inert third-party class",
    "pickle.call_on_result": "Pickle calls the result of a call (gadget chain)",
    "pickle.global_mutation": "Pickle modifies an imported module-level object",
    "pickle.extension_code": "Pickle uses copyreg extension codes",
    "keras.lambda": "Keras Lambda layer with marshalled bytecode",
    "keras.module_injection": "Keras config imports a dangerous module",
    "keras.custom_module": "Keras config imports a non-Keras module",
    "keras.file_reference": "Keras config names a file that loading reads on the loader's machine",
    "joblib.external_array": "Old joblib array wrapper whose companion file lies outside the model folder",
    "sentence_transformers.module_injection": "sentence-transformers modules.json imports a dangerous module",
    "sentence_transformers.custom_module": "sentence-transformers modules.json imports code outside the library",
    "gguf.chat_template.injection": "GGUF chat template with a template-injection pattern",
    "onnx.external_data.path_traversal": "ONNX external data outside the model folder",
    "index.path_traversal": "Checkpoint index points outside the model folder",
    "torchscript.code": "TorchScript source code in the archive",
    "pickle.import.method_sink": "Pickle imports an unbound method that writes files, runs commands or loads code",
    "pickle.nested_checkpoint": "Pickle loads an embedded checkpoint (scanned as a nested member)",
    "chat_template.injection": "Chat template with a Jinja sandbox-escape pattern",
    "transformers.remote_code": "Config names Python code run with trust_remote_code",
    "onnx.custom_op": "ONNX node needs a custom-operator library (native code outside the file)",
    "tensorflow.python_call": "TensorFlow graph calls back into Python (PyFunc, EagerPyFunc)",
    "tensorflow.file_read": "TensorFlow graph reads or lists files when run",
    "tensorflow.file_write": "TensorFlow graph writes files when run",
    "tensorflow.debug_output": "TensorFlow graph writes debug output to files",
    "tensorflow.network": "TensorFlow graph reaches the network when run",
    "tensorflow.constant_path": "TensorFlow saver, table or cache op pinned to a path outside the model",
    "tensorflow.computed_path": "TensorFlow saver, table or cache op on a path the graph computes",
    "tensorflow.hidden_graph": "TensorFlow graph runs a dataset graph carried in a tensor (not audited)",
    "tensorflow.asset.path_traversal": "SavedModel asset file outside the assets folder",
    "tflite.custom_op": "TFLite custom op needs a kernel registered by the application (native code outside the file)",
    "tfjs.tensorflow_op": "TF.js graph model names a TensorFlow op that reads, writes or calls out when run by TensorFlow",
    "tfjs.custom_layer": "TF.js layers model needs a layer class registered by the application",
    "tfjs.weights.path_traversal": "TF.js weights manifest names a shard outside the model folder",
    "tfjs.weights.missing": "TF.js weights manifest names a shard that is not beside the model",
    "native.code": "Native code (ELF, PE, Mach-O or WebAssembly binary) that runs when loaded and is not audited",
    "native.embedded": "Native executable image carried as a value inside a model file (a dropper's payload)",
    "link.outside_folder": "Model file is a symbolic link to a file outside the audited folder",
    "link.system_file": "Model file is a link (symbolic or hard) to a system or credentials file",
}


def _rule_text(rule: str) -> str:
    if rule in RULE_TEXT:
        return RULE_TEXT[rule]
    if rule.startswith("malformed."):
        return f"Malformed file ({rule.removeprefix('malformed.')})"
    if rule.startswith("incomplete."):
        return f"Scan could not finish ({rule.removeprefix('incomplete.')})"
    if rule.startswith("hostile."):
        return f"Hostile input ({rule.removeprefix('hostile.')})"
    return rule


SRCROOT = "%SRCROOT%"


def _locator(report: Report, root: str) -> Callable[[str], dict]:
    """A function giving the ``artifactLocation`` of a file named as ``--json`` names it."""
    given = os.path.abspath(report.target)
    # a file given as the target: findings name it (and its members) by its base name, beside it
    folder = given if os.path.isdir(given) else os.path.dirname(given)

    def locate(name: str) -> dict:
        path = os.path.normpath(os.path.join(folder, name))  # never resolved: a link keeps the name users know
        if path == root or path.startswith(root.rstrip(os.sep) + os.sep):
            rel = os.path.relpath(path, root).replace(os.sep, "/")
            return {"uri": quote(rel, safe="/", errors="surrogateescape"), "uriBaseId": SRCROOT}
        return {"uri": Path(path).as_uri()}

    return locate


def to_sarif(report: Report, cwd: str | None = None) -> dict:
    """The report as one SARIF 2.1.0 log; ``cwd`` (default: the working folder) is the root files are named
    relative to."""
    rules = sorted({f.rule for f in report.findings})
    root = os.path.abspath(cwd or os.getcwd())
    locate = _locator(report, root)
    results = []
    for f in report.findings:
        region = {"byteOffset": f.offset} if f.offset is not None and f.member is None else None
        loc: dict = {"artifactLocation": locate(f.file)}
        if region:
            loc["region"] = region
        results.append({
            "ruleId": f.rule,
            "ruleIndex": rules.index(f.rule),
            "level": LEVEL[f.severity],
            "message": {"text": f.detail or _rule_text(f.rule)},
            "locations": [{"physicalLocation": loc,
                           **({"logicalLocations": [{"fullyQualifiedName": f"{f.file}!{f.member}",
                                                     "kind": "member"}]} if f.member else {})}],
            "properties": {"severity": f.severity, "file": f.file, "member": f.member, "offset": f.offset,
                           "import": f.import_},
        })
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "openscope-audit",
                "version": __version__,
                "rules": [{"id": r, "shortDescription": {"text": _rule_text(r)}} for r in rules],
            }},
            "invocations": [{"executionSuccessful": not any(f.incomplete for f in report.findings)}],
            "originalUriBaseIds": {SRCROOT: {"uri": Path(root).as_uri().rstrip("/") + "/"}},
            # link_to: as in --json, the resolved path when the target given is a symbolic link, else null (SARIF
            # 2.1.0 §3.8: a property bag holds any key; the run's describes what was analysed)
            "properties": {"target": report.target, "verdict": report.verdict,
                           "link_to": None if report.link is None else utf8(report.link)},
            "results": results,
        }],
    }
