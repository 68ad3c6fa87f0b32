"""A dataset's licence as `openscope license --dataset ID` answers it (read side of ``dataset_licenses``).

Why a reader of its own: the licence step writes ``dataset_licenses`` (migration 0015) from the same
:func:`.flowdown.resolve_declaration` as models' ``licenses``, but a governance reader also needs what the licence
obliges (duties, commercial use) and *which file* a licence identified by its text was read from; the table keeps
neither. Both are recomputed here for one dataset from the catalogue and the stored licence texts, never guessed.
A store whose licence step has not run for the dataset (``ingest --no-derive``, a derive killed) is answered from
the dataset's own declaration, resolved on the fly as the step would, exactly as :func:`.flowdown.model_licenses`
does for a model.
"""

from __future__ import annotations

from typing import Any

from openscope.derive.licenses.catalogue import duties_known
from openscope.derive.licenses.flowdown import (
    declaration_file,
    declared_value,
    identify_texts,
    match_attributes,
    resolve_declaration,
)
from openscope.derive.licenses.normalize import normalize_license
from openscope.errors import MissingInput
from openscope.sources.license_files import link_repo_id
from openscope.store import Store


def _stored_row(store: Store, dataset_id: str) -> tuple[Any, ...] | None:
    """The licence step's row for the dataset, or None (no such row, or a store from before migration 0015)."""
    has = store.scalar("""SELECT count(*) FROM information_schema.tables
                          WHERE table_schema = 'main' AND table_name = 'dataset_licenses'""")
    if not has:
        return None
    return store.con.execute("""SELECT declared, license, class, confidence, evidence, expression, source, reason
                                FROM dataset_licenses WHERE id = ? LIMIT 1""", [dataset_id]).fetchone()


def dataset_license(store: Store, dataset_id: str) -> dict[str, Any]:
    """The licence document of a dataset (``dataset_id`` as stored; resolve user input first).

    Keys: the model document's that make sense without lineage (``id``, ``declared``, ``license``, ``class``,
    ``duties``, ``expression``, ``confidence``, ``evidence``, ``reason``, ``source``, ``commercial_use``,
    ``use_restrictions``, ``user_cap``), ``repo_type: "dataset"``, and ``license_file`` (``{path, url}`` of the
    licence file whose text identified the licence when ``source`` is ``license_file``, else None)."""
    con = store.con
    d = con.execute("""SELECT license, card_data->>'$.license_name', card_data->>'$.license_link',
                              card_data->>'$.license' FROM datasets WHERE id = ? AND deleted_at IS NULL""",
                    [dataset_id]).fetchone()
    if d is None:
        raise MissingInput(f"unknown dataset '{dataset_id}'")
    tag, lname, llink, card_license = d
    texts = con.execute("""SELECT path, text, url FROM license_texts WHERE repo_type = 'dataset' AND id = ?
                           AND text IS NOT NULL ORDER BY path""", [dataset_id]).fetchall()
    urls = {p: u for p, _t, u in texts}
    chosen = declaration_file(link_repo_id("dataset", dataset_id), llink,
                              identify_texts([(p, t) for p, t, _u in texts]))
    row = _stored_row(store, dataset_id)
    if row is None:
        declared = declared_value(tag, card_license)
        m, source = resolve_declaration(declared, lname, llink, chosen)
        row = (declared, m.license, match_attributes(m)["cls"], m.confidence, m.evidence, m.expression, source,
               m.reason)
    declared, lic, cls, confidence, evidence, expression, source, reason = row
    attrs = match_attributes(normalize_license(lic, kind="tag")) if lic else match_attributes(normalize_license(None))
    return {
        "id": dataset_id,
        "repo_type": "dataset",
        "declared": declared,
        "license": lic,
        "class": cls,
        "duties": list(attrs["duties"] or []),
        "duties_known": duties_known(cls, attrs["duties"], lic),
        "expression": expression,
        "confidence": confidence,
        "evidence": evidence,
        "reason": reason,
        "source": source,
        "license_file": ({"path": chosen[0], "url": urls.get(chosen[0])}
                         if source == "license_file" and chosen is not None else None),
        "commercial_use": attrs["commercial_use"],
        "use_restrictions": attrs["use_restrictions"],
        "user_cap": attrs["user_cap"],
    }
