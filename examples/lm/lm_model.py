"""The tiny character-level transformer of examples/lm (docs/lm.md): its shape, its
parameters, a batched float forward/backward pass written out by hand for training, and
the writer of the decode-step graph (model.json, the compiler's "lpu-model" format).

Architecture (every dimension a multiple of 16, the `base` MXU tile):

    x = tok_emb[token] + pos_emb[pos]                       [D]
    for l in 0..L-1 (pre-norm):
        h = rms_norm(x) * attn_norm.w
        q, k, v = h @ Wq + bq, h @ Wk + bk, h @ Wv + bv        H heads of d_head
        a = causal multi-head attention(q, k, v), scale 1/sqrt(d_head)
        x = x + (a @ Wo + bo)
        h = rms_norm(x) * mlp_norm.w
        x = x + (gelu(h @ W1 + b1) @ W2 + b2)          gelu(u) = u * Phi(u), exact (erf)
    logits = (rms_norm(x) * final_norm.w) @ head.w + head.b     [V]

Linear weights are stored [in, out] (y = x @ W + b), the compiler's `linear` layout.
numpy only; no autograd: each forward keeps what its backward needs.
"""
import math

import numpy as np

# Shape of the model. Changing any of these means retraining (train_lm.py).
VOCAB = 64      # distinct corpus characters (62), padded to a multiple of 16
D_MODEL = 64
N_LAYERS = 2
N_HEADS = 4
D_HEAD = 16     # D_MODEL / N_HEADS
D_FF = 256
CTX = 64        # context length = learned positions = KV cache rows
EPS = 1e-5      # rms_norm epsilon
ATTN_SCALE = 1.0 / math.sqrt(D_HEAD)   # 0.25, exact in binary; implied by attention_decode
INV_SQRT2 = 1.0 / math.sqrt(2.0)
INV_SQRT2PI = 1.0 / math.sqrt(2.0 * math.pi)

assert D_MODEL == N_HEADS * D_HEAD


def param_shapes():
    """Every parameter, in a fixed order (the order of export and of the Adam state)."""
    shapes = [("tok_emb", (VOCAB, D_MODEL)), ("pos_emb", (CTX, D_MODEL))]
    for l in range(N_LAYERS):
        p = "l%d." % l
        shapes += [
            (p + "attn_norm.w", (D_MODEL,)),
            (p + "attn.wq", (D_MODEL, D_MODEL)), (p + "attn.bq", (D_MODEL,)),
            (p + "attn.wk", (D_MODEL, D_MODEL)), (p + "attn.bk", (D_MODEL,)),
            (p + "attn.wv", (D_MODEL, D_MODEL)), (p + "attn.bv", (D_MODEL,)),
            (p + "attn.wo", (D_MODEL, D_MODEL)), (p + "attn.bo", (D_MODEL,)),
            (p + "mlp_norm.w", (D_MODEL,)),
            (p + "mlp.w1", (D_MODEL, D_FF)), (p + "mlp.b1", (D_FF,)),
            (p + "mlp.w2", (D_FF, D_MODEL)), (p + "mlp.b2", (D_MODEL,)),
        ]
    shapes += [("final_norm.w", (D_MODEL,)), ("head.w", (D_MODEL, VOCAB)), ("head.b", (VOCAB,))]
    return shapes


def init_params(rng, dtype=np.float32):
    """Deterministic initialisation from a numpy Generator: norms 1, biases 0, linear weights
    N(0, 1/fan_in) with the residual-branch outputs (wo, w2) scaled by 1/sqrt(2 L)."""
    params = {}
    for name, shape in param_shapes():
        if name.endswith("norm.w"):
            w = np.ones(shape)
        elif len(shape) == 1:
            w = np.zeros(shape)
        elif name in ("tok_emb", "pos_emb"):
            w = rng.normal(0.0, 0.1 if name == "tok_emb" else 0.02, shape)
        else:
            std = 1.0 / math.sqrt(shape[0])
            if name.endswith("attn.wo") or name.endswith("mlp.w2"):
                std /= math.sqrt(2 * N_LAYERS)
            w = rng.normal(0.0, std, shape)
        params[name] = w.astype(dtype)
    return params


