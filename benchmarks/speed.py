#!/usr/bin/env python3
"""sscl vs PyTorch CPU: full training steps on the same shapes, interleaved in one run.

For every configuration (mlp, cnn) x (ntxent, sscl) x (1, 2 threads) it alternates
`sscl bench --json` and `shared/reference/torch_bench.py`, `--rounds` times each, and reports
the median of the per-run medians, the ratio (PyTorch ms / sscl ms: above 1 means sscl is
faster) and peak memory. Writes benchmarks/speed.md. Run through benchmarks/speed.sh, which
builds sscl in release mode and installs the CPU-only torch into benchmarks/.venv.
"""
import argparse, json, os, platform, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")][-1]


def targets(rows):
    """Each target met or missed, and for ratio targets the share of the GEMM floor they demand:
    a ratio R over PyTorch needs sscl at R x PyTorch's % of sgemm."""
    def row(model, loss, threads):
        return next(r for r in rows if r["model"] == model and r["loss"] == loss and r["threads"] == threads)

    def pct(r, ms):
        return 100 * r["gflop"] / r["sgemm"] * 1000 / ms

    out = ["| target | measured | met | needs sscl at (of sgemm) | sscl at |", "|---|---|---|---|---|"]
    for model, threads, goal in (("mlp", 1, 1.1), ("mlp", 2, 1.25), ("cnn", 1, 2.0), ("cnn", 2, 2.0)):
        for loss in ("ntxent", "sscl"):
            r = row(model, loss, threads)
            if r["ratio"] is None:
                continue
            out.append(f"| {model}/{loss}/{threads}t ≥ {goal}× PyTorch | {r['ratio']:.2f}× | "
                       f"{'yes' if r['ratio'] >= goal else 'no'} | {goal * pct(r, r['torch_ms']):.0f}% | "
                       f"{pct(r, r['sscl_ms']):.0f}% |")
    for model in ("mlp", "cnn"):
        for threads in (1, 2):
            n, s = row(model, "ntxent", threads), row(model, "sscl", threads)
            extra = 100 * (s["sscl_ms"] / n["sscl_ms"] - 1)
            out.append(f"| {model}/{threads}t: sscl ≤ ntxent + 5% | {extra:+.1f}% | {'yes' if extra <= 5 else 'no'} | — | — |")
    for model in ("mlp", "cnn"):
        rs = [r for r in rows if r["model"] == model and r["torch_rss"]]
        if rs:
            ours, theirs = max(r["sscl_rss"] for r in rs), min(r["torch_rss"] for r in rs)
            out.append(f"| {model}: peak memory below PyTorch's | {ours:.0f} MB vs {theirs:.0f} MB | "
                       f"{'yes' if ours < theirs else 'no'} | — | — |")
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sscl", default=os.path.join(ROOT, ".build/release/sscl"))
    p.add_argument("--torch-python", default=None, help="python with torch; omit to report sscl alone")
    p.add_argument("--reference", default=os.path.join(ROOT, "..", "shared", "reference", "torch_bench.py"))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--out", default=os.path.join(HERE, "speed.md"))
    p.add_argument("--no-profiles", dest="profiles", action="store_false", help="skip the per-layer breakdown")
    p.add_argument("--rows-from", default=None,
                   help="re-render from the JSON row lines a previous run printed (no timing)")
    a = p.parse_args()
    have_torch = a.torch_python is not None and os.path.exists(a.reference)
    torch_version = None
    if have_torch:
        try:
            torch_version = subprocess.run([a.torch_python, "-c", "import torch; print(torch.__version__)"],
                                           check=True, capture_output=True, text=True).stdout.strip()
        except subprocess.CalledProcessError:
            have_torch = False
    if not have_torch:
        print("PyTorch is not available: reporting sscl's figures alone", file=sys.stderr)
    rows = []
    if a.rows_from:
        with open(a.rows_from) as f:
            rows = [json.loads(line) for line in f if line.startswith('{"model"')]
    for model in ("mlp", "cnn") if not rows else ():
        for loss in ("ntxent", "sscl"):
            for threads in (1, 2):
                steps = a.steps if model == "mlp" else max(5, a.steps // 4)
                ours, theirs = [], []
                for r in range(a.rounds):
                    ours.append(run_json([a.sscl, "bench", "--json", "--model", model, "--loss", loss,
                                          "--threads", str(threads), "--steps", str(steps)]))
                    if have_torch:
                        theirs.append(run_json([a.torch_python, a.reference, "--model", model, "--loss", loss,
                                                "--threads", str(threads), "--steps", str(steps)]))
                row = {
                    "model": model, "loss": loss, "threads": threads,
                    "sscl_ms": statistics.median(o["step_ms_median"] for o in ours),
                    "sscl_gflops": statistics.median(o["gflops"] for o in ours),
                    "sscl_rss": max(o["peak_rss_mb"] for o in ours),
                    "torch_ms": statistics.median(t["step_ms_median"] for t in theirs) if theirs else None,
                    "torch_rss": max(t["peak_rss_mb"] for t in theirs) if theirs else None,
                    "blas": ours[0].get("blas_core"),
                    "sgemm": statistics.median(o["sgemm_gflops"] for o in ours),
                    "gflop": ours[0]["gflop_per_step"],
                }
                row["ratio"] = row["torch_ms"] / row["sscl_ms"] if row["torch_ms"] else None
                rows.append(row)
                print(json.dumps(row), flush=True)
    fmt = lambda x, f="{:.1f}": "—" if x is None else f.format(x)
    lines = [
        "# Training-step speed: sscl vs PyTorch (CPU)",
        "",
        f"`bash benchmarks/speed.sh` on {time.strftime('%Y-%m-%d', time.gmtime())}: {os.cpu_count()} cores "
        f"({platform.processor() or platform.machine()}), OpenBLAS kernel {rows[0]['blas']}, "
        f"PyTorch {torch_version or 'not available'}. Batch 256 (512 views), 28x28 input; forward, loss, backward "
        f"and SGD step on fixed random input; median of {a.rounds} interleaved runs of per-run medians "
        f"({a.steps} steps mlp, {max(5, a.steps // 4)} cnn). Ratio = PyTorch ms / sscl ms (above 1: sscl faster).",
        "",
        "The GEMM floor is the step's FLOPs (counted from the shapes) divided by this machine's sgemm rate "
        "on as many threads (median of 1024^3 `cblas_sgemm` calls, measured in the same run): no implementation "
        "that does the same multiply-adds can be faster. \"% of sgemm\" = floor / step time.",
        "",
        "| model | loss | threads | sscl ms | PyTorch ms | ratio | GEMM floor ms | sscl % of sgemm | PyTorch % of sgemm | sscl peak MB | PyTorch peak MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        floor = r["gflop"] / r["sgemm"] * 1000
        theirs = 100 * floor / r["torch_ms"] if r["torch_ms"] else None
        lines.append(f"| {r['model']} | {r['loss']} | {r['threads']} | {fmt(r['sscl_ms'])} | {fmt(r['torch_ms'])} | "
                     f"{fmt(r['ratio'], '{:.2f}')} | {floor:.1f} | {100 * floor / r['sscl_ms']:.0f}% | "
                     f"{fmt(theirs, '{:.0f}%')} | {fmt(r['sscl_rss'], '{:.0f}')} | {fmt(r['torch_rss'], '{:.0f}')} |")
    cost = []
    for model in ("mlp", "cnn"):
        for threads in (1, 2):
            n = next(r for r in rows if r["model"] == model and r["loss"] == "ntxent" and r["threads"] == threads)
            s = next(r for r in rows if r["model"] == model and r["loss"] == "sscl" and r["threads"] == threads)
            cost.append(f"{model}/{threads}t: {100 * (s['sscl_ms'] / n['sscl_ms'] - 1):+.1f}%")
    lines += ["", "SSCL's cost over NT-Xent per step (sscl): " + ", ".join(cost) + "."]
    lines += ["", "## Targets (issue #4)", ""] + targets(rows)
    lines += ["", "sgemm rate measured: " + ", ".join(
        f"{t} thread(s) {statistics.median(r['sgemm'] for r in rows if r['threads'] == t):.0f} GFLOPS" for t in (1, 2)) + "."]
    if a.profiles:
        lines += ["", "## Where the time goes", "",
                  "`sscl bench --profile` (median per stage; GFLOPS over the stage's GEMM FLOPs, forward and backward):", ""]
        for model in ("mlp", "cnn"):
            for threads in (1, 2):
                steps = a.steps if model == "mlp" else max(5, a.steps // 4)
                out = subprocess.run([a.sscl, "bench", "--profile", "--model", model, "--loss", "sscl",
                                      "--threads", str(threads), "--steps", str(steps)],
                                     check=True, capture_output=True, text=True).stdout
                lines += ["```", out.rstrip(), "```", ""]
    sys.path.insert(0, HERE)
    import report
    report.publish(a.out, lines)


if __name__ == "__main__":
    main()
