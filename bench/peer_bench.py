#!/usr/bin/python3
"""bench/peer's PyTorch side: which BLAS torch runs, the numerical check against Longseq, and the timings.

  peer_bench.py info                                   JSON: torch, its BLAS (the library loaded, OpenBLAS's config)
  peer_bench.py check REF.npz [TOL]                    JSON: each form's max |z - z_java| (PeerReference output)
  peer_bench.py time REF.npz THREADS C REPS MIN_REP_S [FORM:GEMM,...]
                                                       JSON: each form x GEMM (or those), positions/s (median)
  peer_bench.py par REF.npz PROCS FORM GEMM C SECONDS  JSON: PROCS single-threaded processes at once, summed
Run with the thread count also in OMP_NUM_THREADS and OPENBLAS_NUM_THREADS (bench/peer sets them): torch's
set_num_threads does not reach OpenBLAS's own thread pool.
"""
import ctypes
import json
import math
import os
import re
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer import HAS_SDPA, Peer, all_forms  # noqa: E402


def info():
    torch.mm(torch.ones(256, 256), torch.ones(256, 256))      # loads the BLAS if nothing has yet
    libs = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if path.startswith("/") and re.search(r"blas|lapack", os.path.basename(path)):
                libs.add(path)
    cfg = torch.__config__.show()
    out = {"torch": torch.__version__, "blas_libraries": sorted(libs), "openblas": None,
           "torch_blas_info": (re.search(r"BLAS_INFO=([^,]*)", cfg) or [None, "?"])[1],
           "cpu_capability": (re.search(r"CPU capability usage: (\S+)", cfg) or [None, "?"])[1],
           "torch_threads": torch.get_num_threads(), "onednn": torch.backends.mkldnn.is_available(),
           "sdpa": HAS_SDPA, "numpy": np.__version__}
    for path in sorted(libs):
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_config.restype = ctypes.c_char_p
            lib.openblas_get_corename.restype = ctypes.c_char_p
            out["openblas"] = {"library": path, "config": lib.openblas_get_config().decode().strip(),
                               "core": lib.openblas_get_corename().decode(), "threads": lib.openblas_get_num_threads()}
            break
        except (OSError, AttributeError):
            continue
    return out

def gemms():
    return ["openblas"] + (["onednn"] if torch.backends.mkldnn.is_available() else [])


def find_form(label):
    for f in all_forms():
        if f.label == label:
            return f
    raise SystemExit("peer: no attention form '%s'" % label)


# ------------------------------------------------------------------------------------------- numerical check
def dense_band64(p, q, k, v, r0, w):
    """The independent reference: every score of the head, masked to the band, in float64."""
    h, nq, dh = q.shape
    n = k.shape[1]
    i = torch.arange(r0, r0 + nq)[:, None]
    j = torch.arange(n)[None, :]
    m = torch.zeros(nq, n, dtype=q.dtype).masked_fill_((i - j).abs() > w, float("-inf"))
    prob = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) + m, dim=-1)
    return torch.matmul(prob, v).transpose(0, 1).reshape(nq, h * dh)


dense_band64.all_queries = False  # noqa: E305


def check(path, tol):
    """Every form and GEMM against the Java output z of a PeerReference .npz; returns (ok, rows)."""
    npz = np.load(path)
    ids = torch.from_numpy(npz["ids"].astype(np.int64))
    first, halo, chunk = (int(v) for v in npz["meta"][:3])
    java = torch.from_numpy(npz["z"]).double()
    rows = []
    with torch.inference_mode():
        ref = Peer(npz, "openblas", torch.float64).forward(ids, first, halo, halo + chunk, dense_band64)
        rows.append({"form": "float64 dense band", "gemm": "openblas",
                     "vs_java": float((ref - java).abs().max()), "vs_float64": 0.0})
        for g in gemms():
            p = Peer(npz, g)
            for f in all_forms():
                z = p.forward(ids, first, halo, halo + chunk, f).double()
                rows.append({"form": f.label, "gemm": g, "vs_java": float((z - java).abs().max()),
                             "vs_float64": float((z - ref).abs().max())})
    ok = all(r["vs_java"] <= tol for r in rows)
    return ok, rows, float(java.abs().max())


# ------------------------------------------------------------------------------------------------- timing
def bench_input(npz, chunk):
    halo = int(npz["meta"][1])
    n = halo + chunk + halo
    g = torch.Generator().manual_seed(7)
    ids = torch.randint(0, 1 << 12, (n,), generator=g)        # [n] 6-mer ids, as the JMH benchmark draws them
    return ids, 1_000_000 - halo, halo, halo + chunk


