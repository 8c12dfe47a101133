#!/usr/bin/env python3
"""How false negatives evolve over training: SimCLR, HCL and SSCL (pair and copy), with and
without debiasing.

    nice -n 5 python3 benchmarks/false_negatives.py [--sscl .build/release/sscl] [--epochs 3]
        [--threads 2] [--seed 0] [--report-from LOG]

Trains each method with `sscl train` on the full Fashion-MNIST (Debian's dataset-fashion-mnist)
with the default MLP, the same epochs and seed, `eval.diagnostics_every` 20 (the default), and
reads the `diagnostics` events of each run's metrics.jsonl: the share of same-class rows among
all in-batch negatives (fn_rate_all, about the class prior: 0.1 on ten balanced classes), among
each anchor's s hardest negatives (fn_rate_hard), among the parents of the synthetic negatives
(one parent / both parents same-class), and the share of the loss's negative weight (after
debiasing) that falls on same-class negatives (fn_weight_share). Labels are used to measure,
never to train.

Writes the section "False negatives over training" of benchmarks/results.md (the table of each
rate's mean over the last epoch and the final kNN accuracy) and benchmarks/false_negatives.png
(one panel per rate, one curve per method). Each run's JSON line goes to stdout; --report-from
rebuilds the section and the plot from them.
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import report as results_md  # noqa: E402  (benchmarks/report.py: results.md from the parts)
SECTION = "## False negatives over training (Fashion-MNIST)"
RATES = ["fn_rate_all", "fn_rate_hard", "fn_rate_synthetic_one", "fn_rate_synthetic_both", "fn_weight_share"]
METHODS = [
    ("SimCLR", {"kind": "ntxent"}),
    ("HCL", {"kind": "hcl", "tau_plus": 0}),
    ("HCL debiased", {"kind": "hcl", "tau_plus": 0.1}),
    ("SSCL pair", {"kind": "sscl", "mixing": "pair", "tau_plus": 0}),
    ("SSCL pair debiased", {"kind": "sscl", "mixing": "pair", "tau_plus": 0.1}),
    ("SSCL copy", {"kind": "sscl", "mixing": "copy", "tau_plus": 0}),
]


def run(args, name, loss, work):
    job = {"name": f"fn-{name}", "dataset": {"name": "fashion-mnist"}, "epochs": args.epochs, "seed": args.seed,
           "threads": args.threads, "loss": loss, "eval": {"linear_probe": False, "diagnostics_every": 20}}
    folder = os.path.join(work, name.replace(" ", "-"))
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "job.json")
    with open(path, "w") as f:
        json.dump(job, f)
    out = subprocess.run([args.sscl, "train", path, "--out", os.path.join(folder, "run")],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{name}: sscl train failed ({out.returncode}): {out.stderr[-2000:]}")
    series = {rate: [] for rate in RATES}
    epochs = []
    with open(os.path.join(folder, "run", "metrics.jsonl")) as f:
        for line in f:
            event = json.loads(line)
            if event.get("type") != "diagnostics":
                continue
            epochs.append(event["epoch"])
            for rate in RATES:
                if event.get(rate) is not None:
                    series[rate].append((event["step"], event[rate]))
    with open(os.path.join(folder, "run", "result.json")) as f:
        result = json.load(f)
    return {"method": name, "loss": loss, "series": series, "last_epoch": max(epochs) if epochs else 0,
            "epochs_of_points": epochs, "knn_accuracy": result["knn_accuracy"], "steps": result["steps"],
            "args": {"epochs": args.epochs, "seed": args.seed, "threads": args.threads}}


def last_epoch_mean(run, rate):
    points = run["series"][rate]
    if not points:
        return None
    last = [v for (step, v), epoch in zip(points, run["epochs_of_points"]) if epoch == run["last_epoch"]]
    last = last or [v for _, v in points]
    return sum(last) / len(last)


def first_value(run, rate):
    points = run["series"][rate]
    return points[0][1] if points else None


def fmt(v):
    return "—" if v is None else f"{v:.3f}"


def report(runs):
    a = runs[0]["args"]
    out = [SECTION, "",
           f"`nice -n 5 python3 benchmarks/false_negatives.py --epochs {a['epochs']} --threads {a['threads']} "
           f"--seed {a['seed']}` on {datetime.date.today().isoformat()}: `sscl train` on the full Fashion-MNIST "
           f"(60000 train rows, ten balanced classes), the default MLP, {a['epochs']} epochs, seed {a['seed']}, "
           "diagnostics every 20 steps on the training batch (labels measure, never train). Each cell: the "
           "rate's mean over the last epoch's measurements (in brackets: the first measurement, at step 20). "
           "— where the loss has no such selection (SimCLR has no hardness weights nor hard pool; HCL no "
           "synthetic negatives). kNN: the run's final kNN accuracy on the 10000 test rows.",
           "",
           "| method | loss | " + " | ".join(RATES) + " | kNN |",
           "|---|---|" + "---|" * len(RATES) + "---|"]
    for r in runs:
        loss = ", ".join(f"{k} {v}" for k, v in r["loss"].items())
        cells = [f"{fmt(last_epoch_mean(r, rate))} ({fmt(first_value(r, rate))})" if r["series"][rate] else "—"
                 for rate in RATES]
        out.append(f"| {r['method']} | {loss} | " + " | ".join(cells) + f" | {r['knn_accuracy']:.4f} |")
    out += ["", reading(runs), "", "![false-negative rates over training](false_negatives.png)", ""]
    return "\n".join(out) + "\n"


def reading(runs):
    """The comparisons the issue asks about, computed from the table's numbers."""
    by = {r["method"]: r for r in runs}

    def share(name, rate="fn_weight_share"):
        return last_epoch_mean(by[name], rate) if name in by else None

    lines = ["Reading (last-epoch means):"]
    prior = share("SimCLR", "fn_rate_all") or share("HCL", "fn_rate_all")
    if prior is not None:
        lines.append(f"- In-batch negatives are same-class at the class prior ({prior:.3f}).")
    hard = share("SSCL pair", "fn_rate_hard")
    if hard is not None and prior:
        first = first_value(by["SSCL pair"], "fn_rate_hard")
        trend = "grows" if first is not None and hard > first else "does not grow"
        lines.append(f"- Hardness selection concentrates them: {hard:.3f} of each anchor's hardest negatives are "
                     f"same-class ({hard / prior:.1f}x the prior); the share {trend} as the encoder learns "
                     f"({fmt(first)} at the first measurement).")
    one, both = share("SSCL pair", "fn_rate_synthetic_one"), share("SSCL pair", "fn_rate_synthetic_both")
    if one is not None and both is not None:
        lines.append(f"- Pair mixing: {one:.3f} of the synthetic negatives have at least one same-class parent, "
                     f"{both:.3f} both; copy mixing (one parent) {fmt(share('SSCL copy', 'fn_rate_synthetic_one'))}.")
    if share("SimCLR") is not None and share("HCL") is not None:
        lines.append(f"- Hardness weighting puts more of the negative weight on false negatives: SimCLR's softmax "
                     f"{share('SimCLR'):.3f}, HCL {share('HCL'):.3f}, SSCL pair {fmt(share('SSCL pair'))}, "
                     f"SSCL copy {fmt(share('SSCL copy'))}.")
    for plain, debiased in (("HCL", "HCL debiased"), ("SSCL pair", "SSCL pair debiased")):
        if share(plain) is not None and share(debiased) is not None:
            lines.append(f"- Debiasing (tau_plus 0.1) lowers {plain}'s weight share from {share(plain):.3f} to "
                         f"{share(debiased):.3f} ({share(debiased) - share(plain):+.3f}); kNN "
                         f"{by[plain]['knn_accuracy']:.4f} -> {by[debiased]['knn_accuracy']:.4f} (one seed).")
    return "\n".join(lines)


