#!/usr/bin/env python3
"""A whole default job, end to end, against the same job in PyTorch, in one run.

    python3 benchmarks/job_vs_torch.py [--sscl .build/release/sscl] [--epochs 10] [--threads 2] [--rounds 1]

sscl runs `{"dataset": {"name": "fashion-mnist"}, "epochs": E, "threads": T}` (every other field
its default) with `sscl train`; PyTorch runs `../shared/reference/torch_job.py FMNIST_DIR E T`,
the same model, loss, optimiser, augmentations, kNN and probe. Rounds alternate the two so a
noisy neighbour hits both alike; the report gives each side's medians and the ratio of total
time (PyTorch / sscl, above 1: sscl faster) with both accuracies. "total s" is each job's own
clock from the start of training to its last evaluation (data loading excluded on both
sides); "process s" is the whole process's wall time (loading, and Python's imports).

sscl remembers its baselines (raw-input and random-encoder kNN on the evaluation sample) in an evaluation
cache keyed by a hash of their exact inputs: even rounds point SSCL_CACHE_DIR at a fresh
folder, so those sscl jobs are a dataset's first job (cold cache) and the odd rounds are
any later job on it (warm); both are reported.
Needs: Debian's dataset-fashion-mnist, and PyTorch for the CPU (pip install torch==2.13.0+cpu).
Writes benchmarks/job_vs_torch.md (and prints it).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TORCH_JOB = os.path.join(REPO, "..", "shared", "reference", "torch_job.py")
FMNIST = os.environ.get("SSCL_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")


def run_sscl(sscl, epochs, threads, work, round_, cache):
    cold = round_ % 2 == 0
    cache = os.path.join(cache, str(round_ - round_ % 2))   # fresh for an even round, its predecessor's for an odd one
    job = os.path.join(work, f"job-{round_}.json")
    out = os.path.join(work, f"sscl-{round_}")
    with open(job, "w") as f:
        json.dump({"name": "fmnist-default", "dataset": {"name": "fashion-mnist"}, "epochs": epochs, "threads": threads}, f)
    started = time.time()
    env = dict(os.environ, SSCL_CACHE_DIR=cache)
    subprocess.run([sscl, "train", job, "--out", out], check=True, capture_output=True, env=env)
    wall = time.time() - started
    with open(os.path.join(out, "result.json")) as f:
        r = json.load(f)
    return {"total_s": r["seconds"], "wall_s": wall, "train_s": r["seconds"] - r["eval_seconds"],
            "eval_s": r["eval_seconds"], "knn": r["knn_accuracy"], "linear": r["linear_accuracy"],
            "cold": cold}


def cpu_model():
    """The CPU's model name: the ratio depends on it (PyTorch's MKL is slower on AMD CPUs)."""
    try:
        with open("/proc/cpuinfo") as f:
            names = [l.split(":", 1)[1].strip() for l in f if l.startswith("model name")]
        return f"{len(names)} x {names[0]}" if names else "unknown CPU"
    except OSError:
        return "unknown CPU"


def run_torch(epochs, threads):
    started = time.time()
    proc = subprocess.run([sys.executable, TORCH_JOB, FMNIST, str(epochs), str(threads)],
                          check=True, capture_output=True, text=True)
    line = [l for l in proc.stdout.splitlines() if l.startswith("{")][-1]
    r = json.loads(line)
    r["wall_s"] = time.time() - started
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sscl", default=os.path.join(REPO, ".build/release/sscl"))
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(HERE, "job_vs_torch.md"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="sscl-vs-torch-")
    cache = os.path.join(work, "cache")
    ours, theirs = [], []
    for round_ in range(args.rounds):
        order = [("sscl", lambda: run_sscl(args.sscl, args.epochs, args.threads, work, round_, cache)),
                 ("torch", lambda: run_torch(args.epochs, args.threads))]
        if round_ % 2:
            order.reverse()
        for name, fn in order:
            r = fn()
            (ours if name == "sscl" else theirs).append(r)
            print(name, json.dumps(r), flush=True)
    med = lambda rs, k: statistics.median(r[k] for r in rs)
    warm = [r for r in ours if not r["cold"]] or ours
    cold = [r for r in ours if r["cold"]]

    def row(name, rs):
        return (f"| {name} | {med(rs, 'train_s'):.1f} | {med(rs, 'eval_s'):.1f} | {med(rs, 'total_s'):.1f} | "
                f"{med(rs, 'wall_s'):.1f} | {med(rs, 'knn'):.4f} | {med(rs, 'linear'):.4f} |")

    lines = [
        "## A whole default job against PyTorch",
        "",
        f"`python3 benchmarks/job_vs_torch.py --epochs {args.epochs} --threads {args.threads} --rounds {args.rounds}` "
        f"on {time.strftime('%Y-%m-%d')} ({cpu_model()}): Fashion-MNIST (60000/10000), the default job, {args.epochs} epochs, "
        f"{args.threads} threads, {args.rounds} alternating round(s) (medians). PyTorch: "
        "`../shared/reference/torch_job.py` (same model, loss, optimiser, augmentations, kNN and probe). "
        "total s: each job's own clock from training's start to its last evaluation; process s: the "
        "whole process (data loading, imports).",
        "",
        "| | train s | eval s | total s | process s | kNN | linear probe |",
        "|---|---|---|---|---|---|---|",
    ]
    if cold:
        lines.append(row(f"sscl, first job (cold cache, {len(cold)})", cold))
    if len(warm) and warm is not ours:
        lines.append(row(f"sscl, later jobs (warm cache, {len(warm)})", warm))
    elif not cold:
        lines.append(row("sscl", ours))
    lines.append(row(f"PyTorch ({len(theirs)})", theirs))
    lines.append("")
    for label, rs in ([("first job", cold)] if cold else []) + ([("later jobs", warm)] if warm is not ours else []):
        lines.append(f"End to end ({label}), PyTorch / sscl = **{med(theirs, 'total_s') / med(rs, 'total_s'):.2f}×** "
                     f"by the jobs' clocks, {med(theirs, 'wall_s') / med(rs, 'wall_s'):.2f}× by process wall time "
                     f"(target: at least 1.5×); sscl's evaluation share {med(rs, 'eval_s') / med(rs, 'total_s'):.0%} "
                     "(the 10% target is for the default job, on one thread: benchmarks/eval_share.md).")
    lines.append("")
    lines.append("Every run: " + "; ".join(
        f"{'sscl' if r in ours else 'torch'} {r['total_s']:.1f} s (eval {r['eval_s']:.1f})" for r in
        [x for pair in zip(ours, theirs) for x in pair]))
    lines.append("")
    report.publish(args.out, lines)


if __name__ == "__main__":
    sys.exit(main())
