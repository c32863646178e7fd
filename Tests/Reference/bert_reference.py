"""Tiny BertForPreTraining in plain PyTorch -> Tests/Fixtures/tiny_bert*, see README.md.

The modules below follow Hugging Face `BertForPreTraining` parameter names and
semantics (post-LayerNorm BERT, exact-erf GELU, tied MLM decoder), with dropout
off and the extended attention mask (1 - attention_mask) * -10000.0.
Parameters are drawn in float32, upcast to float64; the forward and backward
passes run in float64; results are stored as F32.
"""

import json
import math
import os
import sys

sys.dont_write_bytecode = True

import torch
import torch.nn.functional as F
from torch import nn

from safetensors_io import write_and_verify

SEED = 2024
FIXTURES = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures"))
GEN = torch.Generator().manual_seed(SEED)

CONFIG = {
    "architectures": ["BertForPreTraining"],
    "model_type": "bert",
    "vocab_size": 40,
    "hidden_size": 16,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 28,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 20,
    "type_vocab_size": 2,
    "initializer_range": 0.02,
    "layer_norm_eps": 1e-12,
    "pad_token_id": 0,
    "position_embedding_type": "absolute",
}
MASK_VALUE = -10000.0
PAD, UNK, CLS, SEP, MASK = 0, 1, 2, 3, 4
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
         "the", "of", "and", "in", "to", "a", "is", "cell", "cells", "gene",
         "protein", "tumor", "dna", "rna", "virus", "blood", "drug", "dose", "patient", "study",
         "bind", "express", "mutat", "receptor", "kinase",
         "##s", "##ed", "##ing", "##ion", "##al", "##ic", "##ly", "##er", ".", ","]


def randn(*shape, scale=1.0):
    return torch.randn(shape, generator=GEN, dtype=torch.float32) * scale


# ----------------------------------------------------------------------------- model

class BertEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"], padding_idx=c["pad_token_id"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, input_ids, token_type_ids):
        # input_ids, token_type_ids: [B, T] -> [B, T, H]
        positions = torch.arange(input_ids.shape[1])
        x = (self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
             + self.position_embeddings(positions)[None])
        return self.LayerNorm(x)


class BertSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c["num_attention_heads"]
        self.head_size = c["hidden_size"] // self.heads
        self.query = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.key = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.value = nn.Linear(c["hidden_size"], c["hidden_size"])

    def split_heads(self, x):
        # [B, T, H] -> [B, heads, T, head_size]
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.head_size).transpose(1, 2)

    def forward(self, x, extended_mask):
        # x: [B, T, H]; extended_mask: [B, 1, 1, T]
        q, k, v = self.split_heads(self.query(x)), self.split_heads(self.key(x)), self.split_heads(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_size) + extended_mask
        probs = torch.softmax(scores, dim=-1)                   # [B, heads, T, T]
        context = (probs @ v).transpose(1, 2).reshape(x.shape)  # [B, T, H]
        return context, probs


class BertSelfOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, context, residual):
        return self.LayerNorm(self.dense(context) + residual)


class BertAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = BertSelfAttention(c)
        self.output = BertSelfOutput(c)

    def forward(self, x, extended_mask):
        context, probs = self.self(x, extended_mask)
        return self.output(context, x), probs


class BertIntermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])

    def forward(self, x):
        return F.gelu(self.dense(x), approximate="none")


class BertOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["intermediate_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, h, residual):
        return self.LayerNorm(self.dense(h) + residual)


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = BertAttention(c)
        self.intermediate = BertIntermediate(c)
        self.output = BertOutput(c)

    def forward(self, x, extended_mask):
        attention_output, probs = self.attention(x, extended_mask)
        return self.output(self.intermediate(attention_output), attention_output), probs


class BertEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList(BertLayer(c) for _ in range(c["num_hidden_layers"]))


class BertPooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])

    def forward(self, hidden):
        return torch.tanh(self.dense(hidden[:, 0]))  # [B, H]


class BertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = BertEmbeddings(c)
        self.encoder = BertEncoder(c)
        self.pooler = BertPooler(c)

    def forward(self, input_ids, token_type_ids, attention_mask):
        dtype = self.embeddings.word_embeddings.weight.dtype  # float64 for fixtures, float32 in the benchmark
        extended_mask = (1.0 - attention_mask[:, None, None, :].to(dtype)) * MASK_VALUE
        hidden = self.embeddings(input_ids, token_type_ids)
        hidden_states, attention_probs = [hidden], []
        for layer in self.encoder.layer:
            hidden, probs = layer(hidden, extended_mask)
            hidden_states.append(hidden)
            attention_probs.append(probs)
        return hidden, self.pooler(hidden), hidden_states, attention_probs


