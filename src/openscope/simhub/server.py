"""The simulated Hub's HTTP API (FastAPI), in the real Hub's shapes, plus admin routes for tests.

Routes (see docs/simhub.md): ``GET /api/models``, ``GET /api/datasets`` (keyset paging with the next
page only in the ``Link`` header), ``GET /api/models/{id}`` (and ``/revision/{rev}``),
``GET /api/models/{id}/tree/{rev}``, ``GET|HEAD /{id}/resolve/{rev}/{path}`` (HTTP Range), and the
admin routes ``/_admin/stats``, ``/_admin/faults``, ``/_admin/release``, ``/_admin/mutate``,
``/_admin/ids``. Every response carries ``X-OpenScope-Simulated: 1``.

Faults are applied by an ASGI middleware in front of every non-admin route, so a route never needs to
know about them; a truncated body is produced by announcing the full ``Content-Length``, sending half
and ending the response, which makes the HTTP/1.1 server close the connection (as a cut link does).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openscope.simhub import content
from openscope.simhub.faults import Faults
from openscope.simhub.state import SORT_COLUMNS, BadCursor, HubState

SIM_HEADER = ("X-OpenScope-Simulated", "1")
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100

# expand= values the Hub accepts (huggingface_hub's ExpandModelProperty_T / ExpandDatasetProperty_T).
MODEL_EXPAND = {
    "author", "baseModels", "cardData", "childrenModelCount", "config", "createdAt", "disabled", "downloads",
    "downloadsAllTime", "evalResults", "gated", "gguf", "inference", "inferenceProviderMapping", "lastModified",
    "library_name", "likes", "mask_token", "model-index", "pipeline_tag", "private", "resourceGroup",
    "safetensors", "sha", "siblings", "spaces", "tags", "transformersInfo", "trendingScore", "usedStorage",
    "widgetData",
}
DATASET_EXPAND = {
    "author", "cardData", "citation", "createdAt", "description", "disabled", "downloads", "downloadsAllTime",
    "gated", "lastModified", "likes", "mainSize", "paperswithcode_id", "private", "resourceGroup", "sha",
    "siblings", "tags", "trendingScore", "usedStorage",
}
REFUSED_ON_LIST = {"baseModels", "childrenModelCount"}
# `POST /_admin/mutate`'s keys (HubState.mutate's arguments)
MUTATE_KEYS_ORDER = ("edit", "add", "delete", "counters", "move", "move_datasets", "dataset_edit", "dataset_delete",
                     "dataset_counters")
MUTATE_KEYS = frozenset(MUTATE_KEYS_ORDER)
TRUNCATE_MARK = "openscope-simhub-truncated"
PAGE_MARK = b"x-openscope-internal-list-page"


class _DropTruncationNoise(logging.Filter):
    """Cutting a response short is deliberate; keep uvicorn from logging it as an application error."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        exc = record.exc_info[1] if record.exc_info else None
        return not (TRUNCATE_MARK in text or (exc is not None and TRUNCATE_MARK in str(exc))
                    or "Too little data for declared Content-Length" in (str(exc) if exc else text)
                    or "returned without completing response" in text)


logging.getLogger("uvicorn.error").addFilter(_DropTruncationNoise())


def _error(status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None) -> Response:
    h = dict(headers or {})
    if code:
        h["X-Error-Code"] = code
    # A header value is latin-1 text without control characters or edge whitespace (h11 refuses the
    # rest, and the connection dropped without an answer: "Entry not found: " for an empty path).
    h["X-Error-Message"] = message.encode("unicode_escape").decode("ascii").strip() or "error"
    return JSONResponse({"error": message}, status_code=status, headers=h)


