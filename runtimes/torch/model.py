"""The model the torch runtime trains: a small MLP described by spec.runtime.model.

The architecture travels with every checkpoint (its sidecar's `model`), so infer can rebuild it
from the checkpoint alone, and a checkpoint whose tensors do not fit the declared architecture is
refused with the first tensor that differs.
"""

import torch
from artha_job import JobError, field, spec_error
from torch import nn

TASKS = ("classification", "regression")
ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh}


def architecture_from_spec(model, inputs, where="runtime.model"):
    """The architecture dict for `inputs` features, from a spec (or sidecar) `model` object."""
    field(model, "type", where, "string", check=lambda v: v == "mlp", expected='"mlp"')
    task = field(model, "task", where, "string", check=lambda v: v in TASKS, expected=" or ".join(TASKS))
    hidden = field(
        model,
        "hidden",
        where,
        "list",
        default=[32],
        check=lambda v: len(v) <= 16 and all(isinstance(h, int) and not isinstance(h, bool) and 1 <= h <= 65536 for h in v),
        expected="at most 16 layer widths, each an integer in [1, 65536]",
    )
    activation = field(
        model, "activation", where, "string", default="relu", check=lambda v: v in ACTIVATIONS, expected="relu or tanh"
    )
    if task == "classification":
        outputs = field(
            model, "classes", where, "int", check=lambda v: 2 <= v <= 65536, expected="an integer in [2, 65536]"
        )
    else:
        if "classes" in model:
            raise spec_error(f"{where}.classes", "no classes for a regression model", model["classes"])
        outputs = 1
    arch = {"type": "mlp", "task": task, "inputs": inputs, "hidden": list(hidden), "activation": activation}
    if task == "classification":
        arch["classes"] = outputs
    return arch


def outputs_of(arch):
    return arch["classes"] if arch["task"] == "classification" else 1


class MLP(nn.Module):
    def __init__(self, arch):
        super().__init__()
        widths = [arch["inputs"], *arch["hidden"], outputs_of(arch)]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths, widths[1:]))
        self.activation = ACTIVATIONS[arch["activation"]]()

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = self.activation(x)
        return x


def build(arch):
    return MLP(arch)


def load_weights(module, tensors, source):
    """Copies `tensors` (name -> torch.Tensor) into `module`, refusing any mismatch by name or shape."""
    expected = {name: tuple(p.shape) for name, p in module.state_dict().items()}
    for name in sorted(expected):
        if name not in tensors:
            raise JobError(
                "checkpoint-mismatch", f"checkpoint {source} has no tensor {name} (the declared model needs {sorted(expected)})"
            )
        got = tuple(tensors[name].shape)
        if got != expected[name]:
            raise JobError(
                "checkpoint-mismatch",
                f"checkpoint {source}: tensor {name} has shape {list(got)}, the declared model expects {list(expected[name])}",
            )
    extra = sorted(set(tensors) - set(expected))
    if extra:
        raise JobError("checkpoint-mismatch", f"checkpoint {source} has tensors the declared model lacks: {extra}")
    with torch.no_grad():
        module.load_state_dict({name: tensors[name].to(torch.float32) for name in expected})