# ---------------------------------------------------------------------------------------------
# Building blocks: forward returns (y, cache), backward takes (dy, cache).
# ---------------------------------------------------------------------------------------------

def rms_norm_fwd(x, w):
    r = 1.0 / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + EPS)
    xh = x * r
    return xh * w, (xh, r, w)


def rms_norm_bwd(dy, cache):
    xh, r, w = cache
    dw = np.sum(dy * xh, axis=tuple(range(dy.ndim - 1)))
    dxh = dy * w
    dx = r * (dxh - xh * np.mean(dxh * xh, axis=-1, keepdims=True))
    return dx, dw


_erf_exact = np.vectorize(math.erf, otypes=[np.float64])


def erf(x):
    """erf for numpy arrays. float64 (the gradient check, the float reference's tests): the
    C library's erf. float32 (training): Abramowitz and Stegun 7.1.26, absolute error below
    1.5e-7, i.e. within float32 rounding of erf; much faster than a per-element call."""
    if x.dtype == np.float64:
        return _erf_exact(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + np.float32(0.3275911) * a)
    poly = t * (np.float32(0.254829592) + t * (np.float32(-0.284496736) + t * (
        np.float32(1.421413741) + t * (np.float32(-1.453152027) + t * np.float32(1.061405429)))))
    return np.sign(x) * (1.0 - poly * np.exp(-a * a))


def gelu(u):
    """u * Phi(u) with Phi the standard normal CDF (the compiler's `gelu`)."""
    return 0.5 * u * (1.0 + erf(u * u.dtype.type(INV_SQRT2)))


def gelu_fwd(u):
    phi_cdf = 0.5 * (1.0 + erf(u * u.dtype.type(INV_SQRT2)))
    return u * phi_cdf, (u, phi_cdf)


def gelu_bwd(dy, cache):
    u, phi_cdf = cache      # d/du [u Phi(u)] = Phi(u) + u phi(u)
    return dy * (phi_cdf + u * u.dtype.type(INV_SQRT2PI) * np.exp(-0.5 * u * u))


def linear_fwd(x, w, b):
    return x @ w + b, x


def linear_bwd(dy, x, w):
    x2 = x.reshape(-1, x.shape[-1])
    dy2 = dy.reshape(-1, dy.shape[-1])
    return dy @ w.T, x2.T @ dy2, dy2.sum(axis=0)


def attention_fwd(q, k, v):
    """Causal multi-head self-attention over a whole sequence: q, k, v [B, T, D]."""
    b, t, d = q.shape

    def heads(z):
        return z.reshape(b, t, N_HEADS, D_HEAD).transpose(0, 2, 1, 3)   # [B, H, T, dh]

    qh, kh, vh = heads(q), heads(k), heads(v)
    s = (qh @ kh.transpose(0, 1, 3, 2)) * q.dtype.type(ATTN_SCALE)      # [B, H, T, T]
    causal = np.tril(np.ones((t, t), dtype=bool))
    s = np.where(causal, s, q.dtype.type(-1e30))
    s = s - s.max(axis=-1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=-1, keepdims=True)
    ah = p @ vh
    return ah.transpose(0, 2, 1, 3).reshape(b, t, d), (qh, kh, vh, p)


def attention_bwd(da, cache):
    qh, kh, vh, p = cache
    b, h, t, dh = qh.shape
    dah = da.reshape(b, t, h, dh).transpose(0, 2, 1, 3)
    dp = dah @ vh.transpose(0, 1, 3, 2)
    dvh = p.transpose(0, 1, 3, 2) @ dah
    ds = p * (dp - np.sum(dp * p, axis=-1, keepdims=True)) * qh.dtype.type(ATTN_SCALE)
    dqh = ds @ kh
    dkh = ds.transpose(0, 1, 3, 2) @ qh

    def merge(z):
        return z.transpose(0, 2, 1, 3).reshape(b, t, h * dh)

    return merge(dqh), merge(dkh), merge(dvh)


# ---------------------------------------------------------------------------------------------
# The whole model on a batch of sequences.
# ---------------------------------------------------------------------------------------------

