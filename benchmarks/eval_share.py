#!/usr/bin/env python3
"""How much of a default job is evaluation: the literal default job on Fashion-MNIST.

    python3 benchmarks/eval_share.py [--sscl .build/release/sscl] [--rounds 2]

Runs `{"dataset": {"name": "fashion-mnist"}}` (every field its default: one thread, ten epochs,
an evaluation after each) and the same job with `"threads": 2`, alternating, with `sscl train`.
Even rounds use a fresh evaluation cache (a dataset's first job), odd rounds the previous one's.
Reports each configuration's median train, evaluation and total seconds (`result.json`'s
`seconds` and `eval_seconds`), the evaluation share (target: at most 10% at the defaults), and
the accuracies. Writes benchmarks/eval_share.md (and prints it).
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
from job_vs_torch import cpu_model  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CONFIGS = [("defaults (1 thread)", {}), ("threads 2", {"threads": 2})]


def run(sscl, extra, work, name, cache):
    job = os.path.join(work, f"{name}.json")
    out = os.path.join(work, name)
    with open(job, "w") as f:
        json.dump({"dataset": {"name": "fashion-mnist"}, **extra}, f)
    subprocess.run([sscl, "train", job, "--out", out], check=True, capture_output=True,
                   env=dict(os.environ, SSCL_CACHE_DIR=cache))
    with open(os.path.join(out, "result.json")) as f:
        r = json.load(f)
    return {"total_s": r["seconds"], "eval_s": r["eval_seconds"], "train_s": r["seconds"] - r["eval_seconds"],
            "knn": r["knn_accuracy"], "linear": r["linear_accuracy"], "epochs": r["epochs"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sscl", default=os.path.join(REPO, ".build/release/sscl"))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(HERE, "eval_share.md"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="sscl-eval-share-")
    results = {label: [] for label, _ in CONFIGS}
    for round_ in range(args.rounds):
        cache = os.path.join(work, f"cache-{round_ - round_ % 2}")
        for i, (label, extra) in enumerate(CONFIGS):
            r = run(args.sscl, extra, work, f"job-{round_}-{i}", cache)
            results[label].append(r)
            print(label, json.dumps(r), flush=True)
    med = lambda rs, k: statistics.median(r[k] for r in rs)
    lines = [
        "## Evaluation's share of a default job",
        "",
        f"`python3 benchmarks/eval_share.py --rounds {args.rounds}` on {time.strftime('%Y-%m-%d')} ({cpu_model()}): "
        "`{\"dataset\": {\"name\": \"fashion-mnist\"}}` with every other field its default (one thread, 10 epochs, "
        "a curve point after each, the whole-split kNN and the linear probe at the end), and the same job at 2 threads; "
        "alternating, medians; even rounds with a cold evaluation cache. eval s is `eval_seconds`: the time the job "
        "spent evaluating instead of training (a one-thread job computes its curve points beside training, on the "
        "other core, and only waits for them).",
        "",
        "| job | epochs | train s | eval s | total s | eval share | kNN | linear probe |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, rs in results.items():
        lines.append(f"| {label} ({len(rs)}) | {rs[0]['epochs']} | {med(rs, 'train_s'):.1f} | {med(rs, 'eval_s'):.1f} | "
                     f"{med(rs, 'total_s'):.1f} | **{med(rs, 'eval_s') / med(rs, 'total_s'):.1%}** | "
                     f"{med(rs, 'knn'):.4f} | {med(rs, 'linear'):.4f} |")
    lines.append("")
    lines.append("Every run: " + "; ".join(f"{label} {r['total_s']:.1f} s (eval {r['eval_s']:.1f})"
                                            for label, rs in results.items() for r in rs))
    lines.append("")
    report.publish(args.out, lines)


if __name__ == "__main__":
    sys.exit(main())