class BertPredictionHeadTransform(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, x):
        return self.LayerNorm(F.gelu(self.dense(x), approximate="none"))


class BertLMPredictionHead(nn.Module):
    def __init__(self, c, word_embeddings):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(c["vocab_size"]))
        self.transform = BertPredictionHeadTransform(c)
        self.decoder = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        self.decoder.weight = word_embeddings.weight  # tied, as in HF
        self.decoder.bias = self.bias                 # tied, as in HF

    def forward(self, x):
        return self.decoder(self.transform(x))  # [..., V]


class BertPreTrainingHeads(nn.Module):
    def __init__(self, c, word_embeddings):
        super().__init__()
        self.predictions = BertLMPredictionHead(c, word_embeddings)
        self.seq_relationship = nn.Linear(c["hidden_size"], 2)


class BertForPreTraining(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.bert = BertModel(c)
        self.cls = BertPreTrainingHeads(c, self.bert.embeddings.word_embeddings)

    def forward(self, batch, mlm_head):
        """mlm_head: "masked" runs the MLM head only on rows with label != -100,
        "all" runs it on every position (as HF does) and lets cross-entropy ignore -100."""
        sequence_output, pooled, hidden_states, attention_probs = self.bert(
            batch["input_ids"], batch["token_type_ids"], batch["attention_mask"])
        labels = batch["mlm_labels"]
        if mlm_head == "masked":
            selected = labels != -100
            mlm_logits = self.cls.predictions(sequence_output[selected])  # [M, V], row-major (b, t)
            mlm_targets = labels[selected]
            mlm_loss = F.cross_entropy(mlm_logits, mlm_targets)
        else:
            all_logits = self.cls.predictions(sequence_output)  # [B, T, V]
            mlm_loss = F.cross_entropy(all_logits.reshape(-1, all_logits.shape[-1]), labels.reshape(-1),
                                       ignore_index=-100)
            selected = labels != -100
            mlm_logits, mlm_targets = all_logits[selected], labels[selected]
        nsp_logits = self.cls.seq_relationship(pooled)  # [B, 2]
        nsp_loss = F.cross_entropy(nsp_logits, batch["nsp_labels"])
        return {
            "loss": mlm_loss + nsp_loss,
            "mlm_loss": mlm_loss,
            "nsp_loss": nsp_loss,
            "mlm_accuracy": (mlm_logits.argmax(-1) == mlm_targets).to(torch.float64).mean(),
            "nsp_accuracy": (nsp_logits.argmax(-1) == batch["nsp_labels"]).to(torch.float64).mean(),
            "mlm_logits_masked": mlm_logits,
            "nsp_logits": nsp_logits,
            "pooled_output": pooled,
            "hidden_states": hidden_states,
            "attention_probs": attention_probs,
        }


def checkpoint_parameters(model):
    """HF names of the stored parameters: every unique parameter (tied ones once)."""
    return dict(model.named_parameters())


def init_weights(model):
    """std 0.2 normal for matrices/embeddings, LayerNorm weight 1 + 0.1 N, biases 0.1 N."""
    with torch.no_grad():
        for name, p in checkpoint_parameters(model).items():
            if name.endswith("LayerNorm.weight"):
                value = 1.0 + randn(*p.shape, scale=0.1)
            elif name.endswith("bias"):
                value = randn(*p.shape, scale=0.1)
            else:
                value = randn(*p.shape, scale=0.2)
            p.copy_(value.to(torch.float64))


# ----------------------------------------------------------------------------- batch

def make_batch():
    """B=3, T=11: [CLS] A [SEP] B [SEP] then padding; 3 masked positions per sequence."""
    b, t = 3, 11
    layouts = [(11, 4), (8, 3), (6, 2)]  # (sequence length, tokens in segment A)
    masked_positions = [[2, 6, 9], [1, 3, 5], [1, 2, 4]]
    input_ids = torch.zeros(b, t, dtype=torch.int64)
    token_type_ids = torch.zeros(b, t, dtype=torch.int64)
    attention_mask = torch.zeros(b, t, dtype=torch.int64)
    mlm_labels = torch.full((b, t), -100, dtype=torch.int64)
    for i, (length, len_a) in enumerate(layouts):
        sep_a = 1 + len_a
        input_ids[i, :length] = torch.randint(5, 40, (length,), generator=GEN)
        input_ids[i, 0] = CLS
        input_ids[i, sep_a] = SEP
        input_ids[i, length - 1] = SEP
        token_type_ids[i, sep_a + 1:length] = 1
        attention_mask[i, :length] = 1
        for pos in masked_positions[i]:
            assert 0 < pos < length and pos not in (sep_a, length - 1)
            mlm_labels[i, pos] = int(torch.randint(5, 40, (1,), generator=GEN))
            input_ids[i, pos] = MASK
    nsp_labels = torch.tensor([0, 1, 0], dtype=torch.int64)
    return {"input_ids": input_ids, "token_type_ids": token_type_ids, "attention_mask": attention_mask,
            "mlm_labels": mlm_labels, "nsp_labels": nsp_labels}


# ----------------------------------------------------------------------------- main

def forward_backward(model, batch, mlm_head):
    model.zero_grad(set_to_none=True)
    outputs = model(batch, mlm_head)
    outputs["loss"].backward()
    grads = {name: p.grad.clone() for name, p in checkpoint_parameters(model).items()}
    return outputs, grads


def top2_margin(logits):
    top = logits.detach().topk(2, dim=-1).values
    return float((top[..., 0] - top[..., 1]).min())


def main():
    torch.set_default_dtype(torch.float64)
    model = BertForPreTraining(CONFIG)
    init_weights(model)
    batch = make_batch()

    # Two labels are set to the model's own prediction so that mlm_accuracy is
    # not trivially 0 (labels do not affect the logits): rows 0 and 4 of the
    # masked positions, i.e. (batch 0, position 2) and (batch 1, position 3).
    with torch.no_grad():
        logits = model(batch, "masked")["mlm_logits_masked"]
    for b, t, row in [(0, 2, 0), (1, 3, 4)]:
        batch["mlm_labels"][b, t] = int(logits[row].argmax())

    outputs, grads = forward_backward(model, batch, "masked")
    outputs_all, grads_all = forward_backward(model, batch, "all")
    for key in ["loss", "mlm_loss", "nsp_loss", "mlm_accuracy", "nsp_accuracy"]:
        assert abs(float(outputs[key] - outputs_all[key])) < 1e-12, key
    for name in grads:
        assert torch.allclose(grads[name], grads_all[name], rtol=0, atol=1e-12), name
    margins = (top2_margin(outputs["mlm_logits_masked"]), top2_margin(outputs["nsp_logits"]))
    assert min(margins) > 1e-3, f"argmax too close to a tie for float32: {margins}"

    params = checkpoint_parameters(model)
    state_keys = set(model.state_dict())
    assert state_keys - set(params) == {"cls.predictions.decoder.weight", "cls.predictions.decoder.bias"}

    checkpoint_dir = os.path.join(FIXTURES, "tiny_bert")
    os.makedirs(checkpoint_dir, exist_ok=True)
    write_and_verify(os.path.join(checkpoint_dir, "model.safetensors"),
                     {name: p.detach() for name, p in params.items()}, {"format": "pt"})
    with open(os.path.join(checkpoint_dir, "config.json"), "w", encoding="utf-8") as f:
        json.dump(CONFIG, f, indent=2)
        f.write("\n")
    assert len(VOCAB) == CONFIG["vocab_size"] and len(set(VOCAB)) == len(VOCAB)
    with open(os.path.join(checkpoint_dir, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("".join(token + "\n" for token in VOCAB))

    write_and_verify(os.path.join(FIXTURES, "tiny_bert_batch.safetensors"), batch,
                     {"generator": "Tests/Reference/bert_reference.py", "pad_token_id": "0"})

    expected = {key: outputs[key].detach().reshape(1)
                for key in ["loss", "mlm_loss", "nsp_loss", "mlm_accuracy", "nsp_accuracy"]}
    for key in ["mlm_logits_masked", "nsp_logits", "pooled_output"]:
        expected[key] = outputs[key].detach()
    for i, h in enumerate(outputs["hidden_states"]):
        expected[f"hidden_states.{i}"] = h.detach()
    for i, p in enumerate(outputs["attention_probs"]):
        expected[f"attention_probs.{i}"] = p.detach()
    for name, g in grads.items():
        expected[f"grad.{name}"] = g
    metadata = {
        "generator": "Tests/Reference/bert_reference.py",
        "torch_version": torch.__version__,
        "seed": str(SEED),
        "precision": "parameters drawn in float32, computed in float64, stored as F32",
        "attention_mask_value": str(MASK_VALUE),
        "dropout": "off (eval semantics)",
        "config": json.dumps(CONFIG, separators=(",", ":")),
    }
    write_and_verify(os.path.join(FIXTURES, "tiny_bert_expected.safetensors"), expected, metadata)
    for key in ["loss", "mlm_loss", "nsp_loss", "mlm_accuracy", "nsp_accuracy"]:
        print(f"{key} = {float(outputs[key]):.10f}")
    print(f"argmax top-2 margins (mlm, nsp): {margins[0]:.4f}, {margins[1]:.4f}")


if __name__ == "__main__":
    main()
