#!/usr/bin/env python3
"""SimCLR, DCL, HCL and SSCL (pair and copy mixing) trained the same way, several seeds.

Trains each method with `sscl train` on the full Fashion-MNIST (Debian's
dataset-fashion-mnist; falls back to the shipped fashion-mnist-mini, saying so) with the same
MLP encoder, epochs and seeds, and on a tabular CSV (the digits, converted here; more CSVs with
--csv) with tabular augmentations; reports kNN and linear-probe accuracy as mean ± std per
method next to the raw-input and random-encoder baselines, writes benchmarks/quality.md, a plot
(benchmarks/quality.png, if matplotlib is importable) and updates benchmarks/results.md.

Tabular sets are small (the digits: 1437 train rows, 11 steps per epoch at batch 128), so
their training length is a step budget (--tabular-steps), not an epoch count: the epochs are
derived from the train-split size. `--only tabular` reruns the tabular part alone and keeps the
image section of quality.md (and the plot) as they were.
"""
import argparse, csv as csvlib, gzip, json, math, os, re, statistics, struct, subprocess, sys, tempfile, time

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


def csv_train_rows(path, label_column, test_fraction=0.2):
    """Train-split size of a CSV without a test file: sscl holds out round(fraction * n_c) rows
    of each class c (at most n_c - 1), rounding halves away from zero."""
    counts = {}
    with open(path, newline="") as f:
        reader = csvlib.reader(f)
        column = next(reader).index(label_column)
        for row in reader:
            if row:
                counts[row[column]] = counts.get(row[column], 0) + 1
    return sum(n - min(n - 1, math.floor(n * test_fraction + 0.5)) for n in counts.values())


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
             "| method | kNN accuracy | linear-probe accuracy | kNN > raw, > random (seeds) | final loss | seconds/run |",
             "|---|---|---|---|---|---|"]
    first = next(iter(results.values()))
    lines.append(f"| raw inputs | {ms([r['raw_knn_accuracy'] for r in first])} | — | — | — | — |")
    lines.append(f"| random encoder | {ms([r['baseline_knn_accuracy'] for r in first])} | "
                 f"{ms([r.get('baseline_linear_accuracy') for r in first])} | — | — | — |")
    for name, runs in results.items():
        # Paired per seed: each seed has its own hold-out split (and so its own raw score) and init.
        raw_wins = sum(r["knn_accuracy"] > r["raw_knn_accuracy"] for r in runs)
        random_wins = sum(r["knn_accuracy"] > r["baseline_knn_accuracy"] for r in runs)
        lines.append(f"| {name} | {ms([r['knn_accuracy'] for r in runs])} | {ms([r.get('linear_accuracy') for r in runs])} | "
                     f"{raw_wins}/{len(runs)}, {random_wins}/{len(runs)} | "
                     f"{ms([r['final_loss'] for r in runs])} | {statistics.mean(r['wall_s'] for r in runs):.0f} |")
    return lines


