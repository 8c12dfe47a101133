#!/usr/bin/env python3
"""SimCLR, DCL, HCL and SSCL (pair and copy mixing) trained the same way, several seeds.

Trains each method with `sscl train` on the full Fashion-MNIST (Debian's
dataset-fashion-mnist; falls back to the shipped fashion-mnist-mini, saying so) with the same
MLP encoder, epochs and seeds, and on a tabular CSV (the digits, converted here) with
tabular augmentations; reports kNN and linear-probe accuracy as mean ± std per method next to
the raw-input and random-encoder baselines, writes benchmarks/quality.md, a plot
(benchmarks/quality.png, if matplotlib is importable) and updates benchmarks/results.md.
"""
import argparse, gzip, json, os, statistics, struct, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
METHODS = [
    ("SimCLR (ntxent)", {"kind": "ntxent"}),
    ("DCL", {"kind": "dcl"}),
    ("HCL", {"kind": "hcl"}),
    ("SSCL pair", {"kind": "sscl", "mixing": "pair"}),
    ("SSCL copy", {"kind": "sscl", "mixing": "copy"}),
]


def digits_csv(path):
    """The shipped 8x8 digits (IDX) as a CSV with a header and a string label column."""
    base = os.path.join(ROOT, "Sources/SSCLEngine/Resources/datasets/digits")
    with gzip.open(os.path.join(base, "train-images-idx3-ubyte.gz")) as f:
        data = f.read()
        n, h, w = struct.unpack(">III", data[4:16])
        pixels = data[16:]
    with gzip.open(os.path.join(base, "train-labels-idx1-ubyte.gz")) as f:
        labels = f.read()[8:]
    with open(path, "w") as f:
        f.write(",".join(f"p{i}" for i in range(h * w)) + ",label\n")
        for r in range(n):
            row = pixels[r * h * w:(r + 1) * h * w]
            f.write(",".join(str(v) for v in row) + f",digit{labels[r]}\n")


def run(sscl, job, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "job.json")
    with open(path, "w") as f:
        json.dump(job, f)
    t0 = time.time()
    subprocess.run([sscl, "train", path, "--out", out_dir], check=True, stderr=subprocess.DEVNULL)
    with open(os.path.join(out_dir, "result.json")) as f:
        result = json.load(f)
    losses = []
    with open(os.path.join(out_dir, "metrics.jsonl")) as f:
        for line in f:
            o = json.loads(line)
            if o.get("type") == "step":
                losses.append((o["step"], o["loss"]))
    result["wall_s"] = time.time() - t0
    result["losses"] = losses
    return result


def ms(values):
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.4f} ± {sd:.4f}"


def table(title, command, results, note):
    lines = [f"## {title}", "", note, "", f"Command: `{command}`", "",
             "| method | kNN accuracy | linear-probe accuracy | final loss | seconds/run |", "|---|---|---|---|---|"]
    first = next(iter(results.values()))
    lines.append(f"| raw inputs | {ms([r['raw_knn_accuracy'] for r in first])} | — | — | — |")
    lines.append(f"| random encoder | {ms([r['baseline_knn_accuracy'] for r in first])} | "
                 f"{ms([r.get('baseline_linear_accuracy') for r in first])} | — | — |")
    for name, runs in results.items():
        lines.append(f"| {name} | {ms([r['knn_accuracy'] for r in runs])} | {ms([r.get('linear_accuracy') for r in runs])} | "
                     f"{ms([r['final_loss'] for r in runs])} | {statistics.mean(r['wall_s'] for r in runs):.0f} |")
    return lines


