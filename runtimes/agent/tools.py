"""The agent runtime's fixed toolset. Each tool takes a JSON object and returns a JSON object; a
tool that cannot do what was asked returns {"error": "..."} for the agent to react to, rather than
ending the job. Outputs hold no timestamps or host details, so an honest re-run gives the same
transcript bytes (docs/runtime-contract.md, "The agent runtime").
"""

import csv
import hashlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request

import numpy as np
from artha_job import IN_DIR

MAX_READ_BYTES = 64 * 1024
MAX_HTTP_BYTES = 64 * 1024
STAT_OPS = ("count", "sum", "mean", "min", "max", "std", "median")


class ToolInputError(Exception):
    pass


def _string(args, key, default=None):
    value = args.get(key, default)
    if not isinstance(value, str) or value == "":
        raise ToolInputError(f'input "{key}" must be a non-empty string')
    return value


def _inside_in_dir(rel):
    """Absolute path of `rel` under /artha/in, refusing anything that resolves outside it."""
    root = os.path.realpath(IN_DIR)
    path = os.path.realpath(os.path.join(root, rel))
    if path != root and not path.startswith(root + os.sep):
        raise ToolInputError(f"path {rel!r} is outside /artha/in")
    return path


def list_files(args, ctx):
    rel = args.get("dir", ".")
    if not isinstance(rel, str):
        raise ToolInputError('input "dir" must be a string')
    base = _inside_in_dir(rel)
    if not os.path.isdir(base):
        return {"error": f"{rel} is not a directory under /artha/in"}
    root = os.path.realpath(IN_DIR)
    files = []
    for d, dirs, names in os.walk(base):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(d, name)
            files.append({"path": os.path.relpath(path, root), "size": os.path.getsize(path)})
    return {"files": files}


def read_file(args, ctx):
    rel = _string(args, "path")
    path = _inside_in_dir(rel)
    if not os.path.isfile(path):
        return {"error": f"{rel} is not a file under /artha/in"}
    with open(path, "rb") as f:
        raw = f.read()
    head = raw[:MAX_READ_BYTES]
    return {
        "path": rel,
        "size": len(raw),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "text": head.decode("utf-8", errors="replace"),
        "truncated": len(raw) > len(head),
    }


def _read_csv(rel):
    path = _inside_in_dir(rel)
    if not os.path.isfile(path):
        raise ToolInputError(f"{rel} is not a file under /artha/in")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if not rows:
        raise ToolInputError(f"{rel} is empty")
    return [h.strip() for h in rows[0]], [r for r in rows[1:] if r]


def csv_columns(args, ctx):
    rel = _string(args, "path")
    header, rows = _read_csv(rel)
    return {"path": rel, "columns": header, "rows": len(rows)}


def csv_stats(args, ctx):
    """One statistic of a numeric column, optionally over the rows where another column equals a value."""
    rel = _string(args, "path")
    column = _string(args, "column")
    op = _string(args, "op")
    if op not in STAT_OPS:
        raise ToolInputError(f'op "{op}" is not one of {", ".join(STAT_OPS)}')
    where = args.get("where")
    header, rows = _read_csv(rel)
    if column not in header:
        raise ToolInputError(f'{rel} has no column "{column}" (columns: {", ".join(header)})')
    if where is not None:
        if not isinstance(where, dict) or set(where) != {"column", "equals"} or where["column"] not in header:
            raise ToolInputError('input "where" must be {"column": <a column>, "equals": <a value>}')
        w = header.index(where["column"])
        rows = [r for r in rows if r[w].strip() == str(where["equals"])]
    i = header.index(column)
    try:
        values = np.array([float(r[i]) for r in rows], dtype=np.float64)
    except ValueError as e:
        raise ToolInputError(f'column "{column}" of {rel} is not numeric: {e}')
    if op == "count":
        return {"value": int(values.size), "rows": int(values.size)}
    if values.size == 0:
        return {"error": f"no rows match {json.dumps(where)}", "rows": 0}
    value = getattr(np, op)(values)
    return {"value": float(value), "rows": int(values.size)}


def host_allowed(url, allow):
    """(allowed, host:port) for an http(s) URL against entries "host" (any port) or "host:port"."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    hostport = f"{host}:{port}"
    ok = any(a.lower() in (host, hostport) for a in allow)
    return ok, hostport


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect could lead to a host the spec does not allow: hand the 3xx back instead.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def http_get(args, ctx):
    url = _string(args, "url")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ToolInputError(f"url {url!r} is not an http(s) URL with a host")
    ok, hostport = host_allowed(url, ctx["allowHosts"])
    if not ok:
        ctx["refusals"] += 1
        return {
            "refused": True,
            "reason": f"host {hostport} is not in runtime.agent.allowHosts {json.dumps(ctx['allowHosts'])}",
        }
    try:
        with _opener.open(url, timeout=ctx["httpTimeoutSeconds"]) as response:
            status, body, ctype = response.status, response.read(MAX_HTTP_BYTES + 1), response.headers.get("Content-Type")
    except urllib.error.HTTPError as e:
        status, body, ctype = e.code, e.read(MAX_HTTP_BYTES + 1), e.headers.get("Content-Type")
    except (urllib.error.URLError, OSError) as e:
        return {"error": f"GET {url} failed: {getattr(e, 'reason', e)}"}
    return {
        "status": status,
        "contentType": ctype,
        "body": body[:MAX_HTTP_BYTES].decode("utf-8", errors="replace"),
        "sha256": hashlib.sha256(body[:MAX_HTTP_BYTES]).hexdigest(),
        "truncated": len(body) > MAX_HTTP_BYTES,
    }


TOOLS = {
    "list_files": list_files,
    "read_file": read_file,
    "csv_columns": csv_columns,
    "csv_stats": csv_stats,
    "http_get": http_get,
}
# Tools whose output depends on the world outside the container: a replay takes their recorded
# output; every other tool is re-run and must give the recorded output again.
EXTERNAL = {"http_get"}


def call(name, args, ctx):
    try:
        return TOOLS[name](args, ctx)
    except ToolInputError as e:
        return {"error": str(e)}
