#!/usr/bin/env python3
"""Do the defaults learn something on data no one tuned for?

    python3 benchmarks/defaults.py [--sscl .build/release/sscl] [--seeds 0 1 2] [--jobs 2] [--only NAME...]

Runs ONLY the default job, `{"dataset": ...}` plus a seed (nothing else set), on labelled
sets chosen before any tuning and never used to choose a default, over 3 seeds, and reports
the learned encoder's kNN and linear-probe accuracy next to the raw inputs' kNN and the random
initialisation's kNN, with the number of seeds in which the learned encoder beats each.

The sets (fixed here, before tuning; development sets used to choose defaults are listed apart
and are not in this table):
  Weka (Debian package `weka`, /usr/share/doc/weka/examples): diabetes, ionosphere, glass,
  segment (segment-challenge + segment-test), credit-g, vote, soybean, breast-cancer.
  scikit-learn (bundled, written to CSV): wine, breast_cancer (Wisconsin diagnostic).
Development sets (tuning only, `--dev`; never in the held-out table): Weka's iris, labor and
unbalanced; scikit-learn's digits (8x8 as 64 tabular features); the first rows of the bundled
fashion-mnist-mini as 784 tabular features (1,000 train / 200 test rows). `--override JSON`
merges fields into every job (e.g. '{"augment": {"mask": 0.6}}') to compare candidate
defaults on the development sets; `--log FILE` appends the JSON lines.

Writes benchmarks/defaults.md (and prints it).
"""
import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

WEKA = "/usr/share/doc/weka/examples"
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

ARFF_SETS = {
    "diabetes": ("diabetes.arff", None),
    "ionosphere": ("ionosphere.arff", None),
    "glass": ("glass.arff", None),
    "segment": ("segment-challenge.arff", "segment-test.arff"),
    "credit-g": ("credit-g.arff", None),
    "vote": ("vote.arff", None),
    "soybean": ("soybean.arff", None),
    "breast-cancer": ("breast-cancer.arff", None),
}
SKLEARN_SETS = ["wine", "breast_cancer"]
DEV_ARFF_SETS = {"iris": "iris.arff", "labor": "labor.arff", "unbalanced": "unbalanced.arff"}
DEV_SKLEARN_SETS = ["digits"]
FMNIST_MINI = os.path.join(REPO, "Sources/SSCLEngine/Resources/datasets/fashion-mnist-mini")


def fmnist_rows_csv(folder):
    """fashion-mnist-mini's 1,000 train and 200 test images as rows of 784 pixel features."""
    import gzip
    paths = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images = gzip.open(os.path.join(FMNIST_MINI, f"{prefix}-images-idx3-ubyte.gz")).read()[16:]
        labels = gzip.open(os.path.join(FMNIST_MINI, f"{prefix}-labels-idx1-ubyte.gz")).read()[8:]
        path = paths[split] = os.path.join(folder, f"fmnist-rows-{split}.csv")
        with open(path, "w") as f:
            f.write(",".join(f"p{i}" for i in range(784)) + ",label\n")
            for r, label in enumerate(labels):
                f.write(",".join(str(v) for v in images[r * 784:(r + 1) * 784]) + f",{label}\n")
    return {"format": "csv", "train": paths["train"], "test": paths["test"], "label_column": "label"}


def sklearn_csv(name, folder):
    from sklearn import datasets  # installed by the caller: pip install scikit-learn
    data = getattr(datasets, f"load_{name}")()
    path = os.path.join(folder, f"{name}.csv")
    with open(path, "w") as f:
        f.write(",".join(f"f{i}" for i in range(data.data.shape[1])) + ",label\n")
        for row, label in zip(data.data, data.target):
            f.write(",".join(repr(float(v)) for v in row) + f",{int(label)}\n")
    return {"format": "csv", "train": path, "label_column": "label"}


