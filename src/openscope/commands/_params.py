"""Converting a command's plain option and argument values without pydantic, to the same values typer gives.

Why: typer (0.2x) converts every value but a boolean flag's through a pydantic ``TypeAdapter``, built the first time
the parameter is converted, even when the value is absent (``--db`` unset). Importing pydantic and building the
adapters took 0.05-0.1 s of every command's start, a tenth of ``lineage --down``'s one-second budget (issue 5).
The commands' values are mostly plain: a text, or a number written in ASCII digits. For those the answer is known
and given here; any other value (a sign, spaces, an exponent, ``1_000``, a non-ASCII digit, a word where a number
is asked for) goes to typer's own conversion, with pydantic, as before: so every value converts to the same
result and every bad value gets the same message. ``tests/test_cli_params.py`` compares the two on generated values.

Only parameters that typer would convert with a bare ``str``, ``int`` or ``float`` adapter are given this
conversion: no custom parser, range, path or file flags, choice, list or tuple (:func:`plain_kind`).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from typer._coercion import RuntimeParam, build_runtime_param

if TYPE_CHECKING:
    from typer._click import Context
    from typer.core import _TyperParameter

# What pydantic reads as the number Python's int() and float() read from the same text (both round a decimal
# correctly): digits only, an optional minus sign, at most 18 digits for an int (any more are still exact in
# Python, but the rule stays obviously equal), a plain decimal point for a float.
_INT = re.compile(r"-?[0-9]{1,18}")
_FLOAT = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,15})?")


class _NotPlain:
    """The answer for a value this module leaves to typer."""


NOT_PLAIN = _NotPlain()


def plain_value(annotation: Any, value: Any) -> Any:
    """``value`` converted as typer converts it for a parameter of type ``annotation``, or :data:`NOT_PLAIN`."""
    kind = type(value)
    if annotation is bool:
        return value if kind is bool else NOT_PLAIN
    if annotation is str:
        return value if kind is str else NOT_PLAIN
    if annotation is int:
        if kind is int:
            return value
        if kind is str and _INT.fullmatch(value):
            return int(value)
        return NOT_PLAIN
    if annotation is float:
        if kind is float:
            return value
        if kind is str and _FLOAT.fullmatch(value):
            return float(value)
    return NOT_PLAIN


@dataclass(frozen=True)
class PlainParam(RuntimeParam):
    """typer's runtime conversion of one parameter: plain values here, the others by typer's own (built on
    first need, and kept for the parameter's later values)."""

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        converted = plain_value(self.annotation, value)
        if converted is not NOT_PLAIN:
            return converted
        own = build_runtime_param(param.type_descriptor)
        param._runtime_param = own
        return own._coerce_value(value, param=param, ctx=ctx)


def plain_kind(param: object) -> bool:
    """Whether typer would convert ``param`` with a bare adapter of ``bool``, ``str``, ``int`` or ``float``."""
    desc = getattr(param, "type_descriptor", None)
    if desc is None or getattr(param, "_runtime_param", False) is not None:
        return False  # not typer's, or its conversion is already chosen
    info = desc.parameter_info
    return (desc.annotation in (bool, str, int, float) and info.parser is None and info.min is None and info.max is None
            and not info.clamp and desc.file_annotation is None and not desc.is_path and not desc.is_choice
            and getattr(param, "nargs", None) == 1 and not getattr(param, "multiple", True))


def _use_plain(param: Any) -> None:
    if plain_kind(param):
        desc = param.type_descriptor
        param._runtime_param = PlainParam(parameter_info=desc.parameter_info, annotation=desc.annotation)


@functools.cache
def compatible() -> bool:
    """Whether the installed typer converts as this module expects: a ``RuntimeParam`` dataclass of
    ``parameter_info`` and ``annotation`` whose ``_coerce_value(value, param, ctx)`` typer calls (parameters that
    keep no ``_runtime_param`` or ``type_descriptor`` are left alone by :func:`plain_kind`). These are typer's
    internals (0.2x), not its API: a typer that changed them keeps its own conversion for every value (correct,
    only slower), never a broken command."""
    try:
        fields = {f.name for f in dataclasses.fields(RuntimeParam)}
        coerce = list(inspect.signature(RuntimeParam._coerce_value).parameters)
    except (TypeError, ValueError):
        return False
    return {"parameter_info", "annotation"} <= fields and coerce == ["self", "value", "param", "ctx"]


def use_plain_conversions(command: Any) -> None:
    """Give every plain parameter of ``command`` and of its subcommands the pydantic-free conversion.

    ``--help`` too: click makes that option when the command's context is made, from the context's help option
    names, so it is given the conversion as it is made (its value is None unless asked for, which is not a
    bool, so typer converted it through pydantic on every run). Nothing, with a typer it does not know
    (:func:`compatible`)."""
    if not compatible():
        return
    for param in getattr(command, "params", ()):
        _use_plain(param)
    make_help = getattr(command, "get_help_option", None)
    if make_help is not None and getattr(command, "_help_option", False) is None:

        def get_help_option(ctx: Any) -> Any:
            option = make_help(ctx)
            if option is not None:
                _use_plain(option)
            return option

        setattr(command, "get_help_option", get_help_option)  # noqa: B010 - on this instance, not the class
    for sub in getattr(command, "commands", {}).values():
        use_plain_conversions(sub)
