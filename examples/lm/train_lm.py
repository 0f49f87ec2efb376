#!/usr/bin/env python3
"""Trains the tiny character-level transformer of examples/lm on corpus.txt and writes the
committed artefacts beside this script (docs/lm.md):

    weights/<name>.npy   float32, one file per parameter (names: lm_model.param_shapes)
    model.json           the decode-step graph in the compiler's lpu-model format
    config.json          vocabulary, architecture, training settings and final losses
    calib/, ref_generation.txt   from generate_ref.py, which runs at the end

numpy only: the forward and backward passes are written out in lm_model.py, the optimiser
(Adam with bias correction, decoupled weight decay on matrices, global-norm clipping, linear
warm-up then cosine decay) below. Fixed seeds and single-threaded BLAS, so a run on the same
machine and numpy reproduces the weights bit for bit.

    python3 -m venv .venv-train
    .venv-train/bin/pip install -r scripts/requirements-train.txt
    .venv-train/bin/python examples/lm/train_lm.py            # ~7 min of one core
    .venv-train/bin/python examples/lm/train_lm.py --gradcheck   # backward vs finite differences
"""
import os

# One BLAS thread: the machine is shared, and the summation order (so the result) stays fixed.
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import generate_ref as G  # noqa: E402
import lm_model as M  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
VAL_FRACTION = 0.1      # the last 10% of the corpus is held out


def load_corpus(path):
    text = open(path, "rb").read().decode("ascii")
    chars = sorted(set(text))
    if len(chars) > M.VOCAB:
        sys.exit("corpus has %d distinct characters, the model's vocabulary is %d" % (len(chars), M.VOCAB))
    stoi = {c: i for i, c in enumerate(chars)}
    ids = np.array([stoi[c] for c in text], dtype=np.int64)
    return text, chars, ids


def split(ids):
    n_val = int(len(ids) * VAL_FRACTION)
    return ids[:-n_val], ids[-n_val:]


def fixed_windows(ids, count, rng):
    """`count` windows of CTX+1 tokens at fixed random offsets (the loss estimate's sample)."""
    starts = rng.integers(0, len(ids) - M.CTX - 1, size=count)
    return np.stack([ids[s:s + M.CTX + 1] for s in starts])


def all_windows(ids):
    """Every non-overlapping window of CTX+1 tokens (the held-out evaluation)."""
    n = (len(ids) - 1) // M.CTX
    return np.stack([ids[i * M.CTX:i * M.CTX + M.CTX + 1] for i in range(n)])


def mean_loss(params, windows, batch=64):
    total, count = 0.0, 0
    for i in range(0, len(windows), batch):
        w = windows[i:i + batch]
        logits, _ = M.forward(params, w[:, :-1])
        loss, _ = M.cross_entropy(logits, w[:, 1:])
        total += loss * w.shape[0]
        count += w.shape[0]
    return total / count


class Adam:
    def __init__(self, params, beta1, beta2, eps, weight_decay):
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.b1, self.b2, self.eps, self.wd = beta1, beta2, eps, weight_decay
        self.t = 0

    def step(self, params, grads, lr):
        self.t += 1
        c1 = 1.0 - self.b1 ** self.t
        c2 = 1.0 - self.b2 ** self.t
        for k, p in params.items():
            g = grads[k]
            self.m[k] = self.b1 * self.m[k] + (1.0 - self.b1) * g
            self.v[k] = self.b2 * self.v[k] + (1.0 - self.b2) * g * g
            update = (self.m[k] / c1) / (np.sqrt(self.v[k] / c2) + self.eps)
            if p.ndim == 2 and k not in ("tok_emb", "pos_emb"):
                update = update + self.wd * p          # decoupled decay, matrices only
            params[k] = (p - lr * update).astype(p.dtype)


def lr_at(step, steps, peak, warmup, floor):
    if step < warmup:
        return peak * (step + 1) / warmup
    frac = (step - warmup) / max(1, steps - warmup)
    return floor + (peak - floor) * 0.5 * (1.0 + math.cos(math.pi * frac))