def merge_sections(path, fresh, keep):
    """The `## ` sections of an existing quality.md whose titles start with one of `keep`,
    followed by the fresh sections (a partial rerun leaves the other setups' results alone)."""
    kept = []
    if os.path.exists(path):
        with open(path) as f:
            text = f.read()
        for block in re.split(r"(?m)^(?=## )", text)[1:]:
            if block.startswith(tuple(f"## {k}" for k in keep)):
                kept += block.rstrip("\n").split("\n") + [""]
    return kept + fresh


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
    p.add_argument("--epochs", type=int, default=10, help="epochs of the image setup")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--only", choices=["images", "tabular"], help="run one part; quality.md keeps the other's section")
    p.add_argument("--tabular-steps", type=int, default=4000,
                   help="optimisation steps of each tabular run (epochs = ceil(steps / (train rows // batch)))")
    p.add_argument("--tabular-lr", type=float, default=0.3, help="SGD learning rate of the tabular runs")
    p.add_argument("--csv", action="append", default=[], metavar="FILE[:LABEL]",
                   help="another labelled CSV for the tabular part (label column 'label' unless given); repeatable")
    p.add_argument("--export-digits", metavar="FILE", help="write the shipped digits as a CSV to FILE and exit")
    p.add_argument("--runs", default=os.path.join(ROOT, "runs", "quality"))
    a = p.parse_args()
    if a.export_digits:
        digits_csv(a.export_digits)
        return
    command = "bash benchmarks/quality.sh " + " ".join(sys.argv[1:])
    all_results = {}
    started = time.time()
    setups = []  # (title, dataset, model, batch, epochs, optimizer, note)
    sgd = "SGD lr {lr} momentum 0.9 wd 1e-4, cosine with 1 warm-up epoch"
    if a.only != "tabular":
        full = os.path.isdir(os.environ.get("SSCL_FASHION_MNIST", "/usr/share/datasets/fashion-mnist"))
        image = "fashion-mnist" if full else "fashion-mnist-mini"
        if not full:
            print("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist): using fashion-mnist-mini",
                  file=sys.stderr)
        batch = 256 if full else 100
        setups.append((f"Images: {image}, MLP 784-512-512, head 512-128", {"name": image},
                       {"encoder": "mlp", "hidden": [512, 512], "projection": [512, 128]}, batch, a.epochs, None,
                       f"{a.epochs} epochs, batch {batch}, {sgd.format(lr=0.1)}, default augmentations"))
    if a.only != "images":
        tmp = tempfile.mkdtemp()
        digits = os.path.join(tmp, "digits.csv")
        digits_csv(digits)
        tables = [("digits as CSV", digits, "label")]
        for spec in a.csv:
            path, _, label = spec.partition(":")
            tables.append((os.path.splitext(os.path.basename(path))[0] + " (CSV)", os.path.abspath(path), label or "label"))
        for name, path, label in tables:
            rows = csv_train_rows(path, label)
            with open(path) as f:
                width = len(next(csvlib.reader(f))) - 1
            batch = min(128, rows)
            per_epoch = rows // batch
            epochs = math.ceil(a.tabular_steps / per_epoch)
            setups.append((f"Tabular: {name} ({width} features, {rows} train rows), MLP {width}-256-256, head 256-64",
                           {"format": "csv", "train": path, "label_column": label},
                           {"encoder": "mlp", "hidden": [256, 256], "projection": [256, 64]}, batch, epochs,
                           {"kind": "sgd", "lr": a.tabular_lr},
                           f"{epochs} epochs of {per_epoch} steps ({epochs * per_epoch} steps, budget {a.tabular_steps}), "
                           f"batch {batch}, {sgd.format(lr=a.tabular_lr)}, default tabular augmentations "
                           f"(SCARF mask 0.3, noise 0.1, on standardised features)"))
    sections = []
    for title, dataset, model, batch, epochs, optimizer, note in setups:
        results = {}
        for name, loss in METHODS:
            runs = []
            for seed in range(a.seeds):
                job = {"name": f"quality-{name}-{seed}".replace(" ", "-").replace("(", "").replace(")", ""),
                       "dataset": dataset, "model": model, "loss": loss, "epochs": epochs, "batch_size": batch,
                       "seed": seed, "threads": a.threads, "eval": {"every_epochs": epochs}}
                if optimizer:
                    job["optimizer"] = optimizer
                folder = re.sub(r"[^a-z0-9]+", "-", title.split(",")[0].lower()).strip("-")
                out = os.path.join(a.runs, folder, name.replace(" ", "-"), f"seed{seed}")
                r = run(a.sscl, job, out)
                print(f"{title} | {name} | seed {seed}: kNN {r['knn_accuracy']:.4f} (raw {r['raw_knn_accuracy']:.4f}, "
                      f"random {r['baseline_knn_accuracy']:.4f}) linear {r.get('linear_accuracy')} ({r['wall_s']:.0f} s)",
                      flush=True)
                runs.append(r)
            results[name] = runs
        all_results[title.split(", MLP")[0]] = results
        sections += table(title, command, results,
                          f"{note}, t 0.5, tau_plus 0.1, SSCL s 32 k 8 (beta 1), {a.seeds} seeds (0..{a.seeds - 1}; "
                          f"each seed also draws its own hold-out split where the set has no test split, so raw-input "
                          f"scores vary by seed), {a.threads} threads; evaluation on the test split (kNN k=200 t=0.1; "
                          f"linear probe as in the README). The kNN column after the linear probe counts the seeds "
                          f"in which the learned encoder's kNN beats that seed's raw inputs and random encoder.")
        sections.append("")
    minutes = (time.time() - started) / 60
    quality_md = os.path.join(HERE, "quality.md")
    if a.only:
        # Keep the other part's section(s) and the plot of the last full run.
        sections = merge_sections(quality_md, sections, ["Images"] if a.only == "tabular" else ["Tabular"])
        plotted = os.path.exists(os.path.join(HERE, "quality.png"))
        header = f"Partial run (--only {a.only}) on {time.strftime('%Y-%m-%d', time.gmtime())}, {os.cpu_count()} cores, " \
                 f"{minutes:.0f} minutes; the other part's section is from an earlier run."
    else:
        plotted = plot(all_results, os.path.join(HERE, "quality.png"))
        header = f"Run on {time.strftime('%Y-%m-%d', time.gmtime())}, {os.cpu_count()} cores; total {minutes:.0f} minutes."
    lines = ["# Representation quality: SimCLR, DCL, HCL, SSCL", "",
             header + (" Plot: [quality.png](quality.png)." if plotted else " (matplotlib unavailable: no plot.)"), ""] + sections
    sys.path.insert(0, HERE)
    import report
    report.publish(quality_md, lines)

if __name__ == "__main__":
    main()