class FaultMiddleware:
    """Applies the current faults to every API request and stamps every response as simulated."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        admin = scope["path"].startswith("/_admin")
        decision = None if admin else self.faults.decide()
        extra = [(SIM_HEADER[0].lower().encode(), SIM_HEADER[1].encode())]
        if decision is not None:
            extra += [(k.lower().encode(), v.encode()) for k, v in decision.headers.items()]
            if decision.delay_s:
                await asyncio.sleep(decision.delay_s)
            if decision.status is not None:
                msg = {429: "Rate limit exceeded", 503: "Service unavailable (simulated)"}.get(
                    decision.status, "Internal error (simulated)")
                resp = _error(decision.status, msg)
                self.faults.record_status(decision.status)
                await resp(scope, receive, self._stamp(send, extra))
                return
        faults = self.faults
        truncate = decision is not None and decision.truncate
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        is_page = False

        async def send_wrapper(message: Message) -> None:
            nonlocal is_page
            if message["type"] == "http.response.start":
                if not admin:
                    faults.record_status(message["status"])
                headers = list(message.get("headers", []))
                is_page = any(k == PAGE_MARK for k, _ in headers)
                message["headers"] = [(k, v) for k, v in headers if k != PAGE_MARK] + extra
                if truncate:
                    start.update(message)
                    return
            elif truncate and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = b"".join(chunks)
                if len(body) < 2 or scope["method"] == "HEAD":
                    await send(start)
                    await send({"type": "http.response.body", "body": body})
                    return
                headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
                raise ConnectionAbortedError(TRUNCATE_MARK)
            await send(message)
            if is_page and message["type"] == "http.response.body" and not message.get("more_body"):
                faults.page_served()  # counted once the whole page has been handed to the connection

        try:
            await self.app(scope, receive, send_wrapper)
        except ConnectionAbortedError as exc:
            if str(exc) != TRUNCATE_MARK:
                raise

    @staticmethod
    def _stamp(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        return wrapped


def _bool(v: str | None) -> bool:
    return v is not None and v.lower() in ("1", "true", "yes")


def _multi(request: Request, name: str) -> list[str]:
    out: list[str] = []
    for v in request.query_params.getlist(name):
        out += [p.strip() for p in v.split(",") if p.strip()]
    return out


def _bad_expand(expand: list[str], allowed: set[str]) -> Response | None:
    """HTTP 400 for the first unknown ``expand`` value, worded as the Hub's validator words it."""
    for i, e in enumerate(expand):
        if e not in allowed:
            return _error(400, f'"expand[{i}]" must be one of [{", ".join(sorted(allowed))}]')
    return None


def _project(entry: dict[str, Any], fields: list[str], extras: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"_id": entry["_id"], "id": entry["id"]}
    for f in fields:
        if f in entry:
            out[f] = entry[f]
        elif f in extras:
            out[f] = extras[f]
    return out


