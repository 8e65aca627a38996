"""Checkpoints in a deterministic byte layout, with a sidecar JSON.

Weights are written in the safetensors layout, which has no pickle and no timestamps, so the same
tensors always give the same bytes and loading a requester's file cannot run code:

    8 bytes   header length N, unsigned little-endian
    N bytes   JSON header: {"__metadata__": {...}, "<name>": {"dtype", "shape", "data_offsets"}, ...}
              keys sorted, no whitespace, padded with spaces to a multiple of 8
    data      each tensor's little-endian bytes, in sorted-name order, back to back

Beside `<stem>.safetensors` goes `<stem>.json`: step, epoch, metrics, the model architecture and
the weights file's sha256 and size. Files produced by the `safetensors` library load here as well.
"""

import hashlib
import json
import os
import struct

import numpy as np
import torch
from artha_job import OUT_DIR, JobError, canonical_json

FORMAT = "safetensors"
MAX_HEADER = 16 << 20
DTYPES = {"F32": ("<f4", torch.float32), "F64": ("<f8", torch.float64), "I64": ("<i8", torch.int64)}
TORCH_TO_CODE = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}


def encode(tensors, metadata=None):
    """The safetensors bytes of `tensors` (name -> tensor), names sorted."""
    header = {"__metadata__": dict(metadata or {"format": "pt"})}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().to("cpu").contiguous()
        code = TORCH_TO_CODE.get(t.dtype)
        if code is None:
            raise ValueError(f"tensor {name}: dtype {t.dtype} is not one of {sorted(TORCH_TO_CODE)}")
        blob = np.ascontiguousarray(t.numpy(), dtype=DTYPES[code][0]).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    head = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    return struct.pack("<Q", len(head)) + head + b"".join(blobs)


def decode(raw, source):
    """name -> tensor from safetensors bytes; any malformed part is a JobError naming `source`."""

    def bad(why):
        return JobError("invalid-checkpoint", f"checkpoint {source} is not a valid safetensors file: {why}")

    if len(raw) < 8:
        raise bad("shorter than its 8-byte header length")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > MAX_HEADER or 8 + n > len(raw):
        raise bad(f"header length {n} does not fit a {len(raw)}-byte file")
    try:
        header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise bad(f"header is not JSON ({e})")
    if not isinstance(header, dict):
        raise bad("header is not a JSON object")
    data = memoryview(raw)[8 + n :]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype, torch_dtype = DTYPES[info["dtype"]]
            shape = [int(d) for d in info["shape"]]
            start, end = (int(x) for x in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise bad(f"tensor {name}: needs dtype ({'/'.join(DTYPES)}), shape and data_offsets")
        count = int(np.prod(shape)) if shape else 1
        if min(shape, default=0) < 0 or not 0 <= start <= end <= len(data) or end - start != count * np.dtype(dtype).itemsize:
            raise bad(f"tensor {name}: shape {shape} and data_offsets [{start}, {end}] do not fit the data")
        array = np.frombuffer(data[start:end], dtype=dtype).reshape(shape)
        tensors[name] = torch.from_numpy(array.astype(array.dtype.newbyteorder("="))).to(torch_dtype)
    return tensors


def save(rel_stem, tensors, step, epoch, metrics, arch):
    """Writes /artha/out/<rel_stem>.safetensors and its sidecar <rel_stem>.json; returns both
    relative paths (weights first)."""
    weights_rel, sidecar_rel = f"{rel_stem}.safetensors", f"{rel_stem}.json"
    raw = encode(tensors)
    path = os.path.join(OUT_DIR, weights_rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(raw)
    sidecar = {
        "format": FORMAT,
        "weights": os.path.basename(weights_rel),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "size": len(raw),
        "step": step,
        "epoch": epoch,
        "metrics": metrics,
        "model": arch,
        "tensors": {name: list(tensors[name].shape) for name in sorted(tensors)},
    }
    with open(os.path.join(OUT_DIR, sidecar_rel), "w", encoding="utf-8") as f:
        f.write(canonical_json(sidecar))
    return weights_rel, sidecar_rel


def sidecar_path(weights_path):
    stem = weights_path[: -len(".safetensors")] if weights_path.endswith(".safetensors") else weights_path
    return f"{stem}.json"


def load(weights_path, shown):
    """(tensors, sidecar or None) for a checkpoint file; a sidecar present beside it must match the
    weights' sha256 and size."""
    if not os.path.isfile(weights_path):
        raise JobError("missing-checkpoint", f"checkpoint {shown} does not exist under /artha/in/model")
    with open(weights_path, "rb") as f:
        raw = f.read()
    sidecar = None
    side = sidecar_path(weights_path)
    if os.path.isfile(side):
        try:
            with open(side, encoding="utf-8") as f:
                sidecar = json.load(f)
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise JobError("invalid-checkpoint", f"checkpoint sidecar {os.path.basename(side)} is not JSON: {e}")
        digest = hashlib.sha256(raw).hexdigest()
        if not isinstance(sidecar, dict) or sidecar.get("sha256") != digest or sidecar.get("size") != len(raw):
            raise JobError(
                "checkpoint-mismatch",
                f"checkpoint {shown} (sha256 {digest}, {len(raw)} bytes) does not match its sidecar "
                f"{os.path.basename(side)} (sha256 {sidecar.get('sha256') if isinstance(sidecar, dict) else '?'})",
            )
    return decode(raw, shown), sidecar
