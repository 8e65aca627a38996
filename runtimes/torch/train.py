"""Train job: fit the spec's MLP to /artha/in/data, write checkpoints, final weights and result.json.

Reads spec.seed, spec.runtime.data, spec.runtime.model and spec.hyperparameters
(docs/runtime-contract.md, "The torch runtime").
"""

import math

# First: it sets CUBLAS_WORKSPACE_CONFIG before torch is imported.
from determinism import device, make_deterministic

import numpy as np
import torch
from artha_job import (
    EXIT_JOB_FAILED,
    MODEL_DIR,
    JobError,
    declare,
    field,
    input_path,
    load_spec,
    log,
    run_job,
    write_result,
)
from torch import nn

import checkpoint_saver
import data
import model as mlp

OPTIMIZERS = ("sgd", "adam")


def hyperparameters(spec):
    hp = field(spec, "hyperparameters", "", "object")
    w = "hyperparameters"
    positive = "a number > 0"
    return {
        "epochs": field(hp, "epochs", w, "int", check=lambda v: 1 <= v <= 100_000, expected="an integer in [1, 100000]"),
        "batchSize": field(hp, "batchSize", w, "int", check=lambda v: v >= 1, expected="an integer >= 1"),
        "learningRate": field(hp, "learningRate", w, "number", check=lambda v: v > 0, expected=positive),
        "optimizer": field(hp, "optimizer", w, "string", default="sgd", check=lambda v: v in OPTIMIZERS, expected="sgd or adam"),
        "momentum": field(hp, "momentum", w, "number", default=0.0, check=lambda v: 0 <= v < 1, expected="a number in [0, 1)"),
        "weightDecay": field(hp, "weightDecay", w, "number", default=0.0, check=lambda v: v >= 0, expected="a number >= 0"),
        "shuffle": field(hp, "shuffle", w, "bool", default=True),
        "checkpointEvery": field(hp, "checkpointEvery", w, "int", default=0, check=lambda v: v >= 0, expected="an integer >= 0 (steps; 0: final weights only)"),
        "evalFraction": field(hp, "evalFraction", w, "number", default=0.0, check=lambda v: 0 <= v < 1, expected="a number in [0, 1)"),
    }


def targets(table, arch):
    if arch["task"] == "classification":
        return torch.from_numpy(data.class_labels(table, arch["classes"]))
    return torch.from_numpy(table.labels.astype(np.float32)).unsqueeze(1)


def evaluate(net, x, y, loss_fn, task):
    """(mean loss, accuracy or None) over a whole split, in batches small enough for any host."""
    net.eval()
    total, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), 4096):
            out = net(x[i : i + 4096])
            total += float(loss_fn(out, y[i : i + 4096])) * len(out)
            if task == "classification":
                correct += int((out.argmax(dim=1) == y[i : i + 4096]).sum())
    net.train()
    return total / len(x), (correct / len(x) if task == "classification" else None)


def main():
    spec, _, seed = load_spec(["train"])
    hp = hyperparameters(spec)
    make_deterministic(seed)
    section = data.data_section(spec, label_required=True)
    table = data.load_table(section)
    runtime = spec["runtime"]
    model_spec = field(runtime, "model", "runtime", "object")
    arch = mlp.architecture_from_spec(model_spec, inputs=len(section["features"]))
    dev = device()

    x_all = torch.from_numpy(table.features)
    y_all = targets(table, arch)
    n_eval = int(len(x_all) * hp["evalFraction"])
    n_train = len(x_all) - n_eval
    if n_train == 0:
        raise JobError("empty-dataset", f"dataset {table.name}: no rows left for training after evalFraction")
    # The held-out rows are the last ones of the file: a split anyone can reproduce by reading it.
    x, y = x_all[:n_train].to(dev), y_all[:n_train].to(dev)
    x_eval, y_eval = x_all[n_train:].to(dev), y_all[n_train:].to(dev)

    net = mlp.build(arch)
    init = field(model_spec, "init", "runtime.model", "string", default=None)
    if init is not None:
        tensors, _ = checkpoint_saver.load(input_path(MODEL_DIR, init, "runtime.model.init"), f"model/{init}")
        mlp.load_weights(net, tensors, f"model/{init}")
    net.to(dev)
    loss_fn = nn.CrossEntropyLoss() if arch["task"] == "classification" else nn.MSELoss()
    if hp["optimizer"] == "adam":
        opt = torch.optim.Adam(net.parameters(), lr=hp["learningRate"], weight_decay=hp["weightDecay"])
    else:
        opt = torch.optim.SGD(
            net.parameters(), lr=hp["learningRate"], momentum=hp["momentum"], weight_decay=hp["weightDecay"]
        )

    log(f"train: {n_train} rows ({n_eval} held out), model {arch}, {hp}")
    # The batch order comes from its own generator, so it depends on the seed and nothing else.
    order_rng = np.random.default_rng(seed)
    outputs = []
    loss_per_epoch = []
    step = 0
    for epoch in range(1, hp["epochs"] + 1):
        order = order_rng.permutation(n_train) if hp["shuffle"] else np.arange(n_train)
        order = torch.from_numpy(order).to(dev)
        epoch_loss = 0.0
        for start in range(0, n_train, hp["batchSize"]):
            idx = order[start : start + hp["batchSize"]]
            loss = loss_fn(net(x[idx]), y[idx])
            value = float(loss)
            if not math.isfinite(value):
                raise JobError(
                    "non-finite-loss",
                    f"loss is {value} at epoch {epoch} step {step + 1}: training diverged "
                    f"(learningRate {hp['learningRate']}); lower it or rescale the data",
                    EXIT_JOB_FAILED,
                )
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            epoch_loss += value * len(idx)
            if hp["checkpointEvery"] and step % hp["checkpointEvery"] == 0:
                rels = checkpoint_saver.save(
                    f"checkpoints/step-{step:08d}", net.state_dict(), step, epoch, {"loss": value}, arch
                )
                outputs += [declare(rels[0], "checkpoint"), declare(rels[1], "checkpoint-sidecar")]
        loss_per_epoch.append(epoch_loss / n_train)
        log(f"epoch {epoch}: loss {loss_per_epoch[-1]:.6g}")

    metrics = {"epochs": hp["epochs"], "steps": step, "trainRows": n_train, "evalRows": n_eval}
    metrics["lossPerEpoch"] = loss_per_epoch
    metrics["trainLoss"], train_acc = evaluate(net, x, y, loss_fn, arch["task"])
    if train_acc is not None:
        metrics["trainAccuracy"] = train_acc
    if n_eval:
        metrics["evalLoss"], eval_acc = evaluate(net, x_eval, y_eval, loss_fn, arch["task"])
        if eval_acc is not None:
            metrics["evalAccuracy"] = eval_acc
    for name in ("trainLoss", "evalLoss"):
        if name in metrics and not math.isfinite(metrics[name]):
            raise JobError("non-finite-loss", f"final {name} is {metrics[name]}: the trained model diverged", EXIT_JOB_FAILED)

    rels = checkpoint_saver.save("model", net.state_dict(), step, hp["epochs"], metrics, arch)
    outputs += [declare(rels[0], "model"), declare(rels[1], "model-sidecar")]
    write_result("train", "succeeded", metrics=metrics, outputs=outputs)
    log(f"train: done, {step} steps, final loss {metrics['trainLoss']:.6g}")


if __name__ == "__main__":
    run_job("train", main)
