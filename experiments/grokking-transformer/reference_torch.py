"""PyTorch reference for the grokking-transformer experiment (teddykoker/grokking `train.py`).

Reads DIR/reference.json written by compare-torch.ts (the config, θ₀ as a PyTorch state_dict, the
training batches and the whole training set), builds the same decoder with torch.nn modules
(nn.Embedding, nn.MultiheadAttention with the causal -inf mask, nn.LayerNorm, nn.GELU, a head
without bias), loads θ₀, and prints one JSON object: the full-train-set loss/accuracy at θ₀, the
loss of every training batch (Adam, or AdamW when weightDecay > 0, with the repo's LambdaLR
warm-up), and the full-train-set loss/accuracy after the last step.

    /usr/bin/python3 experiments/grokking-transformer/reference_torch.py DIR
"""
import json
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.ln_1 = nn.LayerNorm(dim)
        self.ln_2 = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim))

    def forward(self, x):
        n = x.shape[0]
        mask = torch.triu(torch.full((n, n), -float("inf"), dtype=x.dtype), diagonal=1)
        x = self.ln_1(x)  # as coded: the layer norm's output is the residual stream
        a, _ = self.attn(x, x, x, attn_mask=mask, need_weights=False)
        x = x + a
        return x + self.mlp(self.ln_2(x))


class Decoder(nn.Module):
    def __init__(self, dim, layers, heads, tokens, seq_len=5):
        super().__init__()
        self.token_embeddings = nn.Embedding(tokens, dim)
        self.position_embeddings = nn.Embedding(seq_len, dim)
        self.layers = nn.ModuleList([Block(dim, heads) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, tokens, bias=False)

    def forward(self, x):  # x: [seq, batch] (sequence first)
        h = self.token_embeddings(x)
        positions = torch.arange(x.shape[0]).unsqueeze(-1)
        h = h + self.position_embeddings(positions).expand_as(h)
        for layer in self.layers:
            h = layer(h)
        return self.head(self.ln_f(h))


def last_position_loss(model, tokens, labels):
    logits = model(tokens.T)[-1]  # [batch, vocab] at the "=" position
    return F.cross_entropy(logits, labels), logits


def optimizer_for(model, lr, betas, eps, weight_decay, warmup_steps):
    """The repo's optimizer: Adam, or AdamW when weight decay > 0, under LambdaLR's linear warm-up."""
    if weight_decay > 0:
        opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=lr, betas=betas, eps=eps)
    w = warmup_steps
    return opt, torch.optim.lr_scheduler.LambdaLR(opt, lambda u: 1 if w <= 0 or u >= w else u / w)


def main(folder):
    torch.set_num_threads(1)
    ref = json.load(open(f"{folder}/reference.json"))
    c = ref["config"]
    model = Decoder(c["dModel"], c["layers"], c["heads"], c["modulus"] + 2)
    state = {k: torch.tensor(v["values"], dtype=torch.float32).reshape(v["shape"]) for k, v in ref["state"].items()}
    model.load_state_dict(state, strict=True)
    count = sum(p.numel() for p in model.parameters())

    train_tokens = torch.tensor(ref["trainTokens"], dtype=torch.long).reshape(-1, 4)
    train_labels = torch.tensor(ref["trainLabels"], dtype=torch.long)

    def score():
        with torch.no_grad():
            loss, logits = last_position_loss(model, train_tokens, train_labels)
            acc = (logits.argmax(-1) == train_labels).float().mean()
        return loss.item(), acc.item()

    initial = score()
    opt, sched = optimizer_for(model, c["lr"], (c["beta1"], c["beta2"]), c["eps"], c["weightDecay"], c["warmupSteps"])
    losses = []
    t0 = time.perf_counter()
    for batch in ref["batches"]:
        tokens = torch.tensor(batch["tokens"], dtype=torch.long).reshape(-1, 4)
        labels = torch.tensor(batch["labels"], dtype=torch.long)
        loss, _ = last_position_loss(model, tokens, labels)
        model.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    seconds = time.perf_counter() - t0
    final = score()
    print(json.dumps({
        "torch": torch.__version__,
        "parameters": count,
        "initialTrainLoss": initial[0],
        "initialTrainAcc": initial[1],
        "losses": losses,
        "finalTrainLoss": final[0],
        "finalTrainAcc": final[1],
        "secondsPerStep": seconds / max(1, len(losses)),
    }))


if __name__ == "__main__":
    main(sys.argv[1])
