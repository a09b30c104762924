#!/usr/bin/env python3
"""Export a PyTorch state_dict to a Longseq weights file (.npz) and check that Longseq loads it.

The weights format is docs/weights.md: one float32 array per name, every projection stored [d_in, d_out]
(y = x @ W). A PyTorch nn.Linear stores its weight [d_out, d_in], so those are transposed here.

The state_dict is expected to use the names in TORCH_NAMES below (a module laid out like the model of
docs/design.md 2: an nn.Embedding, per layer two nn.LayerNorm and nn.Linear(bias=False) projections and a
two-layer FFN with biases, the final LayerNorm, attention pooling, the global tier). A model with other names
maps them with --rename OLD=NEW (repeatable) or by editing TORCH_NAMES.

Usage:
  # a state_dict saved with torch.save(model.state_dict(), "model.pt")  (needs torch)
  python3 examples/export_weights.py model.pt model.npz --d-model 128 --ffn-dim 512 --layers 1 --kind dna --kmer 6
  # a random state_dict made here (numpy only; torch when it is installed), to try the path end to end
  python3 examples/export_weights.py --demo model.npz --d-model 32 --ffn-dim 64 --layers 2 --kind dna --kmer 3
  # then check that Longseq loads it (runs `longseq offline --weights` on a small input)
  python3 examples/export_weights.py --demo model.npz ... --check examples/lambda_virus.fa.gz

Without torch, a .pt file cannot be read, but any mapping of names to arrays (torch tensors or numpy arrays)
goes through export(); --demo then builds that mapping with numpy.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

try:  # optional: only needed to read .pt files and for --demo with real tensors
    import torch
except ImportError:  # pragma: no cover - depends on the machine
    torch = None

# Longseq name -> (PyTorch name, transpose?). {l} is the layer index.
TORCH_NAMES = {
    "embedding": ("embedding.weight", False),
    "layer{l}.ln1.gain": ("layers.{l}.ln1.weight", False),
    "layer{l}.ln1.bias": ("layers.{l}.ln1.bias", False),
    "layer{l}.wq": ("layers.{l}.attn.wq.weight", True),
    "layer{l}.wk": ("layers.{l}.attn.wk.weight", True),
    "layer{l}.wv": ("layers.{l}.attn.wv.weight", True),
    "layer{l}.wo": ("layers.{l}.attn.wo.weight", True),
    "layer{l}.ln2.gain": ("layers.{l}.ln2.weight", False),
    "layer{l}.ln2.bias": ("layers.{l}.ln2.bias", False),
    "layer{l}.w1": ("layers.{l}.ffn.w1.weight", True),
    "layer{l}.b1": ("layers.{l}.ffn.w1.bias", False),
    "layer{l}.w2": ("layers.{l}.ffn.w2.weight", True),
    "layer{l}.b2": ("layers.{l}.ffn.w2.bias", False),
    "lnf.gain": ("lnf.weight", False),
    "lnf.bias": ("lnf.bias", False),
    "pool.query": ("pool.query", False),
    "pool.wk": ("pool.wk.weight", True),
    "pool.wv": ("pool.wv.weight", True),
    "lng.gain": ("lng.weight", False),
    "lng.bias": ("lng.bias", False),
    "global.wq": ("global_attn.wq.weight", True),
    "global.wk": ("global_attn.wk.weight", True),
    "global.wv": ("global_attn.wv.weight", True),
    "global.wo": ("global_attn.wo.weight", True),
}


def shapes(d, f, layers, rows):
    """Every array of the weights file and its shape (docs/weights.md; Weights.shapes in the Java code)."""
    out = {"embedding": (rows, d)}
    for l in range(layers):
        p = f"layer{l}."
        out.update({p + "ln1.gain": (d,), p + "ln1.bias": (d,), p + "wq": (d, d), p + "wk": (d, d),
                    p + "wv": (d, d), p + "wo": (d, d), p + "ln2.gain": (d,), p + "ln2.bias": (d,),
                    p + "w1": (d, f), p + "b1": (f,), p + "w2": (f, d), p + "b2": (d,)})
    out.update({"lnf.gain": (d,), "lnf.bias": (d,), "pool.query": (d,), "pool.wk": (d, d), "pool.wv": (d, d),
                "lng.gain": (d,), "lng.bias": (d,), "global.wq": (d, d), "global.wk": (d, d),
                "global.wv": (d, d), "global.wo": (d, d)})
    return out


def embedding_rows(kind, kmer, vocab_size):
    """V: 4^k + 2 for DNA (k-mers, then the N id, then padding), the vocabulary for tokens and logs."""
    return 4 ** kmer + 2 if kind == "dna" else vocab_size


def as_numpy(value):
    """A torch tensor or anything array-like as a float32 numpy array."""
    if torch is not None and isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float32)


def export(state, d, f, layers, rows, renames=None):
    """The weights file's arrays from a state_dict: names mapped, nn.Linear weights transposed, shapes checked."""
    renames = renames or {}
    state = {renames.get(k, k): v for k, v in state.items()}
    want = shapes(d, f, layers, rows)
    arrays, used = {}, set()
    for name, shape in want.items():
        layer = name.split(".")[0][len("layer"):] if name.startswith("layer") else None
        key = name.replace(f"layer{layer}.", "layer{l}.") if layer is not None else name
        torch_name, transpose = TORCH_NAMES[key]
        torch_name = torch_name.format(l=layer)
        if torch_name not in state:
            raise SystemExit(f"state_dict has no '{torch_name}' (for '{name}' {shape}); rename with --rename")
        a = as_numpy(state[torch_name])
        if transpose:
            a = a.T
        if a.shape != shape:
            raise SystemExit(f"'{torch_name}' has shape {a.shape}{' after transposing' if transpose else ''}, "
                             f"but '{name}' needs {shape}")
        if not np.all(np.isfinite(a)):
            raise SystemExit(f"'{torch_name}' holds NaN or infinity; Longseq refuses non-finite weights")
        arrays[name] = np.ascontiguousarray(a)
        used.add(torch_name)
    extra = sorted(set(state) - used)
    if extra:
        print(f"not exported (not part of the model): {', '.join(extra[:8])}{' ...' if len(extra) > 8 else ''}",
              file=sys.stderr)
    return arrays