def time_one(p, f, inp, reps, min_rep_s):
    ids, first, cf, ct = inp
    run = lambda: p.forward(ids, first, cf, ct, f)
    for _ in range(3):
        run()                                                  # warm-up: caches, masks, allocator
    t0 = time.perf_counter()
    run()
    per = max(1, math.ceil(min_rep_s / max(1e-6, time.perf_counter() - t0)))
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(per):
            run()
        times.append((time.perf_counter() - t0) / per)
    times.sort()
    return {"form": f.label, "gemm": p.gemm, "chunk_s_median": times[len(times) // 2], "chunk_s_min": times[0],
            "chunk_s_max": times[-1], "reps": reps, "chunks_per_rep": per,
            "positions_per_s": (ct - cf) / times[len(times) // 2]}


def timing(path, threads, chunk, reps, min_rep_s, labels=None):
    torch.set_num_threads(threads)
    npz = np.load(path)
    rows = []
    with torch.inference_mode():
        for g in gemms():
            p = Peer(npz, g)
            inp = bench_input(npz, chunk)
            for f in all_forms():
                if labels is None or (f.label + ":" + g) in labels:
                    r = time_one(p, f, inp, reps, min_rep_s)
                    r["threads"] = threads
                    rows.append(r)
                    print("  %d thread(s) %-10s %-8s %9.0f positions/s (%.2f ms a chunk, %.2f-%.2f)" % (
                        threads, f.label, g, r["positions_per_s"], 1e3 * r["chunk_s_median"], 1e3 * r["chunk_s_min"],
                        1e3 * r["chunk_s_max"]), file=sys.stderr, flush=True)
    return rows


def worker(path, label, gemm, chunk, start, duration):
    """One single-threaded instance of a parallel run: chunks from `start` (wall clock) for `duration` seconds."""
    torch.set_num_threads(1)
    npz = np.load(path)
    with torch.inference_mode():
        p = Peer(npz, gemm)
        f = find_form(label)
        ids, first, cf, ct = bench_input(npz, chunk)
        for _ in range(5):
            p.forward(ids, first, cf, ct, f)
        time.sleep(max(0.0, start - time.time()))
        times = []
        t_end = start + duration
        t0 = time.perf_counter()
        while time.time() < t_end:
            t1 = time.perf_counter()
            p.forward(ids, first, cf, ct, f)
            times.append(time.perf_counter() - t1)
        wall = time.perf_counter() - t0
    times.sort()
    return {"chunks": len(times), "seconds": wall, "chunk_s_median": times[len(times) // 2],
            "positions_per_s": len(times) * (ct - cf) / wall}


def parallel(path, procs, label, gemm, chunk, duration):
    """`procs` single-threaded processes at once (the way Longseq runs p subtasks): the sum of their rates."""
    import subprocess
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    start = time.time() + 8.0                                  # after every worker's start-up and warm-up
    cmd = [sys.executable, os.path.abspath(__file__), "worker", path, label, gemm, str(chunk), repr(start),
           str(duration)]
    ps = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True) for _ in range(procs)]
    outs = [json.loads(p.communicate()[0]) for p in ps]
    if any(p.returncode for p in ps):
        raise SystemExit("peer: a parallel worker failed")
    return {"form": label, "gemm": gemm, "threads": procs, "mode": "%d processes x 1 thread" % procs,
            "positions_per_s": sum(o["positions_per_s"] for o in outs), "workers": outs}


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "info":
        out = info()
    elif cmd == "check":
        ok, rows, zmax = check(argv[2], float(argv[3]) if len(argv) > 3 else 1e-4)
        out = {"ok": ok, "tolerance": float(argv[3]) if len(argv) > 3 else 1e-4, "max_abs_z": zmax, "rows": rows}
    elif cmd == "time":
        out = timing(argv[2], int(argv[3]), int(argv[4]), int(argv[5]), float(argv[6]),
                     argv[7].split(",") if len(argv) > 7 else None)
    elif cmd == "par":
        out = parallel(argv[2], int(argv[3]), argv[4], argv[5], int(argv[6]), float(argv[7]))
    elif cmd == "worker":
        out = worker(argv[2], argv[3], argv[4], int(argv[5]), float(argv[6]), float(argv[7]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    json.dump(out, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