def plot(runs, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("# matplotlib not importable: no plot", file=sys.stderr)
        return
    fig, axes = plt.subplots(1, len(RATES), figsize=(4 * len(RATES), 3.6), sharex=True)
    colors = {r["method"]: f"C{i}" for i, r in enumerate(runs)}  # one colour per method in every panel
    for ax, rate in zip(axes, RATES):
        for r in runs:
            points = r["series"][rate]
            if points:
                ax.plot([s for s, _ in points], [v for _, v in points], label=r["method"], linewidth=1.2,
                        color=colors[r["method"]])
        ax.set_title(rate)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("share of same-class")
    handles = [plt.Line2D([], [], color=colors[r["method"]], label=r["method"]) for r in runs]
    fig.legend(handles=handles, loc="lower center", ncol=len(runs), fontsize=8)
    fig.subplots_adjust(bottom=0.25)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.savefig(path, dpi=110)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sscl", default=os.path.join(REPO, ".build/release/sscl"))
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", nargs="+", help="method names (as in the table)")
    ap.add_argument("--out", default=os.path.join(HERE, "false_negatives.md"), help="this benchmark's part of results.md")
    ap.add_argument("--report-from", metavar="LOG")
    args = ap.parse_args()
    if args.report_from:
        runs = [json.loads(line) for line in open(args.report_from) if line.startswith("{")]
    else:
        work = tempfile.mkdtemp(prefix="sscl-fn-")
        runs = []
        for name, loss in METHODS:
            if args.only and name not in args.only:
                continue
            r = run(args, name, loss, work)
            print(json.dumps(r), flush=True)
            print(f"# {name}: kNN {r['knn_accuracy']:.4f}", file=sys.stderr, flush=True)
            runs.append(r)
    text = report(runs)
    results_md.publish(args.out, text.rstrip("\n").splitlines())
    plot(runs, os.path.join(HERE, "false_negatives.png"))


if __name__ == "__main__":
    main()
