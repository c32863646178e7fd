"""PyTorch baseline of the train-step benchmark (run by compare-train-step.sh, never by the tests).

Builds the same BertForPreTraining as Tests/Reference/bert_reference.py (Hugging Face names and semantics) at the
default Mini-BioBERT size, in float32, and times full training steps (forward, backward, clip_grad_norm_, AdamW)
on a random batch with 15% MLM positions. --mlm-head all scores every position (as Hugging Face does);
masked scores only the masked ones. The reference modules have no dropout layers, which slightly favours PyTorch.
Prints one JSON line like the C# `train-step` command. With --inference it times the encoder's forward pass
instead (evaluation mode, no gradients), like the C# `inference` command.
"""

import argparse
import json
import os
import resource
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Reference"))

import torch  # noqa: E402

import bert_reference  # noqa: E402

CONFIG = {
    "vocab_size": 30522, "hidden_size": 256, "num_hidden_layers": 4, "num_attention_heads": 4,
    "intermediate_size": 1024, "max_position_embeddings": 512, "type_vocab_size": 2,
    "layer_norm_eps": 1e-12, "pad_token_id": 0,
}


def random_batch(batch, seq, generator):
    input_ids = torch.randint(1000, CONFIG["vocab_size"], (batch, seq), generator=generator)
    token_type_ids = (torch.arange(seq) >= seq // 2).long().expand(batch, seq).contiguous()
    chosen = torch.rand(batch, seq, generator=generator) < 0.15
    labels = torch.where(chosen, torch.randint(1000, CONFIG["vocab_size"], (batch, seq), generator=generator),
                         torch.full((batch, seq), -100))
    return {"input_ids": input_ids, "token_type_ids": token_type_ids,
            "attention_mask": torch.ones(batch, seq, dtype=torch.int64), "mlm_labels": labels,
            "nsp_labels": torch.arange(batch) % 2}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seq", type=int, default=128)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--mlm-head", choices=["all", "masked"], default="all")
    parser.add_argument("--inference", action="store_true")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = bert_reference.BertForPreTraining(CONFIG).float().train()
    with torch.no_grad():  # BERT's initialisation, as the C# model uses
        for name, p in model.named_parameters():
            if name.endswith("LayerNorm.weight"):
                p.fill_(1.0)
            elif name.endswith("bias"):
                p.zero_()
            else:
                p.normal_(0.0, 0.02)
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "LayerNorm" in n)]
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "LayerNorm" in n]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=1e-4, eps=1e-6)
    batch = random_batch(args.batch, args.seq, torch.Generator().manual_seed(2))
    if args.inference:
        time_inference(model, batch, args)
        return

    elapsed = 0.0
    loss = None
    for step in range(args.warmup + args.steps):
        started = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = model(batch, args.mlm_head)["loss"]
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step >= args.warmup:
            elapsed += time.perf_counter() - started

    ms_per_step = 1000 * elapsed / args.steps
    print(json.dumps({
        "engine": f"pytorch-{torch.__version__}-{args.mlm_head}-positions",
        "ms_per_step": round(ms_per_step, 1),
        "tokens_per_s": round(args.batch * args.seq / (ms_per_step / 1000)),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "batch": args.batch, "seq": args.seq, "threads": args.threads, "steps": args.steps,
        "loss": round(float(loss), 4),
    }))


def time_inference(model, batch, args):
    """The encoder's forward pass (embeddings + layers) in evaluation mode without autograd."""
    model.eval()
    elapsed = 0.0
    with torch.no_grad():
        for step in range(args.warmup + args.steps):
            started = time.perf_counter()
            sequence_output = model.bert(batch["input_ids"], batch["token_type_ids"], batch["attention_mask"])[0]
            if step >= args.warmup:
                elapsed += time.perf_counter() - started
    ms_per_batch = 1000 * elapsed / args.steps
    print(json.dumps({
        "engine": f"pytorch-{torch.__version__}-inference",
        "ms_per_batch": round(ms_per_batch, 1),
        "sequences_per_s": round(args.batch / (ms_per_batch / 1000), 1),
        "tokens_per_s": round(args.batch * args.seq / (ms_per_batch / 1000)),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "batch": args.batch, "seq": args.seq, "threads": args.threads, "batches": args.steps,
        "first_output": round(float(sequence_output.reshape(-1)[0]), 6),
    }))


if __name__ == "__main__":
    main()
