"""Reference forward outputs and gradients of single ops -> Tests/Fixtures/ops.safetensors.

Inputs and upstream gradients are drawn in float32 (so they are exactly
representable in the fixture), upcast to float64, and every op and gradient is
computed in float64 with torch.autograd. Results are rounded to float32 when
stored. See Tests/Reference/README.md for the list of tensors.
"""

import os
import sys

sys.dont_write_bytecode = True

import torch
import torch.nn.functional as F

from safetensors_io import write_and_verify

SEED = 1234
FIXTURES = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures"))
GEN = torch.Generator().manual_seed(SEED)


def randn(*shape, scale=1.0):
    """Standard normal float32 values times `scale` (still float32)."""
    return torch.randn(shape, generator=GEN, dtype=torch.float32) * scale


def record(op, inputs, forward, differentiable, constants=None, upstream="random"):
    """Runs `forward(**inputs64, **constants)` in float64 and records the op.

    inputs: float32 tensors that get gradients when their name is in `differentiable`.
    constants: tensors passed as-is (masks, ids, targets); stored too.
    upstream: "random" draws grad_out (stored), "one" backpropagates from a scalar.
    """
    constants = constants or {}
    leaves = {
        name: value.to(torch.float64).requires_grad_(name in differentiable)
        for name, value in inputs.items()
    }
    out = forward(**leaves, **constants)
    result = {f"{op}.{name}": value for name, value in {**inputs, **constants}.items()}
    if upstream == "random":
        grad_out = randn(*out.shape)
        out.backward(grad_out.to(torch.float64))
        result[f"{op}.out"] = out.detach()
        result[f"{op}.grad_out"] = grad_out
    else:
        out.backward()
        result[f"{op}.loss"] = out.detach().reshape(1)
    for name in differentiable:
        result[f"{op}.grad_{name}"] = leaves[name].grad
    return result


def build():
    tensors = {}

    tensors.update(record("matmul", {"a": randn(7, 5), "b": randn(5, 9)},
                          lambda a, b: a @ b, ["a", "b"]))
    tensors.update(record("matmul_tb", {"a": randn(7, 5), "b": randn(9, 5)},
                          lambda a, b: a @ b.T, ["a", "b"]))
    tensors.update(record("matmul_ta", {"a": randn(5, 7), "b": randn(5, 9)},
                          lambda a, b: a.T @ b, ["a", "b"]))
    tensors.update(record("bmm", {"a": randn(3, 7, 5), "b": randn(3, 9, 5)},
                          lambda a, b: a @ b.transpose(-1, -2), ["a", "b"]))

    tensors.update(record(
        "linear",
        {"x": randn(2, 5, 11), "weight": randn(13, 11, scale=0.3), "bias": randn(13, scale=0.1)},
        lambda x, weight, bias: F.linear(x, weight, bias),
        ["x", "weight", "bias"]))

    mask = torch.zeros(2, 1, 1, 7, dtype=torch.float32)
    mask[1, :, :, 5:] = -10000.0
    tensors.update(record(
        "softmax", {"x": randn(2, 3, 5, 7, scale=2.0)},
        lambda x, mask: torch.softmax(x + mask.to(torch.float64), dim=-1),
        ["x"], constants={"mask": mask}))

    tensors.update(record("log_softmax", {"x": randn(5, 11, scale=2.0)},
                          lambda x: torch.log_softmax(x, dim=-1), ["x"]))

    tensors.update(record(
        "layernorm",
        {"x": randn(6, 13, scale=2.0) + 0.5, "weight": 1.0 + randn(13, scale=0.1),
         "bias": randn(13, scale=0.1)},
        lambda x, weight, bias: F.layer_norm(x, (13,), weight, bias, eps=1e-12),
        ["x", "weight", "bias"]))
    # Small-variance rows (variance ~1e-4) so that eps = 1e-5 visibly changes the result.
    tensors.update(record(
        "layernorm_eps",
        {"x": randn(6, 13, scale=0.01), "weight": 1.0 + randn(13, scale=0.1),
         "bias": randn(13, scale=0.1)},
        lambda x, weight, bias: F.layer_norm(x, (13,), weight, bias, eps=1e-5),
        ["x", "weight", "bias"]))

    gelu_x = torch.linspace(-5.0, 5.0, 77, dtype=torch.float32).reshape(11, 7)
    tensors.update(record("gelu", {"x": gelu_x},
                          lambda x: F.gelu(x, approximate="none"), ["x"]))

    tensors.update(record("tanh", {"x": randn(9, 5, scale=1.5)}, torch.tanh, ["x"]))

    targets = torch.randint(0, 13, (9,), generator=GEN, dtype=torch.int64)
    targets[2] = -100
    targets[6] = -100
    tensors.update(record(
        "cross_entropy", {"logits": randn(9, 13, scale=2.0)},
        lambda logits, targets: F.cross_entropy(logits, targets, ignore_index=-100, reduction="mean"),
        ["logits"], constants={"targets": targets}, upstream="one"))

    ids = torch.tensor([[3, 0, 16, 3, 7],
                        [5, 5, 5, 12, 0],
                        [16, 9, 3, 2, 11],
                        [7, 14, 1, 3, 8]], dtype=torch.int64)
    tensors.update(record(
        "embedding", {"weight": randn(17, 6)},
        lambda weight, ids: F.embedding(ids, weight),
        ["weight"], constants={"ids": ids}))

    return tensors


def main():
    tensors = build()
    metadata = {
        "generator": "Tests/Reference/ops_reference.py",
        "torch_version": torch.__version__,
        "seed": str(SEED),
        "precision": "inputs drawn in float32, computed in float64, stored as F32",
        "softmax.mask": "additive, 0 kept / -10000 masked (batch 1, last 2 keys)",
        "layernorm.eps": "1e-12",
        "layernorm_eps.eps": "1e-05",
        "gelu": "exact erf form 0.5*x*(1+erf(x/sqrt(2)))",
        "cross_entropy": "mean over rows with target != -100; upstream gradient 1",
    }
    write_and_verify(os.path.join(FIXTURES, "ops.safetensors"), tensors, metadata)


if __name__ == "__main__":
    main()
