"""The allowlist matches its very module, never a submodule (docs/audit.md, rule 1: "Only the exact module and name
match").

Why: the allowlist is judged before the denylist, so an allowed name that matched in any submodule
(``torch.<anything>.device``, ``torch.<anything>.FloatStorage``) would let a pickle import whatever object a module
we never read keeps under that name, with no finding at all. Found by mutation testing (helper-mutation27): the
name-pattern rules matched submodules, the name-list rules did not. Legacy CUDA checkpoints name their storage types
under ``torch.cuda`` and have a rule of their own.
"""

from __future__ import annotations

import pytest

from openscope.audit.rules import judge_import


@pytest.mark.parametrize(("module", "name"), [
    ("torch", "FloatStorage"),
    ("torch", "BFloat16Storage"),
    ("torch.cuda", "FloatStorage"),
    ("torch.cuda", "HalfStorage"),
    ("torch", "device"),
    ("torch", "float16"),
    ("numpy.dtypes", "Float64DType"),
    ("torch._utils", "_rebuild_tensor_v2"),
])
def test_allowed_in_its_own_module(module: str, name: str) -> None:
    assert judge_import(module, name).rule == "pickle.import.safe"


@pytest.mark.parametrize(("module", "name"), [
    ("torch.serialization", "FloatStorage"),   # a real submodule: the name is whatever it holds there
    ("torch.cuda.amp", "HalfStorage"),
    ("torch.hub", "device"),
    ("torch.nn.modules", "Size"),
    ("torch.cuda", "device"),                  # CUDA's rule is for its storage types only
    ("numpy.dtypes.extra", "Float64DType"),
    ("torch._utils.sub", "_rebuild_tensor_v2"),
])
def test_an_allowed_name_in_a_submodule_is_not_safe(module: str, name: str) -> None:
    j = judge_import(module, name)
    assert j.rule != "pickle.import.safe", (module, name)
    assert j.severity is not None   # never silent: the reader is told to review it at least
