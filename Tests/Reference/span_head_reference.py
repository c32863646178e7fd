"""The question-answering span head -> Tests/Fixtures/span_head.safetensors, see README.md.

Hugging Face's BertForQuestionAnswering head (qa_outputs = Linear(H, 2); start and end logits) with MiniBioBert's
mask: positions that cannot hold an answer get -10000 added. Loss = (CE(start) + CE(end)) / 2.
Inputs are drawn in float32, upcast to float64; forward and autograd run in float64; results are stored as F32.
"""

import os
import sys

sys.dont_write_bytecode = True

import torch

from safetensors_io import write_and_verify

SEED = 23
FIXTURES = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures"))
GEN = torch.Generator().manual_seed(SEED)
MASKED_SCORE = -10000.0
B, T, H = 3, 7, 5


def main():
    x32 = torch.randn((B, T, H), generator=GEN, dtype=torch.float32)
    w32 = torch.randn((2, H), generator=GEN, dtype=torch.float32) * 0.5
    b32 = torch.randn((2,), generator=GEN, dtype=torch.float32) * 0.5
    # [CLS] and the context may hold an answer; the question (positions 1-2) and [SEP] (3, last) may not.
    # Example 2 is padded after position 4.
    answer_positions = torch.tensor([[1, 0, 0, 0, 1, 1, 1],
                                     [1, 0, 0, 0, 1, 1, 1],
                                     [1, 0, 0, 0, 1, 0, 0]], dtype=torch.int64)
    starts = torch.tensor([4, 0, 4], dtype=torch.int64)
    ends = torch.tensor([6, 0, 4], dtype=torch.int64)

    x, w, b = (t.to(torch.float64).requires_grad_() for t in (x32, w32, b32))
    logits = x @ w.T + b                                                  # [B, T, 2]
    bias = (1 - answer_positions).to(torch.float64) * MASKED_SCORE        # [B, T]
    span = torch.stack([logits[..., 0] + bias, logits[..., 1] + bias])    # [2, B, T]
    ce = torch.nn.functional.cross_entropy
    loss = (ce(span[0], starts) + ce(span[1], ends)) / 2
    loss.backward()

    tensors = {
        "x": x32, "weight": w32, "bias": b32,
        "answer_positions": answer_positions, "starts": starts, "ends": ends,
        "span_logits": span.detach().to(torch.float32),
        "loss": loss.detach().to(torch.float32).reshape(1),
        "grad_x": x.grad.to(torch.float32), "grad_weight": w.grad.to(torch.float32), "grad_bias": b.grad.to(torch.float32),
    }
    metadata = {"generator": "Tests/Reference/span_head_reference.py", "torch_version": torch.__version__, "seed": str(SEED),
                "precision": "float32 inputs, float64 compute, F32 outputs", "masked_score": str(MASKED_SCORE)}
    write_and_verify(os.path.join(FIXTURES, "span_head.safetensors"), tensors, metadata)


if __name__ == "__main__":
    main()