def gradcheck(seed):
    """Compares backward() with central finite differences in float64 on a short batch, with
    dropout off and on (the same masks for every evaluation: a fresh Generator per call)."""
    rng = np.random.default_rng(seed)
    params = M.init_params(rng, dtype=np.float64)
    for k in params:       # move norms and biases off their initial values so they are tested
        if params[k].ndim == 1:
            params[k] = params[k] + rng.normal(0, 0.1, params[k].shape)
    idx = rng.integers(0, M.VOCAB, size=(2, 9))
    tgt = rng.integers(0, M.VOCAB, size=(2, 9))
    worst = 0.0
    for rate in (0.0, 0.2):
        def run():
            logits, cache = M.forward(params, idx, rate, np.random.default_rng(99))
            loss, dlogits = M.cross_entropy(logits, tgt)
            return loss, dlogits, cache
        _, dlogits, cache = run()
        grads = M.backward(params, dlogits, cache)
        for k, p in params.items():
            flat = p.reshape(-1)
            picks = rng.choice(flat.size, size=min(6, flat.size), replace=False)
            if k == "tok_emb":
                picks = np.array([idx[0, 0] * M.D_MODEL + 3, idx[1, 4] * M.D_MODEL + 17])
            for j in picks:
                old = flat[j]
                flat[j] = old + 1e-5
                lp = run()[0]
                flat[j] = old - 1e-5
                lm = run()[0]
                flat[j] = old
                num = (lp - lm) / 2e-5
                ana = grads[k].reshape(-1)[j]
                # Relative error; gradients that are zero in theory (bk: softmax ignores a
                # constant added to every score) are judged by their absolute error.
                err = abs(num - ana) / max(1e-4, abs(num) + abs(ana))
                worst = max(worst, err)
                if err > 1e-5:
                    print("gradcheck FAIL (dropout %g) %s[%d]: numeric %.9g analytic %.9g" % (rate, k, j, num, ana))
                    return 1
    print("gradcheck ok: %d tensors, dropout 0 and 0.2, worst relative error %.2e" % (len(params), worst))
    return 0


def int8_budget():
    """Bytes of the model on the LPU at int8 (weights int8, biases int32, norm gains int16)
    and of the KV cache (int8), against the base config's 256 KiB of SRAM."""
    w8 = b32 = g16 = 0
    for name, shape in M.param_shapes():
        n = int(np.prod(shape))
        if len(shape) == 2:
            w8 += n
        elif name.endswith("norm.w"):
            g16 += 2 * n
        else:
            b32 += 4 * n
    kv = M.N_LAYERS * 2 * M.CTX * M.D_MODEL
    return {"weights_int8_bytes": w8, "biases_int32_bytes": b32, "norm_gains_int16_bytes": g16,
            "kv_cache_int8_bytes": kv, "total_bytes": w8 + b32 + g16 + kv, "sram_bytes": 256 * 1024}