def merged(base, override):
    out = dict(base)
    for k, v in override.items():
        out[k] = merged(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def run(sscl, name, dataset, seed, work, override=None):
    out = os.path.join(work, f"{name}-{seed}")
    job = os.path.join(work, f"{name}-{seed}.json")
    with open(job, "w") as f:
        json.dump(merged({"name": f"{name}-{seed}", "dataset": dataset, "seed": seed}, override or {}), f)
    started = time.time()
    proc = subprocess.run([sscl, "train", job, "--out", out], capture_output=True, text=True)
    if proc.returncode != 0:
        return {"name": name, "seed": seed, "error": (proc.stderr or proc.stdout).strip().splitlines()[-1:]}
    with open(os.path.join(out, "result.json")) as f:
        result = json.load(f)
    result.update(name=name, seed=seed, wall=time.time() - started)
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sscl", default=os.path.join(REPO, ".build/release/sscl"))
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--jobs", type=int, default=2, help="runs at once (each trains on 1 thread)")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--out", help="the table (default: benchmarks/defaults.md; with --dev: printed only)")
    ap.add_argument("--dev", action="store_true", help="the development sets instead of the held-out ones")
    ap.add_argument("--override", default="{}", help="JSON object merged into every job (development sets; "
                    "on the held-out sets only to give an older binary this commit's defaults explicitly)")
    ap.add_argument("--log", help="append the JSON lines (with the override) to this file")
    ap.add_argument("--report-from", metavar="LOG", help="write the table from the JSON lines of an earlier run's output")
    args = ap.parse_args()
    if args.out is None:
        args.out = os.devnull if args.dev else os.path.join(HERE, "defaults.md")
    if args.report_from:
        with open(args.report_from) as f:
            results = [json.loads(line) for line in f if line.startswith("{")]
        names = list(dict.fromkeys(r["name"] for r in results))
        return report(results, names, sorted({r["seed"] for r in results}), args.out)
    work = tempfile.mkdtemp(prefix="sscl-defaults-")
    sets = {}
    override = json.loads(args.override)
    if args.dev:
        for name, train in DEV_ARFF_SETS.items():
            sets[name] = {"format": "arff", "train": os.path.join(WEKA, train)}
        for name in DEV_SKLEARN_SETS:
            sets[name] = sklearn_csv(name, work)
        sets["fmnist-rows"] = fmnist_rows_csv(work)
    else:
        for name, (train, test) in ARFF_SETS.items():
            sets[name] = {"format": "arff", "train": os.path.join(WEKA, train),
                          "test": os.path.join(WEKA, test) if test else None}
        for name in SKLEARN_SETS:
            sets[name] = sklearn_csv(name, work)
    if args.only:  # in the order given
        sets = {k: sets[k] for k in args.only if k in sets}
    tasks = [(name, ds, seed) for name, ds in sets.items() for seed in args.seeds]
    results = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for r in pool.map(lambda t: run(args.sscl, t[0], t[1], t[2], work, override), tasks):
            results.append(r)
            if override:
                r["override"] = override
            print(json.dumps(r), flush=True)
            if args.log:
                with open(args.log, "a") as f:
                    f.write(json.dumps(r) + "\n")
    return report(results, list(sets), args.seeds, args.out)


def report(results, names, seeds, out):
    def fmt(values):
        values = [v for v in values if v is not None]
        if not values:
            return "—"
        m = statistics.mean(values)
        return f"{m:.3f} ± {statistics.stdev(values):.3f}" if len(values) > 1 else f"{m:.3f}"

    lines = [
        "## Defaults on sets no one tuned for",
        "",
        f"`python3 benchmarks/defaults.py` on {time.strftime('%Y-%m-%d')}: the default job only "
        "(`{\"dataset\": ..., \"seed\": s}`), seeds " + ", ".join(map(str, seeds)) + ", release build, 1 thread. "
        "kNN is the job's weighted kNN (k 200, t 0.1) on the frozen encoder; raw is the same kNN on the "
        "standardised inputs; random is the same encoder at its initialisation. Wins count seeds with a strictly "
        "higher kNN accuracy (ties, in brackets, are seeds with an equal one).",
        "",
        "| set | train/test | steps | kNN (learned) | linear probe | kNN raw | kNN random | beats raw | beats random | s per job | eval share |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    totals = [0, 0, 0]
    for name in names:
        rs = [r for r in results if r["name"] == name and not r.get("error")]
        errors = [r for r in results if r["name"] == name and r.get("error")]
        if not rs:
            lines.append(f"| {name} | failed: {errors[0]['error'] if errors else '?'} | | | | | | | | | |")
            continue
        beats_raw = sum(r["knn_accuracy"] > r["raw_knn_accuracy"] for r in rs)
        beats_random = sum(r["knn_accuracy"] > r["baseline_knn_accuracy"] for r in rs)
        ties_raw = sum(r["knn_accuracy"] == r["raw_knn_accuracy"] for r in rs)
        ties_random = sum(r["knn_accuracy"] == r["baseline_knn_accuracy"] for r in rs)
        share = statistics.mean(r.get("eval_seconds", 0) / max(r["seconds"], 1e-9) for r in rs)
        totals[0] += beats_raw; totals[1] += beats_random; totals[2] += len(rs)
        lines.append(
            f"| {name} | {rs[0].get('train_count', '?')}/{rs[0].get('test_count', '?')} | {rs[0]['steps']} | "
            f"{fmt([r['knn_accuracy'] for r in rs])} | {fmt([r.get('linear_accuracy') for r in rs])} | "
            f"{fmt([r['raw_knn_accuracy'] for r in rs])} | {fmt([r['baseline_knn_accuracy'] for r in rs])} | "
            f"{beats_raw}/{len(rs)} ({ties_raw}) | {beats_random}/{len(rs)} ({ties_random}) | {statistics.mean(r['seconds'] for r in rs):.1f} | {share:.0%} |")
    lines += ["", f"Learned kNN beats raw-input kNN in {totals[0]} of {totals[2]} runs and the random "
              f"initialisation in {totals[1]} of {totals[2]}."]
    text = "\n".join(lines) + "\n"
    print(text)
    # Sections after the table ("## Reading", "## Development sets") are written by hand: keep them.
    if os.path.exists(out) and out != os.devnull:
        with open(out) as f:
            previous = f.read()
        at = previous.find("\n## ", 1)
        if at >= 0:
            text += previous[at:]
    with open(out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    sys.exit(main())
