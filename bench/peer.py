#!/usr/bin/python3
"""The PyTorch peer of Longseq's local tier (docs/benchmarks.md, "PyTorch peer"); run through bench/peer.

The layer is LocalTier's op for op (operators' io.longseq.math.kernel.LocalTier, L = 1, bidirectional):
  x = E[ids]                                    embedding rows, padding id -> zero row
  a = LN1(x)                                    eps 1e-5, biased variance
  q|k|v = a . [W_q | W_k | W_v]                 one [n, d] x [d, 3d] GEMM over the chunk with its halos, no bias
  q, k rotated (RoPE, pairs (2m, 2m+1), theta_m = 10000^(-2m/d_h), absolute positions), q scaled by 1/sqrt(d_h)
  o = band attention, |i - j| <= w, 0 <= j < n, per head, heads concatenated
  x += o . W_o;  x += GELU_erf(LN2(x) . W_1 + b_1) . W_2 + b_2;  z = LN_f(x)
The last (only) layer's queries, W_o and FFN run on the core rows alone, as LocalTier does; keys and values on all n.
Useful FLOPs per core position: 8d^2 + 4df + 4d(2w+1), LocalTierBenchmark.usefulFlopsPerToken.

Attention forms (each returns o [nq, d] for queries at array rows [r0, r0 + nq)):
  chunks   Longformer's sliding chunks (Beltagy et al. 2020): overlapping chunks of 2w rows, one 2w x 2w product
           each, the band re-laid as [n, 2w+1], values through a skewed [w, 3w] x [3w, d_h] product per block of w;
           square self-attention, so every row's query is computed and the core cut out after.
  unfold   each query's own 2w+1 keys through Tensor.unfold (no wasted products; matrix-vector shaped).
  sdpa     query blocks of b against their b + 2w keys with an additive band mask, softmax(q k^T + M) v: through
           F.scaled_dot_product_attention where torch has it (2.0 on), else that formula spelled out (its math path).
GEMMs: "openblas" (torch.mm/addmm -> libblas.so.3, OpenBLAS when libopenblas0-pthread is the alternative) or
"onednn" (torch's bundled oneDNN through mkldnn_linear, activations converted each call).
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

HAS_SDPA = hasattr(F, "scaled_dot_product_attention")


def useful_flops_per_position(d, f, w):
    return 8.0 * d * d + 4.0 * d * f + 4.0 * d * (2 * w + 1)


class Peer:
    """The local tier's layer in PyTorch on the weights of a PeerReference .npz (float32)."""

    def __init__(self, npz, gemm="openblas", dtype=torch.float32):
        meta = [int(v) for v in npz["meta"]]
        self.first_ref, self.halo, self.chunk, self.d, self.h, self.w, self.f, self.layers = meta
        if self.layers != 1:
            raise SystemExit("peer: the reference has L = %d; the peer implements L = 1" % self.layers)
        self.dh = self.d // self.h
        self.gemm = gemm
        self.dtype = dtype
        t = lambda name: torch.from_numpy(np.ascontiguousarray(npz[name])).to(dtype)
        self.emb = t("embedding").clone()                      # [V, d]
        self.emb[(1 << 12) + 1] = 0                            # DNA 6-mers: pad id 4^6 + 1 embeds to zero
        self.g1, self.b1n = t("layer0.ln1.gain"), t("layer0.ln1.bias")
        self.wqkv = torch.cat([t("layer0.wq"), t("layer0.wk"), t("layer0.wv")], dim=1).contiguous()  # [d, 3d]
        self.wo = t("layer0.wo")                               # [d, d]
        self.g2, self.b2n = t("layer0.ln2.gain"), t("layer0.ln2.bias")
        self.w1, self.bias1 = t("layer0.w1"), t("layer0.b1")  # [d, f], [f]
        self.w2, self.bias2 = t("layer0.w2"), t("layer0.b2")  # [f, d], [d]
        self.gf, self.bf = t("lnf.gain"), t("lnf.bias")
        if gemm == "onednn":                                   # nn.Linear layout [out, in], oneDNN tensors
            mk = lambda m: m.t().contiguous().to_mkldnn()
            self.mk = {"qkv": mk(self.wqkv), "o": mk(self.wo), "1": mk(self.w1), "2": mk(self.w2),
                       "b1": self.bias1.to_mkldnn()}
        m = torch.arange(self.dh // 2, dtype=torch.float64)
        self.theta = torch.pow(10000.0, -2.0 * m / self.dh)    # [d_h/2]
        self.cache = {}

    # ---------------------------------------------------------------------------------------------- GEMMs
    def mm(self, a, name, w):                                  # a [r, k] . w [k, c]
        if self.gemm == "onednn":
            return torch._C._nn.mkldnn_linear(a.contiguous().to_mkldnn(), self.mk[name], None).to_dense()
        return torch.mm(a, w)

    def mm_bias(self, a, name, w, b):                          # a . w + b
        if self.gemm == "onednn":
            return torch._C._nn.mkldnn_linear(a.contiguous().to_mkldnn(), self.mk[name], self.mk["b1"]).to_dense()
        return torch.addmm(b, a, w)

    def mm_add(self, x, a, name, w):                           # x + a . w
        if self.gemm == "onednn":
            return x + self.mm(a, name, w)
        return torch.addmm(x, a, w)

    # ------------------------------------------------------------------------------------------------ RoPE
    def angles(self, first, n):
        """cos, sin [n, d_h/2] of positions first..first+n-1, by angle addition in double from a per-n table."""
        key = ("rope", n)
        if key not in self.cache:
            a = torch.arange(n, dtype=torch.float64)[:, None] * self.theta[None, :]
            self.cache[key] = (torch.cos(a), torch.sin(a))
        c0, s0 = self.cache[key]
        b = float(first) * self.theta
        cb, sb = torch.cos(b), torch.sin(b)
        return (cb * c0 - sb * s0).to(self.dtype), (sb * c0 + cb * s0).to(self.dtype)

    @staticmethod
    def rotate(x, cos, sin):                                   # x [h, r, d_h], cos/sin [r, d_h/2] -> rotated
        h, r, dh = x.shape
        p = x.reshape(h, r, dh // 2, 2)
        x0, x1 = p[..., 0], p[..., 1]
        return torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), dim=-1).reshape(h, r, dh)

    # ---------------------------------------------------------------------------------------------- layer
    def forward(self, ids, first, core_from, core_to, attention):
        """ids [n] (int64), core rows [core_from, core_to) of the array -> z [core_to - core_from, d]."""
        d, h, dh, w = self.d, self.h, self.dh, self.w
        n = ids.shape[0]
        x = self.emb.index_select(0, ids)                      # [n, d]
        cos, sin = self.angles(first, n)                       # [n, d_h/2]
        a = F.layer_norm(x, (d,), self.g1, self.b1n, 1e-5)
        qkv = self.mm(a, "qkv", self.wqkv)                     # [n, 3d]
        r0, r1 = (0, n) if attention.all_queries else (core_from, core_to)
        scale = 1.0 / math.sqrt(dh)
        q = self.rotate(qkv[r0:r1, :d].reshape(r1 - r0, h, dh).transpose(0, 1), cos[r0:r1] * scale,
                        sin[r0:r1] * scale)                    # [h, nq, d_h]
        k = self.rotate(qkv[:, d:2 * d].reshape(n, h, dh).transpose(0, 1), cos, sin)   # [h, n, d_h]
        v = qkv[:, 2 * d:].reshape(n, h, dh).transpose(0, 1).contiguous()              # [h, n, d_h]
        o = attention(self, q, k, v, r0, w)                    # [nq, d]
        if attention.all_queries:
            o = o[core_from:core_to]
        xr = self.mm_add(x[core_from:core_to], o, "o", self.wo)                        # [C, d]
        a2 = F.layer_norm(xr, (d,), self.g2, self.b2n, 1e-5)
        hid = F.gelu(self.mm_bias(a2, "1", self.w1, self.bias1))                       # [C, f]
        xr = self.mm_add(xr, hid, "2", self.w2)
        xr += self.bias2
        return F.layer_norm(xr, (d,), self.gf, self.bf, 1e-5)

    def band_mask(self, key, rows, slots, valid):
        """Cached additive mask: 0 where valid(row, slot) else -inf, [rows, slots]."""
        if key not in self.cache:
            r = torch.arange(rows)[:, None]
            s = torch.arange(slots)[None, :]
            m = torch.zeros(rows, slots, dtype=self.dtype)
            m.masked_fill_(~valid(r, s), float("-inf"))
            self.cache[key] = m
        return self.cache[key]