def export(params, chars, settings, results, out_dir):
    wdir = os.path.join(out_dir, "weights")
    os.makedirs(wdir, exist_ok=True)
    for name, shape in M.param_shapes():
        arr = np.ascontiguousarray(params[name], dtype=np.float32)
        assert arr.shape == shape
        np.save(os.path.join(wdir, name + ".npy"), arr, allow_pickle=False)
    with open(os.path.join(out_dir, "model.json"), "w") as f:
        json.dump(M.decode_graph(), f, indent=1)
        f.write("\n")
    vocab = chars + [None] * (M.VOCAB - len(chars))
    config = {
        "description": "tiny character-level transformer; docs/lm.md",
        "vocab": vocab,
        "architecture": {
            "vocab": M.VOCAB, "d_model": M.D_MODEL, "layers": M.N_LAYERS, "heads": M.N_HEADS,
            "d_head": M.D_HEAD, "d_ff": M.D_FF, "context": M.CTX, "norm": "rms_norm",
            "norm_eps": M.EPS, "activation": "gelu (exact, x * Phi(x))", "attention_scale": M.ATTN_SCALE,
            "positions": "learned", "linear_layout": "[in, out], y = x @ W + b",
            "parameters": int(sum(int(np.prod(s)) for _, s in M.param_shapes())),
        },
        "generation": {
            "prompt": G.PROMPT, "chars": G.N_CHARS, "real_vocab": len(chars),
            "temperature": G.TEMPERATURE, "seed": G.SEED, "window_keep": G.KEEP,
            "protocol": "docs/lm.md 'Generating text'; generate_ref.py pick() and Lcg64",
        },
        "lpu_budget": int8_budget(),
        "training": settings,
        "results": results,
    }
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=os.path.join(HERE, "corpus.txt"))
    ap.add_argument("--out", default=HERE, help="where weights/, model.json and config.json go")
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--gradcheck", action="store_true", help="check backward() and exit")
    args = ap.parse_args()
    if args.gradcheck:
        return gradcheck(args.seed)

    text, chars, ids = load_corpus(args.corpus)
    train_ids, val_ids = split(ids)
    print("corpus %d chars, %d distinct; train %d, held-out %d" % (len(ids), len(chars), len(train_ids), len(val_ids)))

    rng = np.random.default_rng(args.seed)
    params = M.init_params(rng)
    settings = {
        "seed": args.seed, "steps": args.steps, "batch": args.batch, "sequence": M.CTX,
        "optimizer": "Adam(0.9, 0.99, eps 1e-8), decoupled weight decay %g on matrices" % args.weight_decay,
        "dropout": args.dropout,
        "lr_peak": args.lr, "lr_warmup_steps": 100, "lr_floor": round(args.lr / 10, 12), "schedule": "cosine",
        "grad_clip_norm": 1.0, "held_out": "last %d%% of the corpus" % int(VAL_FRACTION * 100),
        "numpy": np.__version__, "dtype": "float32",
    }
    opt = Adam(params, 0.9, 0.99, 1e-8, args.weight_decay)
    eval_rng = np.random.default_rng(args.seed + 1)
    train_probe = fixed_windows(train_ids, 256, eval_rng)
    val_windows = all_windows(val_ids)

    t0 = time.process_time()
    for step in range(args.steps):
        starts = rng.integers(0, len(train_ids) - M.CTX - 1, size=args.batch)
        batch = np.stack([train_ids[s:s + M.CTX + 1] for s in starts])
        logits, cache = M.forward(params, batch[:, :-1], args.dropout, rng)
        loss, dlogits = M.cross_entropy(logits, batch[:, 1:])
        grads = M.backward(params, dlogits, cache)
        norm = math.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads.values()))
        if norm > 1.0:
            grads = {k: g * np.float32(1.0 / norm) for k, g in grads.items()}
        opt.step(params, grads, lr_at(step, args.steps, args.lr, 100, args.lr / 10))
        if step % 100 == 0 or step == args.steps - 1:
            print("step %5d  batch loss %.4f  grad norm %.3f  cpu %.0f s" % (step, loss, norm, time.process_time() - t0), flush=True)
        if step > 0 and step % 1000 == 0:
            print("   train %.4f  held-out %.4f" % (mean_loss(params, train_probe), mean_loss(params, val_windows)), flush=True)
    cpu = time.process_time() - t0
    results = {
        "train_loss": round(mean_loss(params, train_probe), 4),
        "held_out_loss": round(mean_loss(params, val_windows), 4),
        "loss_unit": "nats per character (cross-entropy)",
        "train_windows": len(train_probe), "held_out_windows": len(val_windows),
        "training_cpu_seconds": round(cpu, 1),
    }
    print("final: train loss %.4f, held-out loss %.4f (nats/char), %.0f s of CPU" % (results["train_loss"], results["held_out_loss"], cpu))
    export(params, chars, settings, results, args.out)
    b = int8_budget()
    print("LPU budget at int8: weights %d B + biases %d B + norm gains %d B + KV cache %d B = %d B of %d B SRAM" % (
        b["weights_int8_bytes"], b["biases_int32_bytes"], b["norm_gains_int16_bytes"], b["kv_cache_int8_bytes"], b["total_bytes"], b["sram_bytes"]))
    # The decode graph against the full forward pass, calibration data, reference text.
    return G.main(["--dir", args.out, "--corpus", args.corpus, "--write"])


if __name__ == "__main__":
    sys.exit(main())