def demo_state(d, f, layers, rows, seed=0):
    """A random state_dict with the PyTorch names and layouts ([out, in] for nn.Linear), tensors when torch is here."""
    rng = np.random.default_rng(seed)
    state = {}
    for key, (torch_name, transpose) in TORCH_NAMES.items():
        for l in (range(layers) if "{l}" in key else [None]):
            shape = shapes(d, f, layers, rows)[key.format(l=l) if l is not None else key]
            shape = shape[::-1] if transpose else shape
            if torch_name.endswith(("ln1.weight", "ln2.weight", "lnf.weight", "lng.weight")):
                a = np.ones(shape)
            elif len(shape) == 1:
                a = np.zeros(shape)
            else:
                a = rng.standard_normal(shape) / np.sqrt(shape[-1])
            a = a.astype(np.float32)
            state[torch_name.format(l=l)] = torch.from_numpy(a) if torch is not None else a
    return state


def verify(path, want):
    """Reads the file back with numpy: the names, dtype float32 and the shapes, nothing else."""
    with np.load(path) as z:
        names = set(z.files)
        if names != set(want):
            raise SystemExit(f"{path}: names differ: missing {sorted(set(want) - names)}, extra {sorted(names - set(want))}")
        for name, shape in want.items():
            if z[name].dtype != np.float32 or z[name].shape != shape:
                raise SystemExit(f"{path}: '{name}' is {z[name].dtype} {z[name].shape}, expected float32 {shape}")


def check_with_longseq(longseq, npz, sample, args):
    """Runs `longseq offline SAMPLE --weights NPZ` with the shape flags; Longseq checks every array before it runs."""
    flags = ["--d-model", str(args.d_model), "--ffn-dim", str(args.ffn_dim), "--layers", str(args.layers),
             "--heads", str(args.heads), "--kind", args.kind]
    flags += ["--kmer", str(args.kmer)] if args.kind == "dna" else ["--vocab-size", str(args.vocab_size)]
    with tempfile.TemporaryDirectory() as out:
        cmd = longseq.split() + ["offline", sample, "--weights", npz, "--out", out] + flags
        print("checking:", " ".join(cmd), file=sys.stderr)
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            last = (r.stderr.strip().splitlines() or ["(no message)"])[-1]
            raise SystemExit(f"longseq refused the file (exit {r.returncode}): {last}")
        blocks = sum(1 for _ in open(os.path.join(out, "blocks.jsonl")))
    print(f"longseq offline loaded {npz} and computed {blocks} blocks of {sample}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("state", nargs="?", help="a torch.save'd state_dict (.pt), or nothing with --demo")
    p.add_argument("out", help="the weights file to write (.npz)")
    p.add_argument("--demo", action="store_true", help="export a random state_dict made here")
    p.add_argument("--d-model", type=int, default=128)
    p.add_argument("--ffn-dim", type=int, default=512)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--heads", type=int, default=4, help="only for --check: heads are not in the file")
    p.add_argument("--kind", choices=["dna", "tokens", "log"], default="dna")
    p.add_argument("--kmer", type=int, default=6)
    p.add_argument("--vocab-size", type=int, default=50257)
    p.add_argument("--rename", action="append", default=[], metavar="OLD=NEW",
                   help="rename a state_dict key before the mapping (repeatable)")
    p.add_argument("--check", metavar="INPUT", help="then run `longseq offline INPUT --weights OUT`")
    p.add_argument("--longseq", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "longseq"),
                   help="the launcher to check with (default: ../longseq beside this script)")
    args = p.parse_args()

    rows = embedding_rows(args.kind, args.kmer, args.vocab_size)
    if args.demo:
        state = demo_state(args.d_model, args.ffn_dim, args.layers, rows)
    elif args.state is None:
        p.error("give a state_dict file or --demo")
    elif torch is None:
        raise SystemExit("reading a .pt file needs torch (pip install torch, or Debian's python3-torch); "
                         "export() also takes a dict of numpy arrays")
    else:
        state = torch.load(args.state, map_location="cpu")
        state = state.get("state_dict", state) if isinstance(state, dict) else state.state_dict()
    renames = dict(r.split("=", 1) for r in args.rename)
    arrays = export(state, args.d_model, args.ffn_dim, args.layers, rows, renames)
    np.savez(args.out, **arrays)
    verify(args.out, shapes(args.d_model, args.ffn_dim, args.layers, rows))
    total = sum(a.size for a in arrays.values())
    print(f"wrote {args.out}: {len(arrays)} arrays, {total:,} floats"
          f" ({'torch ' + torch.__version__ if torch is not None else 'numpy only, no torch'})")
    if args.check:
        check_with_longseq(args.longseq, args.out, args.check, args)


if __name__ == "__main__":
    main()
