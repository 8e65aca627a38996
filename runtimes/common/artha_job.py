"""What every ArthaAIN runtime shares: the container paths, spec reading with precise errors,
result.json, and the failure convention (docs/runtime-contract.md).

A job that fails raises JobError; run_job() turns it into a failed result.json, one last stderr line
`artha: error (<code>): <what was wrong>` and the exit code of its class.
"""

import hashlib
import json
import math
import os
import sys
import traceback

# The fixed layout. ARTHA_IN_DIR / ARTHA_OUT_DIR exist only to run the scripts outside a container.
IN_DIR = os.environ.get("ARTHA_IN_DIR", "/artha/in")
OUT_DIR = os.environ.get("ARTHA_OUT_DIR", "/artha/out")
SPEC_PATH = os.path.join(IN_DIR, "spec.json")
MODEL_DIR = os.path.join(IN_DIR, "model")
DATA_DIR = os.path.join(IN_DIR, "data")

EXIT_INTERNAL = 1  # a bug in the runtime itself
EXIT_INVALID_INPUT = 2  # the spec, data or model given to the job is wrong
EXIT_JOB_FAILED = 3  # the inputs were valid but the job could not finish (diverged, out of steps)

RESULT_VERSION = 1
# The kind a failed result.json reports: the entry point's until the spec says otherwise.
_current = {"kind": None}


class JobError(Exception):
    """A failure the requester can act on: `code` is stable, `message` says what and where."""

    def __init__(self, code, message, exit_code=EXIT_INVALID_INPUT):
        super().__init__(message)
        self.code = code
        self.message = message
        self.exit_code = exit_code


def spec_error(where, expected, got=None):
    detail = "" if got is None else f", got {json.dumps(got)[:80]}"
    return JobError("invalid-spec", f"spec.json: {where}: expected {expected}{detail}")


_MISSING = object()


def field(obj, key, where, kind, default=_MISSING, check=None, expected=None):
    """obj[key] when it has the expected kind (and passes `check`), else a JobError naming where.

    kind: "int", "number", "string", "bool", "object", "list". Absent keys take `default`, or are an
    error when there is none. `expected` describes the allowed values in the error message.
    """
    path = f"{where}.{key}" if where else key
    if not isinstance(obj, dict) or key not in obj:
        if default is _MISSING:
            raise JobError("invalid-spec", f"spec.json: {path}: missing; expected {expected or kind}")
        return default
    value = obj[key]
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value),
        "string": isinstance(value, str),
        "bool": isinstance(value, bool),
        "object": isinstance(value, dict),
        "list": isinstance(value, list),
    }[kind]
    if not ok or (check is not None and not check(value)):
        raise spec_error(path, expected or kind, value)
    return value


def load_spec(expected_kinds):
    """Reads /artha/in/spec.json and checks its kind and seed."""
    try:
        with open(SPEC_PATH, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        raise JobError("missing-spec", f"{SPEC_PATH} does not exist (the job spec must be mounted there)")
    try:
        spec = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise JobError("invalid-spec", f"spec.json is not valid JSON: {e}")
    if not isinstance(spec, dict):
        raise spec_error("(top level)", "an object", spec)
    field(spec, "version", "", "int", default=1, check=lambda v: v == 1, expected="1")
    kind = field(
        spec, "kind", "", "string", check=lambda v: v in expected_kinds, expected=" or ".join(expected_kinds)
    )
    seed = field(spec, "seed", "", "int", check=lambda v: 0 <= v < 2**32, expected="an integer in [0, 2^32)")
    env_seed = os.environ.get("ARTHA_SEED")
    if env_seed is not None and env_seed != str(seed):
        raise JobError("invalid-spec", f"ARTHA_SEED={env_seed} disagrees with spec.json seed {seed}")
    _current["kind"] = kind
    return spec, kind, seed


def input_path(base, rel, where):
    """A file named by the spec, relative to `base`; refuses absolute paths and escapes."""
    if not isinstance(rel, str) or rel == "" or rel.startswith("/") or ".." in rel.split("/"):
        raise spec_error(where, f"a relative path inside {base}", rel)
    return os.path.join(base, rel)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def canonical_json(value):
    """The one JSON encoding every runtime writes: sorted keys, 2-space indent, final newline.
    NaN and infinities are refused so that no output is ambiguous across parsers."""
    return json.dumps(value, sort_keys=True, indent=2, allow_nan=False, ensure_ascii=False) + "\n"


def write_json(rel, value):
    path = os.path.join(OUT_DIR, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(canonical_json(value))
    return path


def declare(rel, role):
    """An entry of result.json's `outputs` for a file already written under /artha/out."""
    path = os.path.join(OUT_DIR, rel)
    return {"path": rel, "role": role, "sha256": sha256_file(path), "size": os.path.getsize(path)}


def write_result(kind, status, metrics=None, outputs=None, error=None, extra=None):
    result = {
        "version": RESULT_VERSION,
        "kind": kind,
        "status": status,
        "metrics": metrics or {},
        "outputs": sorted(outputs or [], key=lambda o: o["path"].encode("utf-8")),
    }
    if error is not None:
        result["error"] = error
    result.update(extra or {})
    write_json("result.json", result)


def log(message):
    print(f"artha: {message}", file=sys.stderr, flush=True)


def run_job(kind_hint, main):
    """Runs main() and applies the failure convention. `kind_hint` labels a failed result.json when
    the spec could not even be read."""
    _current["kind"] = kind_hint
    try:
        main()
    except JobError as e:
        _fail(_current["kind"], e.code, e.message, e.exit_code)
    except MemoryError:
        _fail(_current["kind"], "out-of-memory", "the job ran out of memory", EXIT_JOB_FAILED)
    except Exception as e:  # noqa: BLE001 - anything else is a runtime bug: keep the traceback
        traceback.print_exc()
        _fail(_current["kind"], "internal", f"{type(e).__name__}: {e}", EXIT_INTERNAL)
    sys.exit(0)


def _fail(kind, code, message, exit_code):
    try:
        write_result(kind, "failed", error={"code": code, "message": message})
    except Exception as e:  # noqa: BLE001 - /artha/out may be missing or read-only
        print(f"artha: could not write result.json: {e}", file=sys.stderr)
    # The contract's one line: last on stderr, so `docker logs --tail 1` shows it.
    print(f"artha: error ({code}): {message}", file=sys.stderr, flush=True)
    sys.exit(exit_code)
