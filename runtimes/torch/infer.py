"""Infer job: load a checkpoint from /artha/in/model, predict every row of /artha/in/data, write
predictions.csv and result.json (with loss and accuracy when the data has a label column).

Reads spec.seed, spec.runtime.data, spec.runtime.model (checkpoint, optionally the architecture)
and spec.hyperparameters.batchSize (docs/runtime-contract.md, "The torch runtime").
"""

import os

# First: it sets CUBLAS_WORKSPACE_CONFIG before torch is imported.
from determinism import device, make_deterministic

import torch
from artha_job import MODEL_DIR, OUT_DIR, JobError, declare, field, input_path, load_spec, log, run_job, write_result
from torch import nn

import checkpoint_saver
import data
import model as mlp


def architecture(model_spec, sidecar, inputs, shown):
    """The declared architecture: the spec's when it gives one, else the checkpoint sidecar's."""
    if "type" in model_spec:
        return mlp.architecture_from_spec(model_spec, inputs)
    if sidecar is None or not isinstance(sidecar.get("model"), dict):
        raise JobError(
            "invalid-spec",
            f"spec.json: runtime.model declares no architecture and checkpoint {shown} has no sidecar "
            "with one; give runtime.model.type/task/hidden/... or ship the sidecar",
        )
    arch = mlp.architecture_from_spec(sidecar["model"], inputs, where=f"{shown} sidecar model")
    if sidecar["model"].get("inputs") != inputs:
        raise JobError(
            "checkpoint-mismatch",
            f"checkpoint {shown} takes {sidecar['model'].get('inputs')} features, "
            f"runtime.data.features names {inputs}",
        )
    return arch


def main():
    spec, _, seed = load_spec(["infer"])
    make_deterministic(seed)
    hp = field(spec, "hyperparameters", "", "object", default={})
    batch = field(hp, "batchSize", "hyperparameters", "int", default=1024, check=lambda v: v >= 1, expected="an integer >= 1")
    section = data.data_section(spec, label_required=False)
    model_spec = field(spec["runtime"], "model", "runtime", "object", default={})
    rel = field(model_spec, "checkpoint", "runtime.model", "string", default="model.safetensors")
    shown = f"model/{rel}"
    tensors, sidecar = checkpoint_saver.load(input_path(MODEL_DIR, rel, "runtime.model.checkpoint"), shown)
    arch = architecture(model_spec, sidecar, len(section["features"]), shown)
    net = mlp.build(arch)
    mlp.load_weights(net, tensors, shown)
    table = data.load_table(section)
    dev = device()
    net.to(dev).eval()

    x = torch.from_numpy(table.features).to(dev)
    log(f"infer: {len(x)} rows with {shown}, model {arch}")
    with torch.no_grad():
        out = torch.cat([net(x[i : i + batch]) for i in range(0, len(x), batch)]).cpu()
    classify = arch["task"] == "classification"
    predictions = out.argmax(dim=1) if classify else out[:, 0]

    with open(os.path.join(OUT_DIR, "predictions.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("index,prediction\n")
        for i, p in enumerate(predictions.tolist()):
            # repr() of a float is the shortest string that reads back to the same value.
            f.write(f"{i},{p if classify else repr(float(p))}\n")

    metrics = {"rows": len(x)}
    if table.labels is not None:
        if classify:
            y = torch.from_numpy(data.class_labels(table, arch["classes"]))
            metrics["loss"] = float(nn.CrossEntropyLoss()(out, y))
            metrics["accuracy"] = float((predictions == y).double().mean())
        else:
            y = torch.from_numpy(table.labels).to(torch.float32)
            metrics["loss"] = float(nn.MSELoss()(out[:, 0], y))
    write_result("infer", "succeeded", metrics=metrics, outputs=[declare("predictions.csv", "predictions")])
    log(f"infer: done, metrics {metrics}")


if __name__ == "__main__":
    run_job("infer", main)
