#!/usr/bin/env python3
"""Float32 numpy reference of the tiny language model's decode step (docs/lm.md).

It interprets model.json node by node (the same graph the compiler gets), one token per run,
with the per-layer KV caches as state that attention_decode updates in place. It

  1. checks the decode step against the full-sequence forward pass of lm_model.py (an
     independent code path) on a held-out window: max |logit difference|;
  2. writes calibration data for the compiler to calib/ (token and position sequences, the
     float logits of every step, per-tensor absolute maxima);
  3. generates 200 characters from a fixed prompt and prints them; with --write the text
     of the default settings goes to ref_generation.txt too.

Generation protocol (what `make demo` has to reproduce, docs/lm.md "Generating text"): the
prompt's tokens run at positions 0, 1, ...; the next token is chosen from the last logits
over the real vocabulary (the ids of config.json's non-null vocab entries) and runs at the
next position. When the next position would be 64 (the cache is full), the last KEEP-1 = 31
tokens run again at positions 0..30 and the new token goes to position 31.

Choosing a token (pick()): with temperature T > 0 (default 0.7, seed 1) one draw u of the
Lcg64 below per token, e_i = exp((z_i - max z) / T) in double, the first i with
cumsum(e)_i > u * sum(e); with T = 0 the argmax (ties: the lowest id). Greedy decoding of
this small model falls into a loop ("the people, and the people"), hence sampling.

    .venv-train/bin/python examples/lm/generate_ref.py [--temperature 0] [--seed 1] [--write]
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402

import lm_model as M  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PROMPT = "CORIOLANUS:\n"
KEEP = 32
TEMPERATURE = 0.7
SEED = 1
N_CHARS = 200
F32 = np.float32


class DecodeGraph:
    """model.json, executed in node order on float32 numpy arrays."""

    def __init__(self, model_dir):
        with open(os.path.join(model_dir, "model.json")) as f:
            self.graph = json.load(f)
        if self.graph.get("format") != "lpu-model" or self.graph.get("version") != 1:
            sys.exit("model.json: not an lpu-model version 1 graph")
        self.consts = {}
        self.shapes = {}
        for t in self.graph["tensors"]:
            if "file" in t:
                self.consts[t["name"]] = np.load(os.path.join(model_dir, t["file"]), allow_pickle=False).astype(F32)
            elif "shape" in t:
                self.shapes[t["name"]] = tuple(t["shape"])
        self.state_names = [n for n in self.graph["inputs"] if n not in ("token", "pos")]

    def new_state(self):
        """Zeroed KV caches (their contents never matter before being written: a step reads
        rows 0..pos only, and writes row pos first)."""
        return {n: np.zeros(self.shapes[n], dtype=F32) for n in self.state_names}

    def step(self, token, pos, state, record=None):
        """One decode step: logits [1, V]. `state` (the caches) is updated in place;
        `record`, if given, receives every tensor the step computes."""
        env = dict(self.consts)
        env["token"] = np.array([token], dtype=F32)
        env["pos"] = np.array([pos], dtype=F32)
        env.update(state)
        for node in self.graph["nodes"]:
            ins = [env[i] for i in node["inputs"]]
            env[node["outputs"][0]] = run_op(node, ins)
        if record is not None:
            for k, v in env.items():
                if k not in self.consts:
                    record[k] = v
        return env[self.graph["outputs"][0]]


def as_index(x, limit, what):
    v = float(x.reshape(-1)[0])
    i = int(v)
    if i != v or not 0 <= i < limit:
        raise ValueError("%s %r is not an integer in [0, %d)" % (what, v, limit))
    return i


def run_op(node, ins):
    """The float semantics of each op of the decode graph (docs/lm.md "Ops")."""
    op, attrs = node["op"], node.get("attrs", {})
    if op == "embedding":            # [ids [N], table [R, D]] -> table[ids]  [N, D]
        ids, table = ins
        return np.stack([table[as_index(i, table.shape[0], "embedding id")] for i in ids.reshape(-1)])
    if op == "add":
        return ins[0] + ins[1]
    if op == "rms_norm":             # [x [.., D], w [D]] -> x / sqrt(mean(x^2) + eps) * w
        x, w = ins
        return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + F32(attrs["eps"])) * w
    if op == "linear":               # [x [.., K], W [K, N], b [N]] -> x @ W + b
        return ins[0] @ ins[1] + (ins[2] if len(ins) > 2 else 0)
    if op == "gelu":                 # x * Phi(x), exact: erf in float64, rounded to float32
        return M.gelu(ins[0].astype(np.float64)).astype(F32)
    if op == "attention_decode":
        return attention_decode(*ins, heads=int(attrs["heads"]))
    raise ValueError("node %s: op %s is not used by this model" % (node["name"], op))


def attention_decode(q, k, v, k_cache, v_cache, pos, heads):
    """q, k, v [1, D]; caches [T, D] (state); pos [1]. Writes k and v to row pos of the caches,
    then for each head h (columns h*dh .. h*dh+dh-1, dh = D / heads):
    s_j = q_h . k_cache[j]_h / sqrt(dh) for j = 0..pos, p = softmax(s),
    out_h = sum_j p_j v_cache[j]_h. Returns [1, D]."""
    p = as_index(pos, k_cache.shape[0], "position")
    k_cache[p] = k[0]
    v_cache[p] = v[0]
    d = q.shape[1]
    dh = d // heads
    scale = F32(1.0 / np.sqrt(dh))
    out = np.empty((1, d), dtype=F32)
    for h in range(heads):
        cols = slice(h * dh, (h + 1) * dh)
        s = (k_cache[:p + 1, cols] @ q[0, cols]) * scale
        s = np.exp(s - s.max())
        out[0, cols] = (s / s.sum()) @ v_cache[:p + 1, cols]
    return out


def load_vocab(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        vocab = json.load(f)["vocab"]
    real = [c for c in vocab if c is not None]
    return real, {c: i for i, c in enumerate(real)}


def heldout_windows(corpus, stoi, count):
    """`count` consecutive windows of CTX+1 characters from the held-out tail of the corpus
    (the last 10%, as in train_lm.py)."""
    text = open(corpus, "rb").read().decode("ascii")
    tail = text[len(text) - int(len(text) * 0.1):]
    ids = [stoi[c] for c in tail]
    return [ids[i * M.CTX:i * M.CTX + M.CTX + 1] for i in range(count)]


def check_against_full_forward(dg, window):
    """Max |logits| difference between token-at-a-time decode and the full forward pass."""
    params = {k: v for k, v in dg.consts.items()}
    full, _ = M.forward(params, np.array([window[:M.CTX]]))
    state = dg.new_state()
    steps = np.stack([dg.step(t, p, state)[0] for p, t in enumerate(window[:M.CTX])])
    diff = float(np.max(np.abs(steps - full[0])))
    same_argmax = int(np.sum(np.argmax(steps, axis=1) == np.argmax(full[0], axis=1)))
    return diff, same_argmax, float(np.max(np.abs(full[0])))


def write_calibration(dg, windows, out_dir):
    """token.npy and pos.npy [S, 1] (S = 64 * len(windows) steps, run in order, each window
    from position 0), logits.npy [S, V] (this reference's output of every step) and
    stats.json (per tensor: absolute maximum over all steps)."""
    os.makedirs(out_dir, exist_ok=True)
    tokens, positions, logits = [], [], []
    amax = {}
    state = dg.new_state()
    for w in windows:
        for p, t in enumerate(w[:M.CTX]):
            rec = {}
            logits.append(dg.step(t, p, state, record=rec)[0])
            tokens.append(t)
            positions.append(p)
            for k, v in rec.items():
                amax[k] = max(amax.get(k, 0.0), float(np.max(np.abs(v))))
    np.save(os.path.join(out_dir, "token.npy"), np.array(tokens, dtype=F32).reshape(-1, 1), allow_pickle=False)
    np.save(os.path.join(out_dir, "pos.npy"), np.array(positions, dtype=F32).reshape(-1, 1), allow_pickle=False)
    np.save(os.path.join(out_dir, "logits.npy"), np.stack(logits).astype(F32), allow_pickle=False)
    with open(os.path.join(out_dir, "stats.json"), "w") as f:
        json.dump({"steps": len(tokens), "absmax": {k: round(v, 6) for k, v in sorted(amax.items())}}, f, indent=1)
        f.write("\n")
    return len(tokens)


class Lcg64:
    """The sampler's random numbers (--temperature > 0): state = state * 6364136223846793005
    + 1442695040888963407 mod 2^64; a draw is (state >> 11) / 2^53 in [0, 1)."""

    def __init__(self, seed):
        self.state = seed & (2 ** 64 - 1)

    def uniform(self):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & (2 ** 64 - 1)
        return (self.state >> 11) / float(2 ** 53)


def pick(logits, n_real, temperature, rng):
    z = logits[:n_real].astype(np.float64)
    if temperature <= 0:
        return int(np.argmax(z))          # first maximum: ties go to the lowest id
    e = np.exp((z - z.max()) / temperature)
    c = np.cumsum(e)
    return int(min(np.searchsorted(c, rng.uniform() * c[-1], side="right"), n_real - 1))


def generate(dg, prompt_ids, n_new, n_real, temperature=0.0, seed=1):
    """Returns (generated ids, decode steps run)."""
    if not 0 < len(prompt_ids) <= M.CTX:
        raise ValueError("the prompt must have 1..%d characters" % M.CTX)
    rng = Lcg64(seed)
    state = dg.new_state()
    history = list(prompt_ids)
    steps = 0
    logits = None
    for p, t in enumerate(prompt_ids):
        logits = dg.step(t, p, state)[0]
        steps += 1
    pos = len(prompt_ids)
    out = []
    for _ in range(n_new):
        tok = pick(logits, n_real, temperature, rng)
        out.append(tok)
        history.append(tok)
        if pos == M.CTX:                   # cache full: re-run the last KEEP-1 tokens first
            for p, t in enumerate(history[-KEEP:-1]):
                dg.step(t, p, state)
                steps += 1
            pos = KEEP - 1
        logits = dg.step(tok, pos, state)[0]
        steps += 1
        pos += 1
    return out, steps


def check_and_write(model_dir, corpus, write=True):
    """Steps 1-3 of the module docstring with the defaults (train_lm.py calls this after
    exporting). Returns 0 when the decode graph matches the full forward pass."""
    dg = DecodeGraph(model_dir)
    chars, stoi = load_vocab(model_dir)
    windows = heldout_windows(corpus, stoi, 4)
    diff, agree, scale = check_against_full_forward(dg, windows[0])
    print("decode step vs full forward (64 held-out positions): max |logit diff| %.3g "
          "(logits up to %.1f), same argmax at %d/64 positions" % (diff, scale, agree))
    if diff > 1e-3 or agree != M.CTX:
        print("MISMATCH: the decode graph does not compute the trained model")
        return 1
    if write:
        n = write_calibration(dg, windows, os.path.join(model_dir, "calib"))
        print("calib/: %d decode steps (token.npy, pos.npy, logits.npy, stats.json)" % n)
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", default=HERE, help="directory of model.json, config.json, weights/")
    ap.add_argument("--corpus", default=os.path.join(HERE, "corpus.txt"))
    ap.add_argument("--chars", type=int, default=N_CHARS, help="characters to generate")
    ap.add_argument("--prompt", default=PROMPT)
    ap.add_argument("--temperature", type=float, default=TEMPERATURE, help="0: greedy")
    ap.add_argument("--seed", type=int, default=SEED, help="sampler seed (--temperature > 0)")
    ap.add_argument("--write", action="store_true", help="write calib/ and (default settings) ref_generation.txt")
    args = ap.parse_args(argv)

    if check_and_write(args.dir, args.corpus, write=args.write) != 0:
        return 1
    dg = DecodeGraph(args.dir)
    chars, stoi = load_vocab(args.dir)
    prompt_ids = [stoi[c] for c in args.prompt]
    ids, steps = generate(dg, prompt_ids, args.chars, len(chars), args.temperature, args.seed)
    text = args.prompt + "".join(chars[i] for i in ids)
    mode = "greedy" if args.temperature <= 0 else "T=%g seed %d" % (args.temperature, args.seed)
    print("--- %s, %d characters after the prompt, %d decode steps ---" % (mode, args.chars, steps))
    print(text)
    print("---")
    defaults = (args.prompt, args.chars, args.temperature, args.seed) == (PROMPT, N_CHARS, TEMPERATURE, SEED)
    if args.write and defaults:
        with open(os.path.join(args.dir, "ref_generation.txt"), "w") as f:
            f.write(text)
        print("ref_generation.txt written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