def _dropout(z, rate, rng):
    """Inverted dropout (training only): returns z * mask and the mask (None when off)."""
    if rate <= 0.0:
        return z, None
    mask = (rng.random(z.shape) >= rate).astype(z.dtype) * z.dtype.type(1.0 / (1.0 - rate))
    return z * mask, mask


def forward(params, idx, dropout=0.0, rng=None):
    """Logits [B, T, V] for token ids idx [B, T] (T <= CTX), and the cache for backward.
    `dropout` > 0 (training) drops the embedding sum and each residual branch's output."""
    b, t = idx.shape
    x, emb_mask = _dropout(params["tok_emb"][idx] + params["pos_emb"][:t], dropout, rng)
    caches = []
    for l in range(N_LAYERS):
        p = "l%d." % l
        c = {}
        h, c["n1"] = rms_norm_fwd(x, params[p + "attn_norm.w"])
        q, _ = linear_fwd(h, params[p + "attn.wq"], params[p + "attn.bq"])
        k, _ = linear_fwd(h, params[p + "attn.wk"], params[p + "attn.bk"])
        v, _ = linear_fwd(h, params[p + "attn.wv"], params[p + "attn.bv"])
        c["h1"] = h
        a, c["attn"] = attention_fwd(q, k, v)
        o, c["a"] = linear_fwd(a, params[p + "attn.wo"], params[p + "attn.bo"])
        o, c["drop_o"] = _dropout(o, dropout, rng)
        x = x + o
        h, c["n2"] = rms_norm_fwd(x, params[p + "mlp_norm.w"])
        u, c["h2"] = linear_fwd(h, params[p + "mlp.w1"], params[p + "mlp.b1"])
        g, c["gelu"] = gelu_fwd(u)
        m, c["g"] = linear_fwd(g, params[p + "mlp.w2"], params[p + "mlp.b2"])
        m, c["drop_m"] = _dropout(m, dropout, rng)
        x = x + m
        caches.append(c)
    h, cf = rms_norm_fwd(x, params["final_norm.w"])
    logits, _ = linear_fwd(h, params["head.w"], params["head.b"])
    return logits, (idx, caches, cf, h, emb_mask)


def cross_entropy(logits, targets):
    """Mean negative log-likelihood (nats) and its gradient with respect to the logits."""
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=-1, keepdims=True)
    logp = z - np.log(s)
    n = targets.size
    flat = logp.reshape(-1, logp.shape[-1])
    loss = -flat[np.arange(n), targets.reshape(-1)].astype(np.float64).mean()
    dlogits = e / s
    d2 = dlogits.reshape(-1, dlogits.shape[-1])
    d2[np.arange(n), targets.reshape(-1)] -= 1.0
    return float(loss), dlogits / logits.dtype.type(n)


def backward(params, dlogits, cache):
    """Gradients of every parameter, given dLoss/dlogits and forward()'s cache."""
    idx, caches, cf, hf, emb_mask = cache
    grads = {}
    dh, grads["head.w"], grads["head.b"] = linear_bwd(dlogits, hf, params["head.w"])
    dx, grads["final_norm.w"] = rms_norm_bwd(dh, cf)
    for l in reversed(range(N_LAYERS)):
        p = "l%d." % l
        c = caches[l]
        dm = dx if c["drop_m"] is None else dx * c["drop_m"]
        dg, grads[p + "mlp.w2"], grads[p + "mlp.b2"] = linear_bwd(dm, c["g"], params[p + "mlp.w2"])
        du = gelu_bwd(dg, c["gelu"])
        dh, grads[p + "mlp.w1"], grads[p + "mlp.b1"] = linear_bwd(du, c["h2"], params[p + "mlp.w1"])
        dxn, grads[p + "mlp_norm.w"] = rms_norm_bwd(dh, c["n2"])
        dx = dx + dxn
        do = dx if c["drop_o"] is None else dx * c["drop_o"]
        da, grads[p + "attn.wo"], grads[p + "attn.bo"] = linear_bwd(do, c["a"], params[p + "attn.wo"])
        dq, dk, dv = attention_bwd(da, c["attn"])
        dh = 0
        for name, dz in (("q", dq), ("k", dk), ("v", dv)):
            dhz, grads[p + "attn.w" + name], grads[p + "attn.b" + name] = linear_bwd(dz, c["h1"], params[p + "attn.w" + name])
            dh = dh + dhz
        dxn, grads[p + "attn_norm.w"] = rms_norm_bwd(dh, c["n1"])
        dx = dx + dxn
    if emb_mask is not None:
        dx = dx * emb_mask
    t = idx.shape[1]
    grads["pos_emb"] = np.zeros_like(params["pos_emb"])
    grads["pos_emb"][:t] = dx.sum(axis=0)
    grads["tok_emb"] = np.zeros_like(params["tok_emb"])
    np.add.at(grads["tok_emb"], idx.reshape(-1), dx.reshape(-1, dx.shape[-1]))
    return grads


