#!/usr/bin/env python3
"""Read a Longseq blocks.jsonl into numpy arrays (Python 3 and numpy only).

Each line of blocks.jsonl is one block (docs/design.md 2.6, docs/outputs.md): sequenceId, block, start, end,
summary [d], context [d], top (up to K memory entries: level, firstBlock, lastBlock, weight), selfWeight,
entropy, novelty. A float the job could not compute is null in JSON and NaN here.

Usage:
  python3 examples/read_blocks.py out/blocks.jsonl            # shapes and the most novel blocks
  python3 -i examples/read_blocks.py out/blocks.jsonl         # then use `b` interactively

  from read_blocks import read_blocks
  b = read_blocks("out/blocks.jsonl")
  b["context"].shape                         # (blocks, d), float32
  b["novelty"][b["sequence"] == "chrI"]      # one sequence's novelty track
"""
import json
import sys

import numpy as np


def read_blocks(path, top_k=None):
    """The blocks of a blocks.jsonl as a dict of numpy arrays, one row per line, in file order.

    sequence [n] str, block/start/end [n] int64, summary/context [n, d] float32, self_weight/entropy/novelty [n]
    float32, and the top entries as top_level/top_first/top_last [n, K] int64 (-1 where a block has fewer) and
    top_weight [n, K] float32 (NaN there). K is the most entries any line has, or top_k.
    """
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if line:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise ValueError(f"{path}:{number}: not a JSON line ({e})") from None
    n = len(rows)
    d = len(rows[0]["summary"]) if rows else 0
    k = top_k if top_k is not None else max((len(r["top"]) for r in rows), default=0)

    def floats(values):
        return np.array([np.nan if v is None else v for v in values], dtype=np.float32)

    out = {
        "sequence": np.array([r["sequenceId"] for r in rows], dtype=object),
        "block": np.array([r["block"] for r in rows], dtype=np.int64),
        "start": np.array([r["start"] for r in rows], dtype=np.int64),
        "end": np.array([r["end"] for r in rows], dtype=np.int64),
        "summary": np.stack([floats(r["summary"]) for r in rows]) if n else np.zeros((0, d), np.float32),
        "context": np.stack([floats(r["context"]) for r in rows]) if n else np.zeros((0, d), np.float32),
        "self_weight": floats([r["selfWeight"] for r in rows]),
        "entropy": floats([r["entropy"] for r in rows]),
        # novelty is the last field, added in December 2026; older files read as NaN
        "novelty": floats([r.get("novelty") for r in rows]),
        "top_level": np.full((n, k), -1, dtype=np.int64),
        "top_first": np.full((n, k), -1, dtype=np.int64),
        "top_last": np.full((n, k), -1, dtype=np.int64),
        "top_weight": np.full((n, k), np.nan, dtype=np.float32),
    }
    for i, r in enumerate(rows):
        for j, t in enumerate(r["top"][:k]):
            out["top_level"][i, j] = t["level"]
            out["top_first"][i, j] = t["firstBlock"]
            out["top_last"][i, j] = t["lastBlock"]
            out["top_weight"][i, j] = np.nan if t["weight"] is None else t["weight"]
    return out


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: read_blocks.py BLOCKS.jsonl")
    b = read_blocks(sys.argv[1])
    n, d = b["context"].shape
    print(f"{n} blocks of {len(set(b['sequence']))} sequence(s), d = {d}; top entries per block: "
          f"{b['top_weight'].shape[1]}")
    print(f"summary {b['summary'].shape} {b['summary'].dtype}, context {b['context'].shape}, "
          f"novelty {b['novelty'].shape}")
    later = np.flatnonzero(b["block"] > 0)  # a first block has novelty 1 by definition
    for i in later[np.argsort(-b["novelty"][later], kind="stable")][:3]:
        print(f"  {b['sequence'][i]} [{b['start'][i]:,}-{b['end'][i]:,}) novelty {b['novelty'][i]:.3g}")
    globals()["b"] = b  # for python3 -i


if __name__ == "__main__":
    main()
