"""Judging one pickle import: allowlist first, then denylist, then the review tier, else review.

The lists live in ``rules.yml`` (documented data, each group with its reason and source) so that what
openscope trusts can be read and changed without reading code.
"""

from __future__ import annotations

import re
from _compat_pickle import IMPORT_MAPPING, NAME_MAPPING  # the tables pickle itself applies (pure data)
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Judgment:
    severity: str | None  # None: allowlisted, no finding
    rule: str
    reason: str


@dataclass(frozen=True)
class _Rule:
    module: str
    names: frozenset[str] | None
    pattern: re.Pattern[str] | None
    except_modules: tuple[str, ...]
    why: str

    def _module_matches(self, module: str) -> bool:
        if any(module == m or module.startswith(m + ".") for m in self.except_modules):
            return False
        return module == self.module or module.startswith(self.module + ".")

    def exact(self, module: str, name: str) -> bool:
        """Allowlist semantics: the very module and name, no dotted tricks."""
        if self.names is not None:
            return module == self.module and name in self.names
        if self.pattern is not None:
            return self._module_matches(module) and bool(self.pattern.fullmatch(name))
        return False

    def covers(self, module: str, name: str) -> bool:
        """Deny / review semantics: the module (and its submodules), or any attribute path below a name."""
        full = f"{module}.{name}"
        if self.names is not None:
            return any(full == f"{self.module}.{n}" or full.startswith(f"{self.module}.{n}.") for n in self.names)
        if self.pattern is not None:
            # a name may walk attributes that are submodules (`pandas` + `io.parsers.read_csv` is what
            # `pandas.io.parsers` + `read_csv` imports): every split of the full name is tried
            parts = full.split(".")
            first = module.count(".") + 1
            return any(self._module_matches(".".join(parts[:i])) and bool(self.pattern.match(".".join(parts[i:])))
                       for i in range(first, len(parts)))
        return full.startswith(self.module + ".")


_CACHE: dict[tuple[str, str], Judgment] = {}


@dataclass(frozen=True)
class RuleSet:
    aliases: dict[str, str]
    safe: tuple[_Rule, ...]
    deny: tuple[_Rule, ...]
    review: tuple[_Rule, ...]
    method_sinks: frozenset[str] = frozenset()
    method_why: str = ""

    def canonical_module(self, module: str) -> str:
        module = IMPORT_MAPPING.get(module, module)
        head, _, rest = module.partition(".")
        if module in self.aliases:
            return self.aliases[module]
        if head in self.aliases:
            return self.aliases[head] + ("." + rest if rest else "")
        return module

    def judge(self, module: str, name: str) -> Judgment:
        key = (module, name)
        hit = _CACHE.get(key)
        if hit is None:
            hit = self._judge(module, name)
            if len(_CACHE) < 100_000:
                _CACHE[key] = hit
        return hit

    def _judge(self, module: str, name: str) -> Judgment:
        # what the unpickler imports for protocol 0-2 pickles (fix_imports, on by default): Python 2 names
        # mapped by the standard library's own tables (SimpleHTTPServer.test is http.server.test)
        module, name = NAME_MAPPING.get((module, name), (module, name))
        mod = self.canonical_module(module)
        dunder = [p for p in name.split(".") if len(p) > 4 and p.startswith("__") and p.endswith("__")]
        for r in self.safe:
            if r.exact(mod, name):
                return Judgment(None, "pickle.import.safe", r.why)
        denied = self._denied(mod, name)
        if denied is not None:
            return Judgment("critical", "pickle.import.denied", denied)
        parts = name.split(".")
        # an attribute path through a module that imported a denied one (`torch.serialization` + `os.system`
        # is os.system: protocol 4 resolves the name attribute by attribute, and the attribute `os` of a
        # module that ran `import os` is the os module itself)
        for i in range(len(parts) - 1):
            sub_mod, sub_name = self.canonical_module(parts[i]), ".".join(parts[i + 1:])
            why = self._denied(sub_mod, sub_name)
            if why is not None:
                return Judgment("critical", "pickle.import.denied",
                                f"reaches {sub_mod}.{sub_name} through the attribute {parts[i]!r}: {why}")
        if dunder:
            return Judgment(
                "critical", "pickle.import.dunder",
                f"reaches interpreter internals through {'/'.join(dunder)} (a known scanner bypass)",
            )
        if len(parts) > 1 and parts[-1] in self.method_sinks:
            return Judgment("high", "pickle.import.method_sink", self.method_why)
        for r in self.review:
            if r.covers(mod, name):
                return Judgment("low", "pickle.import.review", f"known-inert third-party class: {r.why}")
        return Judgment("medium", "pickle.import.unknown",
                        "not on the allowlist: loading imports this module and may call it; review it")


    def _denied(self, mod: str, name: str) -> str | None:
        """The reason a denylist rule gives for this (canonical) module and name, if one covers it."""
        for r in self.deny:
            if r.covers(mod, name):
                return r.why
        return None


def _rules(items: list[dict]) -> tuple[_Rule, ...]:
    out = []
    for it in items:
        out.append(_Rule(
            module=it["module"],
            names=frozenset(it["names"]) if "names" in it else None,
            pattern=re.compile(it["name_pattern"]) if "name_pattern" in it else None,
            except_modules=tuple(it.get("except_modules", ())),
            why=it["why"],
        ))
    return tuple(out)


@lru_cache(maxsize=1)
def ruleset() -> RuleSet:
    """The shipped rules (parsed once)."""
    text = resources.files("openscope.audit").joinpath("rules.yml").read_text(encoding="utf-8")
    doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
    sinks = doc.get("method_sinks") or {}
    return RuleSet(aliases=dict(doc["aliases"]), safe=_rules(doc["safe"]), deny=_rules(doc["deny"]),
                   review=_rules(doc["review"]), method_sinks=frozenset(sinks.get("names", ())),
                   method_why=sinks.get("why", ""))


def judge_import(module: str, name: str) -> Judgment:
    return ruleset().judge(module, name)
