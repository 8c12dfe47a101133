#!/usr/bin/env python3
"""A whole default job, end to end, against the same job in PyTorch, in one run.

    python3 benchmarks/job_vs_torch.py [--sscl .build/release/sscl] [--epochs 10] [--threads 2] [--rounds 1]

sscl runs `{"dataset": {"name": "fashion-mnist"}, "epochs": E, "threads": T}` (every other field
its default) with `sscl train`; PyTorch runs `../shared/reference/torch_job.py FMNIST_DIR E T`,
the same model, loss, optimiser, augmentations, kNN and probe. Rounds alternate the two so a
noisy neighbour hits both alike; the report gives each side's medians and the ratio of total
wall time (PyTorch / sscl, above 1: sscl faster) with both accuracies.
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

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
TORCH_JOB = os.path.join(REPO, "..", "shared", "reference", "torch_job.py")
FMNIST = os.environ.get("SSCL_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")


def run_sscl(sscl, epochs, threads, work, round_):
    job = os.path.join(work, f"job-{round_}.json")
    out = os.path.join(work, f"sscl-{round_}")
    with open(job, "w") as f:
        json.dump({"name": "fmnist-default", "dataset": {"name": "fashion-mnist"}, "epochs": epochs, "threads": threads}, f)
    started = time.time()
    subprocess.run([sscl, "train", job, "--out", out], check=True, capture_output=True)
    total = time.time() - started
    with open(os.path.join(out, "result.json")) as f:
        r = json.load(f)
    return {"total_s": total, "train_s": r["seconds"] - r["eval_seconds"], "eval_s": r["eval_seconds"],
            "knn": r["knn_accuracy"], "linear": r["linear_accuracy"]}


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
    ours, theirs = [], []
    for round_ in range(args.rounds):
        order = [("sscl", lambda: run_sscl(args.sscl, args.epochs, args.threads, work, round_)),
                 ("torch", lambda: run_torch(args.epochs, args.threads))]
        if round_ % 2:
            order.reverse()
        for name, fn in order:
            r = fn()
            (ours if name == "sscl" else theirs).append(r)
            print(name, json.dumps(r), flush=True)
    med = lambda rs, k: statistics.median(r[k] for r in rs)
    ratio = med(theirs, "total_s") / med(ours, "total_s")
    text = "\n".join([
        "## A whole default job against PyTorch",
        "",
        f"`python3 benchmarks/job_vs_torch.py --epochs {args.epochs} --threads {args.threads} --rounds {args.rounds}` "
        f"on {time.strftime('%Y-%m-%d')}: Fashion-MNIST (60000/10000), the default job, {args.epochs} epochs, "
        f"{args.threads} threads, medians of {args.rounds} alternating round(s). PyTorch: "
        "`../shared/reference/torch_job.py` (same model, loss, optimiser, augmentations, kNN and probe).",
        "",
        "| | train s | eval s | total s | kNN | linear probe |",
        "|---|---|---|---|---|---|",
        f"| sscl | {med(ours, 'train_s'):.1f} | {med(ours, 'eval_s'):.1f} | {med(ours, 'total_s'):.1f} | "
        f"{med(ours, 'knn'):.4f} | {med(ours, 'linear'):.4f} |",
        f"| PyTorch | {med(theirs, 'train_s'):.1f} | {med(theirs, 'eval_s'):.1f} | {med(theirs, 'total_s'):.1f} | "
        f"{med(theirs, 'knn'):.4f} | {med(theirs, 'linear'):.4f} |",
        "",
        f"End to end, PyTorch / sscl = **{ratio:.2f}×** (target: at least 1.5×); sscl's evaluation share "
        f"{med(ours, 'eval_s') / med(ours, 'total_s'):.0%} of its total (target: at most 10%).",
        "",
    ])
    print(text)
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    sys.exit(main())
