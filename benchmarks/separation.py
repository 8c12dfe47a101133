#!/usr/bin/env python3
"""Where do HCL and SSCL part ways? One-factor variations around the quality benchmark's setting.

The quality benchmark (quality.py) shows SimCLR < DCL < HCL ~ SSCL on Fashion-MNIST with the MLP.
This script varies, one at a time, what should make synthetic hard negatives matter more:
more synthetic negatives k and a larger hard pool s, a harder weighting beta, a lower
temperature t, and a smaller batch (fewer real negatives per anchor), training HCL next to SSCL
(pair mixing) in each setting. Same encoder, data, 10 epochs and evaluation as quality.py.
Runs whose result.json already exists under --runs are reused, so it can be resumed.
Writes benchmarks/separation.md and updates benchmarks/results.md.

    python3 benchmarks/separation.py [--seeds 1] [--confirm-seeds 3] [--threads 2]
"""
import argparse, json, os, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SSCL = {"kind": "sscl", "mixing": "pair"}
# (label, run name, loss, batch)
SETTINGS = [
    ("quality.py's setting: t 0.5, beta 1, batch 256", [
        ("SimCLR (ntxent)", "ntxent", {"kind": "ntxent"}, 256),
        ("HCL", "hcl_k0", {"kind": "hcl"}, 256),
        ("SSCL s 32, k 8", "sscl_k8", SSCL, 256)]),
    ("more synthetic negatives", [
        ("SSCL s 64, k 64", "sscl_k64_s64", {**SSCL, "hard_pool": 64, "synthetic": 64}, 256),
        ("SSCL s 64, k 256", "sscl_k256_s64", {**SSCL, "hard_pool": 64, "synthetic": 256}, 256),
        ("SSCL s 16, k 64", "sscl_k64_s16", {**SSCL, "hard_pool": 16, "synthetic": 64}, 256)]),
    ("harder weighting, beta 2", [
        ("HCL", "hcl_b2", {"kind": "hcl", "beta": 2.0}, 256),
        ("SSCL s 64, k 64", "sscl_k64_s64_b2", {**SSCL, "hard_pool": 64, "synthetic": 64, "beta": 2.0}, 256)]),
    ("smaller batch, 64 (126 real negatives per anchor) [confirmed with --confirm-seeds]", [
        ("SimCLR (ntxent)", "b64_ntxent", {"kind": "ntxent"}, 64),
        ("HCL", "b64_hcl", {"kind": "hcl"}, 64),
        ("SSCL s 32, k 8", "b64_sscl_k8", SSCL, 64),
        ("SSCL s 16, k 32", "b64_sscl_k32_s16", {**SSCL, "hard_pool": 16, "synthetic": 32}, 64)]),
    ("lower temperature, t 0.2", [
        ("HCL", "t02_hcl", {"kind": "hcl", "temperature": 0.2}, 256),
        ("SSCL s 32, k 8", "t02_sscl_k8", {**SSCL, "temperature": 0.2}, 256)]),
]


def train(sscl, name, loss, batch, seed, threads, runs):
    out = os.path.join(runs, f"{name}-s{seed}")
    done = os.path.join(out, "result.json")
    if not os.path.exists(done):
        os.makedirs(out, exist_ok=True)
        job = {"name": name, "dataset": {"name": "fashion-mnist"},
               "model": {"encoder": "mlp", "hidden": [512, 512], "projection": [512, 128]},
               "loss": loss, "epochs": 10, "batch_size": batch, "seed": seed, "threads": threads,
               "eval": {"every_epochs": 10}}
        with open(os.path.join(out, "job.json"), "w") as f:
            json.dump(job, f)
        subprocess.run([sscl, "train", os.path.join(out, "job.json"), "--out", out], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(done) as f:
        return json.load(f)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sscl", default=os.path.join(ROOT, ".build/release/sscl"))
    p.add_argument("--seeds", type=int, default=1)
    p.add_argument("--confirm-seeds", type=int, default=3, help="seeds for the settings marked [confirmed]")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", default=os.path.join(ROOT, "runs", "separation"))
    a = p.parse_args()
    if not os.path.isdir(os.environ.get("SSCL_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")):
        sys.exit("needs the full Fashion-MNIST: apt-get install dataset-fashion-mnist")
    started = time.time()
    fmt = lambda v: f"{statistics.mean(v):.4f}" + (f" ± {statistics.stdev(v):.4f}" if len(v) > 1 else "")
    lines = ["# Where HCL and SSCL part ways (Fashion-MNIST, MLP)", "",
             f"Command: `python3 benchmarks/separation.py --seeds {a.seeds} --confirm-seeds {a.confirm_seeds}` "
             "(after `bash benchmarks/quality.sh`'s "
             "build). Each row is one method in one setting, varied one factor at a time from quality.py's "
             "(10 epochs, SGD lr 0.1 cosine, default augmentations, tau_plus 0.1); "
             "seeds from 0. Seed noise at this scale: std ≈ 0.002 kNN (quality.md).", "",
             "| setting | method | seeds | kNN accuracy | linear-probe accuracy | final loss |", "|---|---|---|---|---|---|"]
    for label, methods in SETTINGS:
        for method, name, loss, batch in methods:
            seeds = max(a.seeds, a.confirm_seeds) if "[confirmed" in label else a.seeds
            results = [train(a.sscl, name, loss, batch, s, a.threads, a.runs) for s in range(seeds)]
            row = (f"| {label.split(' [')[0]} | {method} | {seeds} | {fmt([r['knn_accuracy'] for r in results])} | "
                   f"{fmt([r['linear_accuracy'] for r in results])} | {fmt([r['final_loss'] for r in results])} |")
            print(row, flush=True)
            lines.append(row)
    lines += ["", f"Total {(time.time() - started) / 60:.0f} minutes (runs already present were reused)."]
    sys.path.insert(0, HERE)
    import report
    report.publish(os.path.join(HERE, "separation.md"), lines)


if __name__ == "__main__":
    main()