# ---------------------------------------------------------------------------------------------
# The decode step as an "lpu-model" graph (docs/lm.md "The decode-step graph").
# ---------------------------------------------------------------------------------------------

def cache_names(l):
    return "l%d.k_cache" % l, "l%d.v_cache" % l


def decode_graph():
    """The JSON object of model.json: one decode step (token id and position in, logits out;
    the per-layer KV caches are inputs that attention_decode updates in place)."""
    tensors = [
        {"name": "token", "shape": [1], "dtype": "float32"},
        {"name": "pos", "shape": [1], "dtype": "float32"},
    ]
    inputs = ["token", "pos"]
    for l in range(N_LAYERS):
        for c in cache_names(l):
            tensors.append({"name": c, "shape": [CTX, D_MODEL], "dtype": "float32"})
            inputs.append(c)
    for name, _shape in param_shapes():
        tensors.append({"name": name, "file": "weights/%s.npy" % name})
    tensors.append({"name": "logits", "shape": [1, VOCAB]})

    nodes = []

    def node(name, op, ins, out, attrs=None):
        n = {"name": name, "op": op, "inputs": ins, "outputs": [out]}
        if attrs:
            n["attrs"] = attrs
        nodes.append(n)
        return out

    te = node("tok_embed", "embedding", ["token", "tok_emb"], "x_tok")
    pe = node("pos_embed", "embedding", ["pos", "pos_emb"], "x_pos")
    x = node("embed_add", "add", [te, pe], "x0")
    for l in range(N_LAYERS):
        p = "l%d." % l
        kc, vc = cache_names(l)
        h = node(p + "attn_norm", "rms_norm", [x, p + "attn_norm.w"], p + "h_attn", {"eps": EPS})
        q = node(p + "q_proj", "linear", [h, p + "attn.wq", p + "attn.bq"], p + "q")
        k = node(p + "k_proj", "linear", [h, p + "attn.wk", p + "attn.bk"], p + "k")
        v = node(p + "v_proj", "linear", [h, p + "attn.wv", p + "attn.bv"], p + "v")
        a = node(p + "attn", "attention_decode", [q, k, v, kc, vc, "pos"], p + "attn_out",
                 {"heads": N_HEADS})
        o = node(p + "o_proj", "linear", [a, p + "attn.wo", p + "attn.bo"], p + "o")
        x = node(p + "attn_residual", "add", [x, o], p + "x_attn")
        h = node(p + "mlp_norm", "rms_norm", [x, p + "mlp_norm.w"], p + "h_mlp", {"eps": EPS})
        u = node(p + "mlp_up", "linear", [h, p + "mlp.w1", p + "mlp.b1"], p + "u")
        g = node(p + "mlp_gelu", "gelu", [u], p + "g")
        m = node(p + "mlp_down", "linear", [g, p + "mlp.w2", p + "mlp.b2"], p + "m")
        x = node(p + "mlp_residual", "add", [x, m], p + "x_out")
    h = node("final_norm", "rms_norm", [x, "final_norm.w"], "h_final", {"eps": EPS})
    node("head", "linear", [h, "head.w", "head.b"], "logits")
    return {
        "format": "lpu-model",
        "version": 1,
        "name": "tiny_shakespeare_lm",
        "inputs": inputs,
        "outputs": ["logits"],
        "tensors": tensors,
        "nodes": nodes,
        # Sample inputs for int8 calibration (generate_ref.py writes them). The KV caches have
        # none: they are state, filled by the graph itself when the samples run in order.
        "calibration": {"token": "calib/token.npy", "pos": "calib/pos.npy"},
    }