def create_app(state: HubState, faults: Faults) -> FastAPI:
    """The ASGI app serving ``state`` with ``faults`` applied."""
    app = FastAPI(title="openscope simulated Hub", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.hub = state
    app.state.faults = faults

    def _extras(kind: str, entry: dict[str, Any], openness: int | None = None) -> dict[str, Any]:
        """Fields the Hub can return that the precomputed entry does not carry."""
        ex: dict[str, Any] = {"spaces": [], "model-index": None, "usedStorage": 0, "disabled": False}
        if kind == "model":
            ex["config"] = content.config_json(entry)
            ex["modelId"] = entry["id"]
            ex["inference"] = "cold"  # the simulated Hub serves no inference
        return ex

    async def _list(request: Request, kind: str) -> Response:
        allowed = MODEL_EXPAND if kind == "model" else DATASET_EXPAND
        qp = request.query_params
        expand = _multi(request, "expand")
        bad = _bad_expand(expand, allowed)
        if bad:
            return bad
        refused = [e for e in expand if e in REFUSED_ON_LIST]
        if refused:
            return _error(400, f"expand={','.join(refused)} is not supported on list routes; "
                               f"use /api/{kind}s/{{id}}?expand=...")
        full = _bool(qp.get("full")) or _bool(qp.get("cardData")) or _bool(qp.get("config"))
        if expand and full:
            return _error(400, "expand cannot be combined with full, cardData or config")
        try:
            limit = int(qp.get("limit", DEFAULT_LIMIT))
        except ValueError:
            return _error(400, "limit must be an integer")
        if not 1 <= limit <= MAX_LIMIT:
            return _error(400, f"limit must be between 1 and {MAX_LIMIT}")
        sort = qp.get("sort")
        if sort is not None and sort not in SORT_COLUMNS:
            return _error(400, f"invalid sort: {sort}; allowed: {', '.join(sorted(SORT_COLUMNS))}")
        tags = _multi(request, "filter")
        if faults.must_hold():
            await faults.wait_page_release()
        try:
            page = await run_in_threadpool(
                state.page, kind, limit=limit, sort=sort, cursor=qp.get("cursor"), search=qp.get("search"),
                author=qp.get("author"), tags=tags, full=full or bool(expand),
            )
        except BadCursor as exc:
            return _error(400, str(exc))
        rows = page.rows
        if expand:
            def project() -> list[str]:
                out = []
                for js in rows:
                    e = json.loads(js)
                    out.append(json.dumps(_project(e, expand, _extras(kind, e)), separators=(",", ":")))
                return out

            rows = await run_in_threadpool(project)
        headers: dict[str, str] = {}
        if page.next_cursor:
            params = [(k, v) for k, v in qp.multi_items() if k != "cursor"] + [("cursor", page.next_cursor)]
            url = str(request.url.replace(query=urlencode(params)))
            headers["Link"] = f'<{url}>; rel="next"'
        headers[PAGE_MARK.decode()] = "1"  # the middleware counts the page once it is fully sent
        return Response(("[" + ",".join(rows) + "]").encode(), media_type="application/json", headers=headers)

    @app.get("/api/models")
    async def list_models(request: Request) -> Response:
        return await _list(request, "model")

    @app.get("/api/datasets")
    async def list_datasets(request: Request) -> Response:
        return await _list(request, "dataset")

    def _split_repo_route(rest: str) -> tuple[str, str, list[str]]:
        """``org/name[/tree|revision/rev[/path]]`` → (id, action, tail)."""
        parts = rest.split("/")
        for i in (2, 1):
            if len(parts) > i and parts[i] in ("tree", "revision"):
                return "/".join(parts[:i]), parts[i], parts[i + 1:]
        return rest, "", []

    def _moved(request: Request, kind: str, rid: str) -> Response | None:
        """HTTP 307 to the same route of the id a moved repository now lives at, query kept, or None.

        As the Hub answers an old id after ``move_repo`` (docs/simhub.md, *Moves*): a relative redirect on
        the same host, which huggingface_hub's HTTP session (and openscope's client) follows."""
        new = state.redirect(kind, rid)
        if new is None:
            return None
        path = request.url.path
        at = path.find(rid)
        if at < 0:  # the id as routed differs from the path's spelling (percent-encoding): rebuild it
            return None
        target = path[:at] + new + path[at + len(rid):]
        if request.url.query:
            target += "?" + request.url.query
        return Response(b"", status_code=307, headers={"Location": target})

    async def _repo_info(request: Request, kind: str, rest: str) -> Response:
        rid, action, tail = _split_repo_route(rest)
        if faults.must_hold_info():
            await faults.wait_info_release()
        found = await run_in_threadpool(state.entry, kind, rid)
        if found is None:
            return _moved(request, kind, rid) or _error(404, "Repository not found", "RepoNotFound")
        entry, openness = found
        if action in ("tree", "revision"):
            if not tail:
                return _error(404, "Revision not found", "RevisionNotFound")
            rev = tail[0]
            if rev not in ("main", entry["sha"]):
                return _error(404, f"Invalid rev id: {rev}", "RevisionNotFound")
            if action == "tree":
                return _tree(entry, openness, "/".join(tail[1:]), _bool(request.query_params.get("recursive")), kind)
        allowed = MODEL_EXPAND if kind == "model" else DATASET_EXPAND
        expand = _multi(request, "expand")
        bad = _bad_expand(expand, allowed)
        if bad:
            return bad
        extras = _extras(kind, entry, openness)
        if kind == "model":
            if not expand or "baseModels" in expand:
                bm = await run_in_threadpool(state.base_models, entry)
                if bm is not None:
                    extras["baseModels"] = bm
            if "childrenModelCount" in expand:
                extras["childrenModelCount"] = await run_in_threadpool(state.children_count, entry["id"])
        files = None
        if _bool(request.query_params.get("blobs")) or "usedStorage" in expand or not expand:
            files = _files(entry, openness, kind)
            extras["usedStorage"] = sum(len(b) for b in files.values())
        if expand:
            doc = _project(entry, expand, extras)
        else:
            doc = {**entry, "modelId": entry["id"], **{k: v for k, v in extras.items() if k not in entry}} if kind == "model" \
                else {**entry, **{k: v for k, v in extras.items() if k not in entry and k != "config"}}
        if _bool(request.query_params.get("blobs")) and files is not None and "siblings" in doc:
            doc["siblings"] = [_blob(p, files[p]) for p in (s["rfilename"] for s in entry["siblings"])]
        return JSONResponse(doc)

    def _files(entry: dict[str, Any], openness: int, kind: str = "model") -> dict[str, bytes]:
        return {s["rfilename"]: content.file_bytes(state.seed, entry, openness, s["rfilename"], kind=kind) or b""
                for s in entry.get("siblings", [])}

    def _blob(path: str, data: bytes) -> dict[str, Any]:
        d: dict[str, Any] = {"rfilename": path, "size": len(data), "blobId": content.git_blob_sha1(data)}
        if content.is_lfs(path):
            d["lfs"] = {"sha256": content.sha256(data), "size": len(data), "pointerSize": 134}
        return d

    def _tree(entry: dict[str, Any], openness: int, under: str, recursive: bool, kind: str = "model") -> Response:
        files = _files(entry, openness, kind)
        prefix = under.strip("/") + "/" if under.strip("/") else ""
        out: list[dict[str, Any]] = []
        dirs: set[str] = set()
        for path, data in files.items():
            if not path.startswith(prefix):
                continue
            rel = path[len(prefix):]
            if "/" in rel and not recursive:
                dirs.add(prefix + rel.split("/", 1)[0])
                continue
            item: dict[str, Any] = {"type": "file", "oid": content.git_blob_sha1(data), "size": len(data), "path": path}
            if content.is_lfs(path):
                item["lfs"] = {"oid": content.sha256(data), "size": len(data), "pointerSize": 134}
            out.append(item)
        if recursive:
            for path in files:
                if path.startswith(prefix) and "/" in path[len(prefix):]:
                    parts = path[len(prefix):].split("/")[:-1]
                    for i in range(1, len(parts) + 1):
                        dirs.add(prefix + "/".join(parts[:i]))
        out = [{"type": "directory", "oid": content.git_blob_sha1(d.encode()), "size": 0, "path": d}
               for d in sorted(dirs)] + out
        if prefix and not out:
            return _error(404, f"Path {under} not found", "EntryNotFound")
        return JSONResponse(out)

    @app.get("/api/models/{rest:path}")
    async def model_info(request: Request, rest: str) -> Response:
        return await _repo_info(request, "model", rest)

    @app.get("/api/datasets/{rest:path}")
    async def dataset_info(request: Request, rest: str) -> Response:
        return await _repo_info(request, "dataset", rest)

    _range_re = re.compile(r"^bytes=(\d*)-(\d*)$")

    async def _resolve(request: Request, kind: str, rid: str, rev: str, path: str) -> Response:
        found = await run_in_threadpool(state.entry, kind, rid)
        if found is None:
            return _moved(request, kind, rid) or _error(404, "Repository not found", "RepoNotFound")
        entry, openness = found
        if rev not in ("main", entry["sha"]):
            return _error(404, f"Invalid rev id: {rev}", "RevisionNotFound")
        data = content.file_bytes(state.seed, entry, openness, path, kind=kind)
        if data is None:
            return _error(404, f"Entry not found: {path}", "EntryNotFound",
                          headers={"X-Repo-Commit": entry["sha"]})
        etag = content.sha256(data) if content.is_lfs(path) else content.git_blob_sha1(data)
        headers = {"X-Repo-Commit": entry["sha"], "ETag": f'"{etag}"', "Accept-Ranges": "bytes",
                   "Content-Type": "application/octet-stream" if content.is_lfs(path) else "text/plain; charset=utf-8"}
        if content.is_lfs(path):
            headers["X-Linked-Etag"] = f'"{etag}"'
            headers["X-Linked-Size"] = str(len(data))
        status, body = 200, data
        rng = request.headers.get("range")
        if rng:
            m = _range_re.match(rng.strip())
            size = len(data)
            start: int | None = None
            if m and (m.group(1) or m.group(2)):
                if m.group(1):
                    start = int(m.group(1))
                    end = int(m.group(2)) if m.group(2) else size - 1
                else:
                    start, end = max(0, size - int(m.group(2))), size - 1
                end = min(end, size - 1)
            if start is None or start > end or start >= size:  # type: ignore[possibly-undefined]  # end is set whenever start is
                return Response(b"", status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
            status, body = 206, data[start:end + 1]
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        headers["Content-Length"] = str(len(body))
        if request.method == "HEAD":
            return Response(b"", status_code=status, headers=headers)
        return Response(body, status_code=status, headers=headers)

    @app.api_route("/datasets/{org}/{name}/resolve/{rev}/{path:path}", methods=["GET", "HEAD"])
    async def resolve_dataset(request: Request, org: str, name: str, rev: str, path: str) -> Response:
        return await _resolve(request, "dataset", f"{org}/{name}", rev, path)

    @app.api_route("/{org}/{name}/resolve/{rev}/{path:path}", methods=["GET", "HEAD"])
    async def resolve_model(request: Request, org: str, name: str, rev: str, path: str) -> Response:
        return await _resolve(request, "model", f"{org}/{name}", rev, path)

    # --- admin --------------------------------------------------------------------------------------
    @app.get("/_admin/stats")
    async def admin_stats() -> Response:
        return JSONResponse(faults.stats())

    @app.post("/_admin/faults")
    async def admin_faults(request: Request) -> Response:
        try:
            body = await request.json() if await request.body() else {}
            if not isinstance(body, dict):
                raise ValueError("body must be a JSON object")
            new = faults.update(body)
        except (ValueError, TypeError) as exc:
            return _error(400, str(exc))
        from dataclasses import asdict

        return JSONResponse(asdict(new))

    @app.post("/_admin/release")
    async def admin_release() -> Response:
        faults.release()
        return JSONResponse({"released": True})

    @app.post("/_admin/mutate")
    async def admin_mutate(request: Request) -> Response:
        try:
            body = await request.json() if await request.body() else {}
            if not isinstance(body, dict) or set(body) - MUTATE_KEYS:
                raise ValueError(f"body must be an object with keys {', '.join(MUTATE_KEYS_ORDER)}")
            for k, v in body.items():
                if k in ("move", "move_datasets"):
                    if not isinstance(v, dict) or not all(isinstance(x, str) and isinstance(y, str)
                                                          for x, y in v.items()):
                        raise ValueError(f"{k} must be an object {{old id: new id}}")
                    continue
                ok = (isinstance(v, int) and not isinstance(v, bool) and v >= 0) or (
                    k != "add" and isinstance(v, list) and all(isinstance(x, str) for x in v))
                if not ok:
                    raise ValueError(f"{k} must be a count" + ("" if k == "add" else " or a list of ids"))
            result = await run_in_threadpool(lambda: state.mutate(**body))
        except KeyError as exc:
            return _error(404, str(exc.args[0]) if exc.args else "unknown id")
        except (ValueError, TypeError) as exc:
            return _error(400, str(exc))
        return JSONResponse(result)

    @app.get("/_admin/ids")
    async def admin_ids(kind: str = "models") -> Response:
        if kind not in ("models", "datasets"):
            return _error(400, "kind must be models or datasets")
        return JSONResponse(await run_in_threadpool(state.ids, kind))

    return FaultMiddleware(app, faults)  # type: ignore[return-value]
