"""torch.optim.AdamW trajectories -> Tests/Fixtures/adamw.safetensors, see README.md.

Scenario 1 ("w.*", "b.*"): constant lr, two parameter groups, 3 steps.
Scenario 2 ("clip.*"): HF-style linear warmup/decay schedule (LambdaLR) and
gradient clipping by global norm, 6 steps.
Initial values and gradients are drawn in float32, upcast to float64; the
optimizer runs in float64; results are stored as F32.
"""

import os
import sys

sys.dont_write_bytecode = True

import torch

from safetensors_io import write_and_verify

SEED = 7
FIXTURES = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures"))
GEN = torch.Generator().manual_seed(SEED)

LR = 1e-2
BETAS = (0.9, 0.999)
EPS = 1e-8
WEIGHT_DECAY_W = 0.1
WEIGHT_DECAY_B = 0.0
WARMUP_STEPS = 2
TOTAL_STEPS = 6
MAX_GRAD_NORM = 1.0


def randn(*shape, scale=1.0):
    return torch.randn(shape, generator=GEN, dtype=torch.float32) * scale


def make_optimizer(w, b):
    return torch.optim.AdamW(
        [{"params": [w], "weight_decay": WEIGHT_DECAY_W}, {"params": [b], "weight_decay": WEIGHT_DECAY_B}],
        lr=LR, betas=BETAS, eps=EPS, amsgrad=False)


def linear_warmup_decay(step):
    """Same as transformers.get_linear_schedule_with_warmup; `step` = updates done so far."""
    if step < WARMUP_STEPS:
        return step / max(1, WARMUP_STEPS)
    return max(0.0, (TOTAL_STEPS - step) / max(1, TOTAL_STEPS - WARMUP_STEPS))


def leaf(t32):
    return t32.to(torch.float64).requires_grad_()


def constant_lr_scenario():
    w0, b0 = randn(5, 7), randn(7, scale=0.5)
    w, b = leaf(w0), leaf(b0)
    optimizer = make_optimizer(w, b)
    out = {"w.0": w0, "b.0": b0}
    for t in range(1, 4):
        grad_w, grad_b = randn(5, 7), randn(7)
        w.grad, b.grad = grad_w.to(torch.float64), grad_b.to(torch.float64)
        optimizer.step()
        out.update({f"grad_w.{t}": grad_w, f"grad_b.{t}": grad_b,
                    f"w.{t}": w.detach().clone(), f"b.{t}": b.detach().clone()})
    for name, p in [("w", w), ("b", b)]:
        state = optimizer.state[p]
        assert int(state["step"]) == 3
        out[f"exp_avg_{name}.3"] = state["exp_avg"].clone()
        out[f"exp_avg_sq_{name}.3"] = state["exp_avg_sq"].clone()
    return out


def scheduled_clipped_scenario():
    w0, b0 = randn(5, 7), randn(7, scale=0.5)
    w, b = leaf(w0), leaf(b0)
    optimizer = make_optimizer(w, b)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, linear_warmup_decay)
    out = {"clip.w.0": w0, "clip.b.0": b0}
    lrs = []
    for t in range(1, TOTAL_STEPS + 1):
        # Step 4 gets small gradients (global norm < 1) so the no-clipping branch is covered.
        scale = 0.05 if t == 4 else 3.0
        grad_w, grad_b = randn(5, 7, scale=scale), randn(7, scale=scale)
        w.grad, b.grad = grad_w.to(torch.float64), grad_b.to(torch.float64)
        norm = torch.nn.utils.clip_grad_norm_([w, b], MAX_GRAD_NORM)
        assert (float(norm) > MAX_GRAD_NORM) == (t != 4)
        lr = optimizer.param_groups[0]["lr"]
        assert lr == optimizer.param_groups[1]["lr"] == LR * linear_warmup_decay(t - 1)
        lrs.append(lr)
        out.update({f"clip.grad_w.{t}": grad_w, f"clip.grad_b.{t}": grad_b,
                    f"clip.grad_norm.{t}": norm.detach().reshape(1),
                    f"clip.clipped_grad_w.{t}": w.grad.clone(), f"clip.clipped_grad_b.{t}": b.grad.clone()})
        optimizer.step()
        scheduler.step()
        out.update({f"clip.w.{t}": w.detach().clone(), f"clip.b.{t}": b.detach().clone()})
    out["lr_schedule"] = torch.tensor(lrs, dtype=torch.float64)
    return out, lrs


def main():
    tensors = constant_lr_scenario()
    clipped, lrs = scheduled_clipped_scenario()
    tensors.update(clipped)
    metadata = {
        "generator": "Tests/Reference/adamw_reference.py",
        "torch_version": torch.__version__,
        "seed": str(SEED),
        "precision": "inputs drawn in float32, optimizer run in float64, stored as F32",
        "optimizer": "torch.optim.AdamW (decoupled weight decay p *= 1 - lr*wd before the Adam update)",
        "lr": repr(LR),
        "beta1": repr(BETAS[0]),
        "beta2": repr(BETAS[1]),
        "eps": repr(EPS),
        "weight_decay.w": repr(WEIGHT_DECAY_W),
        "weight_decay.b": repr(WEIGHT_DECAY_B),
        "clip.max_grad_norm": repr(MAX_GRAD_NORM),
        "clip.warmup_steps": str(WARMUP_STEPS),
        "clip.total_steps": str(TOTAL_STEPS),
        "clip.peak_lr": repr(LR),
        "clip.lr_used_by_update_1..6": ",".join(repr(lr) for lr in lrs),
    }
    write_and_verify(os.path.join(FIXTURES, "adamw.safetensors"), tensors, metadata)
    print("lr used by updates 1..6:", lrs)


if __name__ == "__main__":
    main()