def form(all_queries):
    def wrap(fn):
        fn.all_queries = all_queries
        return fn
    return wrap


def chunks_form():
    """Longformer's sliding chunks; needs n a multiple of w (the caller's n is: 2176 = 34 w, 384 = 6 w)."""
    @form(True)
    def attention(p, q, k, v, r0, w):
        h, n, dh = q.shape
        if n % w or n < 2 * w:
            raise ValueError("sliding chunks: n = %d is not a multiple of w = %d (>= 2w)" % (n, w))
        nb, nc = n // w, n // w - 1                            # blocks of w queries; chunks of 2w rows
        q, k = q.contiguous(), k.contiguous()
        chunked = lambda t: t.as_strided((h, nc, 2 * w, dh), (n * dh, w * dh, dh, 1))
        s = torch.matmul(chunked(q), chunked(k).transpose(-1, -2)).contiguous()       # [h, nc, 2w, 2w]
        band = s.new_empty(h, nb, w, 2 * w + 1)                # query t.w + r, key t.w + r - w + kk
        s0, s1 = s.stride(0), s.stride(1)
        diag = (h, nc, w, w + 1), (s0, s1, 2 * w + 1, 1)
        band[:, :nc, :, w:] = s.as_strided(*diag)              # kk >= w: chunk t, row r, column r + kk - w
        band[:, 1:, :, :w] = s.as_strided((h, nc, w, w), (s0, s1, 2 * w + 1, 1), 2 * w * w)  # chunk t-1, row w + r
        ri, ki = torch.arange(w)[:, None], torch.arange(w + 1)[None, :]
        lo = (ri + ki[:, :w] - w)                              # block 0, kk < w: chunk 0 row r, column r + kk - w
        band[:, 0, :, :w] = s[:, 0, :w].gather(-1, lo.clamp(min=0).expand(h, w, w)).masked_fill(lo < 0, float("-inf"))
        hi = ri + w + ki                                       # last block, kk >= w: chunk nc-1, row w + r
        band[:, nb - 1, :, w:] = s[:, nc - 1, w:].gather(-1, hi.clamp(max=2 * w - 1).expand(h, w, w + 1)) \
            .masked_fill(hi >= 2 * w, float("-inf"))
        prob = torch.softmax(band, dim=-1)                     # [h, nb, w, 2w+1]
        vp = F.pad(v, (0, 0, w, w))                            # [h, n + 2w, d_h]
        vw = vp.as_strided((h, nb, 3 * w, dh), (vp.stride(0), w * dh, dh, 1))          # block t: rows t.w - w ...
        skew = F.pad(prob, (0, w)).reshape(h, nb, w * (3 * w + 1))[..., :3 * w * w].reshape(h, nb, w, 3 * w)
        ctx = torch.matmul(skew, vw)                           # [h, nb, w, d_h]
        return ctx.reshape(h, n, dh).transpose(0, 1).reshape(n, h * dh)
    attention.label = "chunks"
    return attention


