#!/usr/bin/python3
"""bench/peer's report: Longseq's local tier (JMH) beside the PyTorch peer, from the files of one run.

  peer_report.py LOGDIR OUT.md
LOGDIR holds what bench/peer wrote: info.json, check.json, jmh-t1.json, jmh-t2.json, peer-t1.json, peer-t2.json,
peer-t2-passive.json, peer-par2.json, load.txt, commit.txt. Prints the tables and writes them to OUT.md.
"""
import datetime
import json
import os
import re
import subprocess
import sys

FLOP = 8.0 * 128 * 128 + 4.0 * 128 * 512 + 4.0 * 128 * (2 * 64 + 1)   # useful FLOPs a position, d=128 f=512 w=64


def host():
    model, family, cpu_model, flags = "?", "?", "?", set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, val = line.partition(":")
            key, val = key.strip(), val.strip()
            if key == "model name" and model == "?":
                model = val
            elif key == "cpu family" and family == "?":
                family = val
            elif key == "model" and cpu_model == "?":
                cpu_model = val
            elif key == "flags" and not flags:
                flags = set(val.split())
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = (re.search(r"Model name:\s*(.+)", out) or [None, model])[1].strip()
    except OSError:
        pass
    vec = "AVX-512 (avx512f)" if "avx512f" in flags else ("AVX2" if "avx2" in flags else "no AVX2")
    return "%s, family %s model %s, %d cores, %s" % (model, family, cpu_model, os.cpu_count(), vec)


def jmh(path):
    """(positions/s, its 99.9 % error, useful GFLOP/s, its error, samples) of LocalTierBenchmark.chunk."""
    with open(path) as f:
        runs = json.load(f)
    for r in runs:
        if r["benchmark"].endswith("LocalTierBenchmark.chunk"):
            tok = r["secondaryMetrics"]["tokens"]
            fl = r["secondaryMetrics"]["usefulFlops"]
            samples = sum(len(fork) for fork in tok["rawData"])
            shape = {k: r["params"][k] for k in ("d", "ffn", "window", "layers", "causal")}
            if shape != {"d": "128", "ffn": "512", "window": "64", "layers": "1", "causal": "false"}:
                raise SystemExit("peer_report: the peer is the layer d=128 f=512 w=64 L=1, JMH ran %s" % shape)
            return tok["score"], tok["scoreError"], fl["score"] / 1e9, fl["scoreError"] / 1e9, samples, r["threads"]
    raise SystemExit("peer_report: no LocalTierBenchmark.chunk in " + path)


def load(path):
    return json.load(open(path)) if os.path.exists(path) else None


def fmt(v):
    return "{:,.0f}".format(v)


def err(v):
    return "n/a" if v != v else fmt(v)          # NaN: one sample


def spread(r):
    lo = r["positions_per_s"] * r["chunk_s_median"] / r["chunk_s_max"]
    hi = r["positions_per_s"] * r["chunk_s_median"] / r["chunk_s_min"]
    return "%s (%s–%s)" % (fmt(r["positions_per_s"]), fmt(lo), fmt(hi))