def plot(all_results, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, axes = plt.subplots(1, 1 + len(all_results), figsize=(6 * (1 + len(all_results)), 4.5))
    for ax, (title, results) in zip(axes[:-1], all_results.items()):
        names = list(results)
        for i, key in enumerate(["knn_accuracy", "linear_accuracy"]):
            means = [statistics.mean(r[key] for r in results[n]) for n in names]
            sds = [statistics.stdev(r[key] for r in results[n]) if len(results[n]) > 1 else 0 for n in names]
            ax.bar([j + 0.4 * i for j in range(len(names))], means, 0.4, yerr=sds, capsize=3,
                   label="kNN" if i == 0 else "linear probe")
        raw = statistics.mean(r["raw_knn_accuracy"] for r in results[names[0]])
        ax.axhline(raw, color="gray", linestyle="--", label="raw-input kNN")
        ax.set_xticks([j + 0.2 for j in range(len(names))], names, rotation=20)
        lo = min(raw, min(statistics.mean(r["knn_accuracy"] for r in results[n]) for n in names)) - 0.03
        ax.set_ylim(max(0, lo), 1)
        ax.set_title(title)
        ax.legend(fontsize=8)
    ax = axes[-1]
    first = next(iter(all_results.values()))
    for name, runs in first.items():
        steps, losses = zip(*runs[0]["losses"])
        ax.plot(steps, losses, label=name, linewidth=1)
    ax.set_title(f"training loss, seed 0 ({next(iter(all_results))})")
    ax.set_xlabel("step")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sscl", default=os.path.join(ROOT, ".build/release/sscl"))
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", default=os.path.join(ROOT, "runs", "quality"))
    a = p.parse_args()
    command = "bash benchmarks/quality.sh " + " ".join(sys.argv[1:])
    full = os.path.isdir(os.environ.get("SSCL_FASHION_MNIST", "/usr/share/datasets/fashion-mnist"))
    image = "fashion-mnist" if full else "fashion-mnist-mini"
    if not full:
        print("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist): using fashion-mnist-mini", file=sys.stderr)
    all_results = {}
    started = time.time()
    setups = [
        (f"Images: {image}, MLP 784-512-512, head 512-128", {"name": image},
         {"encoder": "mlp", "hidden": [512, 512], "projection": [512, 128]}, 256 if full else 100, a.epochs, None),
    ]
    tmp = tempfile.mkdtemp()
    csv = os.path.join(tmp, "digits.csv")
    digits_csv(csv)
    setups.append(("Tabular: digits as CSV (64 features), MLP 64-256-256, head 256-64",
                   {"format": "csv", "train": csv, "label_column": "label"},
                   {"encoder": "mlp", "hidden": [256, 256], "projection": [256, 64]}, 128, 4 * a.epochs, None))
    sections = []
    for title, dataset, model, batch, epochs, _ in setups:
        results = {}
        for name, loss in METHODS:
            runs = []
            for seed in range(a.seeds):
                job = {"name": f"quality-{name}-{seed}".replace(" ", "-").replace("(", "").replace(")", ""),
                       "dataset": dataset, "model": model, "loss": loss, "epochs": epochs, "batch_size": batch,
                       "seed": seed, "threads": a.threads, "eval": {"every_epochs": epochs}}
                out = os.path.join(a.runs, title.split(":")[0].lower(), name.replace(" ", "-"), f"seed{seed}")
                r = run(a.sscl, job, out)
                print(f"{title} | {name} | seed {seed}: kNN {r['knn_accuracy']:.4f} linear {r.get('linear_accuracy')}"
                      f" ({r['wall_s']:.0f} s)", flush=True)
                runs.append(r)
            results[name] = runs
        all_results[title.split(",")[0]] = results
        sections += table(title, command, results,
                          f"{epochs} epochs, batch {batch}, SGD lr 0.1 momentum 0.9 wd 1e-4, cosine with 1 warm-up epoch, "
                          f"default augmentations, t 0.5, tau_plus 0.1, SSCL s 32 k 8 (beta 1), {a.seeds} seeds (0..{a.seeds - 1}), "
                          f"{a.threads} threads; evaluation on the test split (kNN k=200 t=0.1; linear probe as in the README).")
        sections.append("")
    minutes = (time.time() - started) / 60
    png = os.path.join(HERE, "quality.png")
    plotted = plot(all_results, png)
    lines = ["# Representation quality: SimCLR, DCL, HCL, SSCL", "",
             f"Run on {time.strftime('%Y-%m-%d', time.gmtime())}, {os.cpu_count()} cores; total {minutes:.0f} minutes."
             + (" Plot: [quality.png](quality.png)." if plotted else " (matplotlib unavailable: no plot.)"), ""] + sections
    with open(os.path.join(HERE, "quality.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    sys.path.insert(0, HERE)
    import report
    report.assemble()


if __name__ == "__main__":
    main()