def unfold_form(qb):
    """Each query's own 2w+1 keys (unfold views), in query blocks of qb to bound the windows' memory."""
    @form(False)
    def attention(p, q, k, v, r0, w):
        h, nq, dh = q.shape
        n = k.shape[1]
        kwin = F.pad(k, (0, 0, w, w)).unfold(1, 2 * w + 1, 1)  # [h, n, d_h, 2w+1]: keys of array row r
        vwin = F.pad(v, (0, 0, w, w)).unfold(1, 2 * w + 1, 1)
        mask = p.band_mask(("unfold", n, r0, nq, w), nq, 2 * w + 1,
                           lambda r, s: (r0 + r - w + s >= 0) & (r0 + r - w + s < n))
        out = q.new_empty(nq, h, dh)
        for s in range(0, nq, qb):
            e = min(nq, s + qb)
            sc = torch.matmul(q[:, s:e].unsqueeze(-2), kwin[:, r0 + s:r0 + e]).squeeze(-2)   # [h, m, 2w+1]
            prob = torch.softmax(sc + mask[s:e], dim=-1)
            out[s:e] = torch.matmul(vwin[:, r0 + s:r0 + e], prob.unsqueeze(-1)).squeeze(-1).transpose(0, 1)
        return out.reshape(nq, h * dh)
    attention.label = "unfold/%d" % qb
    return attention


