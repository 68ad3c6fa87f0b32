"""The documented ``--json`` shapes as strict pydantic models: DESIGN.md's contract and the pages of docs/ that
restate and extend it (lineage.md, licenses.md, openness.md, store.md), key by key with each key's type and
whether it may be null.

Why: ``tests/test_contract.py`` checks that the contract's keys are there; a script also depends on their
types and on which may be null (``if doc["osai"]["score"] > 0.5`` fails on a null score). Extra keys are
allowed (the contract: "more keys may be added"); every documented key must be present with its documented
type. Written by helper-tryout33 from the docs as they read after its fixes; ``problems`` adds the arithmetic
the docs promise between keys (a summary's buckets add up to its total, shares to one).
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictBool, StrictFloat, StrictInt, StrictStr, field_validator

Num = StrictInt | StrictFloat
Relation = Literal["finetune", "adapter", "quantized", "merge", "unknown"]
Evidence = Literal["tag", "card", "base_models", "inferred"]


class M(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


# -- lineage ----------------------------------------------------------------------------------------
class Node(M):
    id: StrictStr
    relation: Relation | None
    depth: StrictInt
    via: StrictStr | None
    publisher: StrictStr | None
    publisher_name: StrictStr | None
    country: StrictStr | None
    region: StrictStr | None
    created_at: StrictStr | None
    downloads_30d: StrictInt | None
    in_store: StrictBool
    deleted_at: StrictStr | None


class Edge(M):
    child: StrictStr
    parent: StrictStr
    relation: Relation
    evidence: Evidence
    chosen: StrictBool
    declared_as: StrictStr | None


class Summary(M):
    total: StrictInt
    by_relation: dict[str, StrictInt]
    by_depth: dict[str, StrictInt]
    by_country: dict[str, StrictInt]
    by_region: dict[str, StrictInt]
    downloads_30d: StrictInt
    in_store: StrictBool


class RootOrigin(M):
    """One of ``summary.root_origins`` (``lineage --up``): a root with its publisher and place."""
    id: StrictStr
    publisher: StrictStr | None
    publisher_name: StrictStr | None
    country: StrictStr | None
    region: StrictStr | None
    deleted: StrictBool


class UpSummary(M):
    """The keys ``summary`` has for ``--up`` only (docs/lineage.md)."""
    roots: list[StrictStr]
    root_origins: list[RootOrigin]
    root_country: StrictStr | None
    root_region: StrictStr | None


class Lineage(M):
    id: StrictStr
    direction: Literal["up", "down"]
    nodes: list[Node]
    edges: list[Edge]
    truncated: StrictBool
    summary: Summary


class ByRootRow(M):
    derivatives: StrictInt
    share: Num
    downloads_30d: StrictInt
    download_share: Num | None


class ByRoot(M):
    level: Literal["country", "region"]
    total: StrictInt
    downloads_30d: StrictInt
    since: StrictStr | None
    rows: list[ByRootRow]


# -- licences ---------------------------------------------------------------------------------------
class Flow(M):
    base: StrictStr
    license: StrictStr | None
    duties: list[StrictStr]
    duties_known: StrictBool
    distance: StrictInt
    root: StrictStr | None
    deleted_at: StrictStr | None
    conflict: StrictBool | None
    modified: StrictBool | None
    dropped_duties: list[StrictStr]
    unmodified_only: list[StrictStr]
    licensor: dict[str, Any] | None


class Conflict(M):
    base: StrictStr
    reason: StrictStr


class EffDuty(M):
    duty: StrictStr
    # "from" is a keyword: checked by hand below


class LicenseModel(M):
    id: StrictStr
    declared: StrictStr | None
    license: StrictStr | None
    duties: list[StrictStr]
    duties_known: StrictBool
    flow_down: list[Flow]
    conflicts: list[Conflict]
    expression: StrictStr | None
    confidence: Num | None
    evidence: StrictStr | None
    reason: StrictStr | None
    source: StrictStr | None
    effective_class: StrictStr | None
    commercial_use: StrictBool | None
    use_restrictions: StrictBool | None
    user_cap: StrictInt | None
    unknown_bases: list[StrictStr]
    effective_commercial_use: StrictBool | None
    effective_use_restrictions: StrictBool | None
    effective_user_cap: StrictInt | None
    effective_duties: list[EffDuty]
    effective_duties_known: StrictBool
    card_license: dict[str, Any] | None


class Clause(M):
    attribute: StrictStr
    text: StrictStr
    url: StrictStr | None
    verified: StrictBool


class LicenseId(M):
    license: StrictStr
    name: StrictStr | None
    osi_approved: StrictBool | None
    commercial_use: StrictBool | None
    use_restrictions: StrictBool | None
    user_cap: StrictInt | None
    duties: list[StrictStr]
    duties_known: StrictBool
    clauses: list[Clause]
    share_alike: Any | None
    duty_scopes: dict[str, StrictStr]


class LicenseDataset(M):
    id: StrictStr
    repo_type: Literal["dataset"]
    declared: StrictStr | None
    license: StrictStr | None
    duties: list[StrictStr]
    duties_known: StrictBool
    source: StrictStr | None
    license_file: dict[str, Any] | None
    commercial_use: StrictBool | None
    use_restrictions: StrictBool | None
    user_cap: StrictInt | None


# -- model ------------------------------------------------------------------------------------------
class Root(M):
    id: StrictStr
    depth: StrictInt
    path: list[StrictStr]
    deleted: StrictBool
    country: StrictStr | None
    region: StrictStr | None


class Parent(M):
    id: StrictStr
    relation: Relation
    evidence: Evidence
    deleted: StrictBool


class Declared(M):
    id: StrictStr
    relation: Relation
    evidence: Evidence
    chosen: StrictBool
    declared_as: StrictStr | None


class Descendants(M):
    total: StrictInt
    downloads_30d: StrictInt


class ModelLineage(M):
    roots: list[Root]
    depth: StrictInt | None
    parents: list[Parent]
    declared: list[Declared]
    children_by_relation: dict[str, StrictInt]
    descendants: Descendants
    cycle_id: StrictInt | None


class History(M):
    snapshot_id: StrictInt
    read_at: StrictStr
    downloads_30d: StrictInt | None
    downloads_all_time: StrictInt | None
    likes: StrictInt | None


class Counters(M):
    downloads_30d: StrictInt | None
    downloads_all_time: StrictInt | None
    likes: StrictInt | None
    snapshot_id: StrictInt | None
    history: list[History]


class Model(M):
    id: StrictStr
    metadata: dict[str, Any]
    counters: Counters
    lineage: ModelLineage
    publisher: dict[str, Any] | None
    root_countries: list[StrictStr | None]
    root_regions: list[StrictStr | None]
    root_country: StrictStr | None
    root_region: StrictStr | None
    licenses: LicenseModel | None


# -- assess -----------------------------------------------------------------------------------------
Grade = Literal["open", "partial", "closed", "unknown"]
DIMS = ["datasources_basemodel", "datasources_endmodel", "weights_basemodel", "weights_endmodel", "trainingcode",
        "code", "hardware_architecture", "preprint", "paper", "modelcard", "datasheet", "licenses"]


class EvidenceItem(M):
    kind: StrictStr
    locator: StrictStr | None
    snippet: StrictStr | None
    read_at: StrictStr | None


class Component(M):
    status: StrictStr
    license: StrictStr | None
    evidence: list[EvidenceItem]


class Mof(M):
    label: StrictStr
    progress: dict[Literal["1", "2", "3"], Num]


class Osaid(M):
    verdict: Literal["pass", "fail", "insufficient"]
    missing: list[StrictStr]


class Assess(M):
    id: StrictStr
    osai: dict[str, Any]
    mof: Mof
    osaid: Osaid
    components: dict[str, Component]
    flags: list[Any]
    osai_basis: dict[str, StrictStr]
    locator: StrictStr | None
    base_model: StrictStr | None
    base_declared: dict[str, Any] | None
    base_pasted: dict[str, Any] | None
    curated: Any
    next_steps: Any
    probes: list[Any]
    warnings: list[StrictStr]

    @field_validator("osai")
    @classmethod
    def _osai(cls, v: dict[str, Any]) -> dict[str, Any]:
        for d in DIMS:
            if v.get(d) not in ("open", "partial", "closed", "unknown"):
                raise ValueError(f"osai.{d} = {v.get(d)!r}")
        if v.get("score") is not None and (not isinstance(v.get("score"), (int, float)) or isinstance(v.get("score"), bool)):
            raise ValueError(f"osai.score = {v.get('score')!r}")
        return v


class MofRecord(M):
    id: StrictStr
    mof: Mof
    included: list[Any]
    invalid: dict[str, StrictStr]
    unlicensed: list[Any]
    missing: list[Any]
    next_steps: Any


# -- status, sql ------------------------------------------------------------------------------------
class LastSnapshot(M):
    snapshot_id: StrictInt
    kind: Literal["full", "incremental", "counters", "ingest"]
    source: StrictStr | None
    started_at: StrictStr | None
    finished_at: StrictStr | None
    status: Literal["running", "complete", "failed", "aborted"]
    n_records: StrictInt | None
    state: StrictStr


class Status(M):
    db: StrictStr
    schema_version: StrictInt
    snapshots: StrictInt
    models: StrictInt
    datasets: StrictInt
    rejects: StrictInt
    last_snapshot: LastSnapshot | None
    deleted_models: StrictInt
    deleted_datasets: StrictInt
    moved_models: StrictInt
    moved_datasets: StrictInt
    synthetic_models: StrictInt
    edges: StrictInt
    cards: StrictInt
    cards_waiting: dict[str, Any]
    store_bytes: StrictInt
    counters: Any
    unfinished: list[Any]
    derive_behind: Any | None


class Sql(M):
    columns: list[StrictStr]
    rows: list[dict[str, Any]]


def check_extra(kind: str, doc: Any) -> list[str]:
    """Checks pydantic cannot say with the names above (keys named after Python keywords, cross-key rules)."""
    out: list[str] = []
    if kind == "lineage":
        nodes = doc["nodes"]
        if nodes and nodes[0]["depth"] != 0:
            out.append("nodes[0].depth != 0")
        if doc["direction"] == "up" and "roots" not in doc["summary"]:
            out.append("summary.roots missing for --up")
        if "roots" in doc["summary"] and not all(isinstance(r, str) for r in doc["summary"]["roots"]):
            out.append("summary.roots not strings")
        if doc["direction"] == "up":
            try:
                UpSummary.model_validate(doc["summary"])
            except ValueError as exc:  # pydantic's ValidationError is a ValueError
                out.append(f"summary (--up): {exc}")
    if kind in ("license", "model"):
        lic = doc if kind == "license" else doc.get("licenses")
        if lic:
            if "class" not in lic:
                out.append("license: no 'class'")
            for f in lic.get("flow_down", []):
                if "class" not in f:
                    out.append("flow_down: no 'class'")
            for e in lic.get("effective_duties", []):
                if "from" not in e or not (e["from"] is None or isinstance(e["from"], str)):
                    out.append(f"effective_duties from: {e}")
    if kind == "license_id" and "class" not in doc:
        out.append("no class")
    if kind in ("assess", "mof_record"):
        c = doc["mof"].get("class")
        if not isinstance(c, int) or isinstance(c, bool) or not 0 <= c <= 3:
            out.append(f"mof.class {c!r}")
    if kind == "sql":
        for r in doc["rows"]:
            if list(r) != doc["columns"]:
                out.append(f"row keys {list(r)} != columns")
                break
    return out


SHAPES: dict[str, type[M]] = {
    "lineage": Lineage, "by_root": ByRoot, "license": LicenseModel, "license_id": LicenseId,
    "license_dataset": LicenseDataset, "model": Model, "assess": Assess, "mof_record": MofRecord,
    "status": Status, "sql": Sql,
}


def invariants(kind: str, doc: Any) -> list[str]:
    """Arithmetic the docs promise between keys."""
    out: list[str] = []
    if kind == "lineage":
        s = doc["summary"]
        for k in ("by_relation", "by_depth", "by_country", "by_region"):
            if sum(s[k].values()) != s["total"]:
                out.append(f"sum({k}) {sum(s[k].values())} != total {s['total']}")
        shown = len(doc["nodes"]) - 1
        if doc["truncated"] != (shown < s["total"]):
            out.append(f"truncated {doc['truncated']} but shown {shown} of {s['total']}")
        ids = {n["id"] for n in doc["nodes"]}
        for e in doc["edges"]:
            if e["child"] not in ids or e["parent"] not in ids:
                out.append(f"edge outside the nodes: {e['child']} -> {e['parent']}")
                break
        for n in doc["nodes"][1:]:
            if n["via"] is None or n["relation"] is None:
                out.append(f"node {n['id']} without via/relation")
                break
        if "root_origins" in s:
            placed = s["root_origins"]
            if [r["id"] for r in placed] != s["roots"]:
                out.append("root_origins do not follow roots")
            for key, level in (("root_country", "country"), ("root_region", "region")):
                values = [r[level] for r in placed]
                known = {v for v in values if v is not None}
                want = None if not known else (known.pop() if len(known) == 1 and None not in values else "multiple")
                if s[key] != want:
                    out.append(f"{key} {s[key]!r}, the roots give {want!r}")
    if kind == "by_root":
        rows = doc["rows"]
        if rows:
            if abs(sum(r["share"] for r in rows) - (1 if rows[0]["share"] <= 1 else 100)) > 1e-6:
                out.append(f"shares sum {sum(r['share'] for r in rows)}")
            if sum(r["derivatives"] for r in rows) != doc["total"]:
                out.append("derivatives != total")
            if sum(r["downloads_30d"] for r in rows) != doc["downloads_30d"]:
                out.append("downloads != total downloads")
            key = doc["level"]
            if not all(key in r for r in rows):
                out.append(f"row without {key}")
    if kind == "model":
        lin = doc["lineage"]
        if sum(lin["children_by_relation"].values()) > lin["descendants"]["total"]:
            out.append("children > descendants")
        if lin["roots"] and lin["depth"] != max(r["depth"] for r in lin["roots"]):
            out.append(f"depth {lin['depth']} vs roots {[r['depth'] for r in lin['roots']]}")
    return out


def problems(kind: str, doc: Any) -> list[str]:
    """Every way ``doc`` differs from the documented shape of ``kind`` (empty: it is as documented)."""
    from pydantic import ValidationError

    out: list[str] = []
    try:
        SHAPES[kind].model_validate(doc)
    except ValidationError as exc:
        out += [f"{'.'.join(map(str, e['loc']))}: {e['msg']} (got {str(e.get('input'))[:60]!r})" for e in exc.errors()]
        return out
    return out + check_extra(kind, doc) + invariants(kind, doc)
