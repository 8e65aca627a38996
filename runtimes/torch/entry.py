"""The image's entry point: runs train.py or infer.py by the spec's `kind` (or by the first
argument, `train` or `infer`, when the node agent passes one)."""

import json
import sys

from artha_job import SPEC_PATH, load_spec, run_job

import infer
import train

JOBS = {"train": train.main, "infer": infer.main}


def kind_of_spec():
    try:
        with open(SPEC_PATH, encoding="utf-8") as f:
            kind = json.load(f).get("kind")
    except (OSError, ValueError, AttributeError):
        return None  # the job itself reports the precise problem
    return kind if kind in JOBS else None


if __name__ == "__main__":
    wanted = sys.argv[1] if len(sys.argv) > 1 else kind_of_spec()
    if wanted is not None and wanted not in JOBS:
        print(f"artha: error (invalid-argument): unknown job {wanted!r}; expected train or infer", file=sys.stderr)
        sys.exit(2)
    if wanted is None:
        # No usable kind: the spec check says exactly what is wrong with spec.json.
        run_job("train", lambda: load_spec(list(JOBS)))
    run_job(wanted, JOBS[wanted])