def sdpa_form(b):
    """Query blocks of b against b + 2w keys, additive band mask; SDPA where torch has it."""
    @form(False)
    def attention(p, q, k, v, r0, w):
        h, nq, dh = q.shape
        n = k.shape[1]
        nb = -(-nq // b)
        kl = b + 2 * w
        extra = max(0, r0 + nb * b + 2 * w - (n + 2 * w))
        kwin = F.pad(k, (0, 0, w, w + extra))[:, r0:].unfold(1, kl, b)[:, :nb]        # [h, nb, d_h, kl]
        vwin = F.pad(v, (0, 0, w, w + extra))[:, r0:].unfold(1, kl, b)[:, :nb]
        if nb * b != nq:
            q = F.pad(q, (0, 0, 0, nb * b - nq))
        qb = q.reshape(h, nb, b, dh)
        mask = _block_mask(p, n, r0, nb, b, w)                # [nb, b, kl]
        out = q.new_empty(nb, b, h, dh)
        for hd in range(h):
            kt = kwin[hd].transpose(-1, -2)                    # [nb, kl, d_h]
            vt = vwin[hd].transpose(-1, -2)
            if HAS_SDPA:
                o = _sdpa(qb[hd], kt, vt, mask)
            else:
                o = torch.bmm(torch.softmax(torch.baddbmm(mask, qb[hd], kwin[hd]), dim=-1), vt)
            out[:, :, hd] = o
        return out.reshape(nb * b, h * dh)[:nq]
    attention.label = "sdpa/%d" % b
    return attention


def _block_mask(p, n, r0, nb, b, w):
    """[nb, b, b + 2w] additive mask: query r of block t is array row r0 + t.b + r, key slot s row r0 + t.b - w + s."""
    key = ("block", n, r0, nb, b, w)
    if key not in p.cache:
        t = torch.arange(nb)[:, None, None]
        r = torch.arange(b)[None, :, None]
        s = torch.arange(b + 2 * w)[None, None, :]
        j = r0 + t * b - w + s
        ok = ((s - w - r).abs() <= w) & (j >= 0) & (j < n) & (r0 + t * b + r < n)
        m = torch.zeros(nb, b, b + 2 * w, dtype=p.dtype).masked_fill_(~ok, float("-inf"))
        m[(~ok).all(dim=-1)] = 0                               # padded queries past the array: any finite row
        p.cache[key] = m
    return p.cache[key]


def _sdpa(q, k, v, mask):
    try:
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=1.0)
    except TypeError:                                          # torch 2.0: no scale argument, divides by sqrt(d_h)
        return F.scaled_dot_product_attention(q * math.sqrt(q.shape[-1]), k, v, attn_mask=mask)


def all_forms():
    return [chunks_form()] + [unfold_form(qb) for qb in (128, 512)] + [sdpa_form(b) for b in (32, 64, 128, 256)]