def main(logdir, out_md):
    p = lambda name: os.path.join(logdir, name)
    info, check = load(p("info.json")), load(p("check.json"))
    commit = open(p("commit.txt")).read().strip() if os.path.exists(p("commit.txt")) else "?"
    loads = open(p("load.txt")).read().strip().splitlines() if os.path.exists(p("load.txt")) else []
    ls = {t: jmh(p("jmh-t%d.json" % t)) for t in (1, 2) if os.path.exists(p("jmh-t%d.json" % t))}
    peer = {t: load(p("peer-t%d.json" % t)) or [] for t in (1, 2)}
    passive = load(p("peer-t2-passive.json")) or []
    par = load(p("peer-par2.json"))
    ob = info.get("openblas") or {}
    lines = ["# Local tier against a PyTorch peer (`bench/peer`)", "",
             "- host: " + host(),
             "- date (UTC): %s; commit %s" % (datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), commit),
             "- load average (1, 5, 15 min) at each step: " + "; ".join(loads),
             "- torch %s (Debian python3-torch), BLAS_INFO=%s, CPU capability %s; BLAS loaded: %s; OpenBLAS: %s, core %s"
             " (OPENBLAS_CORETYPE=%s as the host sets it); oneDNN in torch: %s; F.scaled_dot_product_attention: %s"
             % (info["torch"], info["torch_blas_info"], info["cpu_capability"], ", ".join(info["blas_libraries"]),
                ob.get("config", "not OpenBLAS"), ob.get("core", "?"), os.environ.get("OPENBLAS_CORETYPE", "unset"),
                "yes" if info["onednn"] else "no", "yes" if info["sdpa"] else "no (torch < 2.0: its formula spelled out)")]
    if check:
        worst = max(r["vs_java"] for r in check["rows"][1:])
        ref = check["rows"][0]["vs_java"]
        lines.append("- numerical check (C = 256, same ids, position and weights as Longseq's PeerReference): max "
                     "|z_peer − z_longseq| = %.2g over every form and GEMM (tolerance %.0e: %s); float64 reference vs "
                     "Longseq %.2g; max |z| = %.2f" % (worst, check["tolerance"], "pass" if check["ok"] else "FAIL",
                                                        ref, check["max_abs_z"]))
    lines += ["", "Peer forms, positions/s: median of the timed repetitions (slowest–fastest); one chunk C = 2048 with "
              "64 halo positions a side, as the JMH benchmark.", "",
              "| form | GEMMs | 1 thread | 2 threads (torch intra-op) | 2 threads, OMP_WAIT_POLICY=PASSIVE |",
              "|---|---|---:|---:|---:|"]
    by = {(r["form"], r["gemm"], r["threads"]): r for t in (1, 2) for r in peer[t]}
    by.update({(r["form"], r["gemm"], "2p"): r for r in passive})
    keys = list(dict.fromkeys((r["form"], r["gemm"]) for t in (1, 2) for r in peer[t]))   # the run's order
    for (fm, g) in sorted(keys, key=lambda k: (k[1] != "openblas", keys.index(k))):
        cells = [spread(by[(fm, g, th)]) if (fm, g, th) in by else "–" for th in (1, 2, "2p")]
        lines.append("| %s | %s | %s | %s | %s |" % (fm, g, cells[0], cells[1], cells[2]))
    if par:
        lines.append("| %s | %s | – | %s: %s (%s a process) | |" % (
            par["form"], par["gemm"], par["mode"], fmt(par["positions_per_s"]),
            " + ".join(fmt(w["positions_per_s"]) for w in par["workers"])))
    lines += ["", "| | 1 thread | 2 threads |", "|---|---:|---:|"]
    best, chunks = {}, {}
    for t in (1, 2):
        cands = [(r["positions_per_s"], "%s, %s" % (r["form"], r["gemm"])) for r in peer[t]]
        if t == 2:
            cands += [(r["positions_per_s"], "%s, %s, PASSIVE" % (r["form"], r["gemm"])) for r in passive]
        if t == 2 and par:
            cands.append((par["positions_per_s"], "%s, %s, %s" % (par["form"], par["gemm"], par["mode"])))
        best[t] = max(cands) if cands else None
        ch = [r["positions_per_s"] for r in peer[t] if r["form"] == "chunks"]
        chunks[t] = max(ch) if ch else None
    row = lambda name, f: lines.append("| %s | %s | %s |" % (name, f(1), f(2)))
    row("Longseq local tier, JMH (fused attention), positions/s ± 99.9 % error",
        lambda t: "%s ± %s (%d samples)" % (fmt(ls[t][0]), err(ls[t][1]), ls[t][4]) if t in ls else "–")
    row("Longseq useful GFLOP/s", lambda t: "%.1f ± %.1f" % (ls[t][2], ls[t][3]) if t in ls else "–")
    row("best peer, positions/s", lambda t: "%s (%s)" % (fmt(best[t][0]), best[t][1]) if best[t] else "–")
    row("best peer, useful GFLOP/s", lambda t: "%.1f" % (best[t][0] * FLOP / 1e9) if best[t] else "–")
    row("**ratio Longseq ÷ best peer**", lambda t: "**%.2f**" % (ls[t][0] / best[t][0]) if t in ls and best[t] else "–")
    row("ratio Longseq ÷ Longformer sliding chunks (best GEMMs)",
        lambda t: "%.2f" % (ls[t][0] / chunks[t]) if t in ls and chunks[t] else "–")
    lines += ["", "Longseq at 2 threads is JMH `-t 2`: two independent single-threaded instances in one JVM (as the "
              "job runs p = 2 subtasks). Useful FLOPs a position: 8d² + 4df + 4d(2w+1) = %d (d = 128, f = 512, w = 64)."
              % FLOP]
    text = "\n".join(lines) + "\n"
    with open(out_md, "w") as f:
        f.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1], sys.argv[2])
