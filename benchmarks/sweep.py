#!/usr/bin/env python3
"""One sweep on full Fashion-MNIST through the API, as a full grid and with ASHA.

    nice -n 10 python3 benchmarks/sweep.py [--sscl .build/release/sscl] [--epochs 4]
        [--min-epochs 2] [--reduction-factor 2]
        [--train-limit 60000] [--seeds 0 1 2] [--jobs 3] [--only grid|asha] [--report-from LOG[,LOG]]

Starts a release `sscl serve` on a free port with a temporary database and runs folder,
submits the sweep `loss.kind` (hcl, sscl) x `loss.beta` (0.5, 1, 2) [x `optimizer.lr` (--lrs)]
x 3 seeds twice through
`POST /v1/sweeps` -- once with `early_stopping: null` (every trial runs all epochs), once with
`{"kind": "asha", "reduction_factor": R, "min_epochs": M}` -- waits for each with
`GET /v1/sweeps/{id}`, and renders both leaderboards into benchmarks/results.md (the section
"Sweep: full grid against ASHA", replaced on every run) with the total training steps of each
sweep (the sum of its trials' steps, pruned trials up to where they stopped) and whether ASHA
ranked the same configuration best.

ASHA's grace period: --min-epochs 2 and --reduction-factor 2 (one rung, at epoch 2 of 4: the
better half of the configurations trains on). A first run with min_epochs 1 and eta 3 judged at
epoch 1, the end of the learning-rate warm-up, where HCL led SSCL and small beta led large beta,
the reverse of the final order, and pruned the grid's best: a rung inside the warm-up ranks how
fast a configuration warms up. The report shows the grid's ranking at every epoch, so how
predictive each epoch was can be read off.

The budget is cut to fit a 2-core machine: --epochs (default 4) on
all 60000 training rows (--train-limit cuts them; the 10000 test rows are all used by the kNN
evaluation), no linear probe (the sweep ranks by kNN accuracy).
Each run's JSON lines go to stdout; --report-from rebuilds the section from them.
"""
import argparse
import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import report as results_md  # noqa: E402  (benchmarks/report.py: results.md from the parts)
SECTION = "## Sweep: full grid against ASHA"
LR_SECTION = "## Sweep with learning rates: full grid against ASHA"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            return json.loads(res.read() or b"null")
    except urllib.error.HTTPError as e:
        raise SystemExit(f"{method} {path}: {e.code} {e.read().decode(errors='replace')}")


def sweep_document(args, asha):
    return {
        "name": "beta-vs-method-" + ("asha" if asha else "grid"),
        "base": {
            "dataset": {"name": "fashion-mnist", "train_limit": args.train_limit},
            "epochs": args.epochs,
            "eval": {"every_epochs": 1, "linear_probe": False},
        },
        "parameters": dict({"loss.kind": {"values": ["hcl", "sscl"]}, "loss.beta": {"values": [0.5, 1, 2]}},
                           **({"optimizer.lr": {"values": args.lrs}} if args.lrs else {})),
        "method": "grid",
        "seeds": args.seeds,
        "metric": {"name": "knn_accuracy", "goal": "maximize"},
        "early_stopping": {"kind": "asha", "reduction_factor": args.reduction_factor, "min_epochs": args.min_epochs} if asha else None,
        "max_concurrent": args.jobs,
    }


def run_sweep(base, args, asha):
    started = time.time()
    sweep = call(base, "POST", "/v1/sweeps", sweep_document(args, asha))
    sid = sweep["id"]
    print(f"# {sid} submitted ({'asha' if asha else 'grid'})", file=sys.stderr, flush=True)
    last = None
    while True:
        sweep = call(base, "GET", f"/v1/sweeps/{sid}")
        progress = sweep["progress"]
        line = f"{progress['finished']}/{progress['trials']} {progress['by_status']}"
        if line != last:
            print(f"# {time.strftime('%H:%M:%S')} {sid}: {line}", file=sys.stderr, flush=True)
            last = line
        if sweep["status"] != "running":
            break
        time.sleep(5)
    steps = 0
    for trial in sweep["trials"]:
        job = call(base, "GET", f"/v1/jobs/{trial['id']}")
        trial["steps"] = (job.get("progress") or {}).get("step", 0)
        steps += trial["steps"]
        # The kNN curve: one point per evaluation (every epoch), in step order.
        series = call(base, "GET", f"/v1/jobs/{trial['id']}/metrics?name=knn_accuracy")
        trial["knn_curve"] = [point_value(p) for p in series_points(series, "knn_accuracy")]
    return {"kind": "asha" if asha else "grid", "sweep": sweep, "steps": steps, "wall": time.time() - started, "server": base,
            "args": {"epochs": args.epochs, "train_limit": args.train_limit, "seeds": args.seeds, "jobs": args.jobs,
                     "min_epochs": args.min_epochs, "reduction_factor": args.reduction_factor, "lrs": args.lrs}}


def series_points(series, name):
    """The points of one series in a `GET /v1/jobs/{id}/metrics` answer."""
    return next((s.get("points", []) for s in (series or {}).get("metrics", []) if s.get("name") == name), [])


def point_value(p):
    return p["value"] if isinstance(p, dict) else p[1]


def rung_epochs(epochs, min_epochs, eta):
    out, e = [], min_epochs
    while e < epochs:
        out.append(e)
        e *= eta
    return out


def spearman(xs, ys):
    """Spearman's rank correlation (average ranks for ties)."""
    def ranks(v):
        order = sorted(range(len(v)), key=lambda i: v[i])
        r = [0.0] * len(v)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
                j += 1
            for k in range(i, j + 1):
                r[order[k]] = (i + j) / 2
            i = j + 1
        return r
    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    vx, vy = sum((a - mx) ** 2 for a in rx), sum((b - my) ** 2 for b in ry)
    return cov / (vx * vy) ** 0.5 if vx and vy else float("nan")


def grid_epoch_means(grid):
    """Per configuration, the mean over its finished seeds of the kNN curve: {configuration: [epoch 1, ...]}."""
    by_config = {}
    for t in grid["sweep"]["trials"]:
        by_config.setdefault(t["configuration"], []).append(t.get("knn_curve") or [])
    epochs = grid["args"]["epochs"]
    means = {}
    for c, curves in by_config.items():
        full = [cv for cv in curves if len(cv) >= epochs]
        if full:
            means[c] = [sum(cv[e] for cv in full) / len(full) for e in range(epochs)]
    return means


def rung_note(grid):
    """How well the grid's order at each ASHA rung agrees with its final order."""
    means = grid_epoch_means(grid)
    a = grid["args"]
    rungs = rung_epochs(a["epochs"], a.get("min_epochs", 1), a.get("reduction_factor", 3))
    if not means or not rungs:
        return ""
    configs = list(means)
    final = [means[c][-1] for c in configs]
    rhos = [f"epoch {e}: ρ = {spearman([means[c][e - 1] for c in configs], final):.2f}" for e in rungs]
    return ("At the rung the grid's order of configurations agrees with its final order by Spearman's "
            + ", ".join(rhos) + ": where that is near 0, the rung sees seed noise, and a configuration "
            "that ends best among indistinguishable ones survives it by chance.")


def epoch_table(grid):
    """The grid's configuration means at every epoch, and how each epoch's ranking agrees with
    the final one: what ASHA sees at a rung placed there."""
    params = {row["configuration"]: row["parameters"] for row in grid["sweep"]["leaderboard"]}
    epochs = grid["args"]["epochs"]
    means = grid_epoch_means(grid)
    if not means:
        return []
    configs = sorted(means, key=lambda c: -means[c][-1])
    lines = ["| configuration | " + " | ".join(f"epoch {e + 1}" for e in range(epochs)) + " |",
             "|---|" + "---|" * epochs]
    for c in configs:
        lines.append(f"| {parameters_text(params.get(c, {}))} | " + " | ".join(f"{m:.4f}" for m in means[c]) + " |")
    final = [means[c][-1] for c in configs]
    lines.append("| Spearman ρ with the final ranking | " + " | ".join(
        f"{spearman([means[c][e] for c in configs], final):.2f}" for e in range(epochs)) + " |")
    return lines


def determinism_note(grid, asha):
    """Trials are deterministic in their seed: a configuration ASHA ran to the end must score
    exactly what the same configuration and seed scored in the grid."""
    key = lambda t: (json.dumps(t.get("seed")), t["configuration"])
    grid_metric = {key(t): t["metric"] for t in grid["sweep"]["trials"] if t["status"] == "succeeded"}
    pairs = [(t["metric"], grid_metric.get(key(t))) for t in asha["sweep"]["trials"] if t["status"] == "succeeded"]
    same = sum(1 for a, g in pairs if g is not None and a == g)
    return (f"Of the {len(pairs)} trials ASHA ran to the end, {same} scored exactly what the same configuration "
            "and seed scored in the grid (training is deterministic in its seed, so ASHA's finishers are the "
            "grid's runs, and its pick can differ from the grid's only by what it pruned).")


def parameters_text(p):
    return ", ".join(f"{k}={v}" for k, v in p.items())


def leaderboard_table(run):
    sweep = run["sweep"]
    lines = ["| rank | configuration | seeds finished | pruned | kNN mean ± std | 95% CI | p vs best | within noise of best | ASHA |",
             "|---|---|---|---|---|---|---|---|---|"]
    for rank, row in enumerate(sweep["leaderboard"], 1):
        mean = "" if row["mean"] is None else f"{row['mean']:.4f}" + ("" if row["std"] is None else f" ± {row['std']:.4f}")
        ci = "" if row["ci95"] is None else f"[{row['ci95'][0]:.4f}, {row['ci95'][1]:.4f}]"
        p = "best" if row["best"] else ("" if row["p_value"] is None else f"{row['p_value']:.3g}")
        asha = row.get("asha")
        standing = "" if not asha else f"{asha['decision']} at rung {asha['rung']} (epoch {asha['epoch']}, mean {asha['mean']:.4f})"
        lines.append(f"| {rank} | {parameters_text(row['parameters'])} | {row['finished_seeds']} | {row.get('pruned_seeds', 0)} | "
                     f"{mean} | {ci} | {p} | {'yes' if row['indistinguishable_from_best'] else 'no'} | {standing} |")
    return "\n".join(lines)


def best(run):
    rows = [r for r in run["sweep"]["leaderboard"] if r["best"]]
    return rows[0]["parameters"] if rows else None


def noise_note(grid, asha):
    """Where ASHA's pick stands in the full grid's leaderboard: rank, p against the grid's best,
    and how many configurations the grid itself cannot tell from its best."""
    rows = grid["sweep"]["leaderboard"]
    pick = best(asha)
    rank = next((i for i, r in enumerate(rows, 1) if r["parameters"] == pick), None)
    if rank is None:
        return ""
    row = rows[rank - 1]
    tied = sum(1 for r in rows if r["indistinguishable_from_best"])
    p = "" if row["p_value"] is None else f", Welch p = {row['p_value']:.3g} against the grid's best"
    verdict = ("within seed noise of the grid's best" if row["indistinguishable_from_best"]
               else "distinguishably worse than the grid's best")
    return (f"In the full grid ASHA's pick ranks {rank} of {len(rows)}{p}: {verdict}; the grid itself cannot "
            f"tell {tied} of its {len(rows)} configurations apart from its best (p >= 0.05).")


def report(runs):
    grid = next(r for r in runs if r["kind"] == "grid")
    asha = next(r for r in runs if r["kind"] == "asha")
    a = grid["args"]
    date = datetime.date.today().isoformat()
    same = best(grid) == best(asha)
    decisions = asha["sweep"].get("asha", {}).get("decisions", [])
    lrs = a.get("lrs")
    space = "`loss.kind` (hcl, sscl) × `loss.beta` (0.5, 1, 2)" + (
        f" × `optimizer.lr` ({', '.join(map(str, lrs))})" if lrs else "")
    out = [LR_SECTION if lrs else SECTION, "",
           f"`nice -n 10 python3 benchmarks/sweep.py --epochs {a['epochs']} --min-epochs {a.get('min_epochs', 1)} "
           f"--reduction-factor {a.get('reduction_factor', 3)} --train-limit {a['train_limit']} "
           + (f"--lrs {' '.join(map(str, lrs))} --out benchmarks/sweep_lr.md " if lrs else "") +
           f"--seeds {' '.join(map(str, a['seeds']))} --jobs {a['jobs']}` on {date}: one release `sscl serve`, the sweep "
           f"{space} × {len(a['seeds'])} seeds on Fashion-MNIST "
           f"({a['train_limit']} of the 60000 training rows, all 10000 test rows for kNN), {a['epochs']} epochs, "
           f"kNN accuracy of the final evaluation, no linear probe, {a['jobs']} trials at a time, submitted through "
           f"`POST /v1/sweeps` twice: a full grid, then with ASHA (η = {a.get('reduction_factor', 3)}, "
           f"min_epochs {a.get('min_epochs', 1)}: rungs at epochs "
           f"{', '.join(map(str, rung_epochs(a['epochs'], a.get('min_epochs', 1), a.get('reduction_factor', 3))))}). "
           + ("The two sweeps ran one after the other on one server." if grid.get("server") == asha.get("server") else
              "The two sweeps ran at the same time on two servers (`--only grid` and `--only asha`, joined with "
              "`--report-from`): their wall times are not comparable, their steps are.")
           + " Wall times on a shared 2-core machine are indicative; steps are exact.",
           "",
           "| sweep | trials | succeeded | pruned | total steps | wall s | best configuration |",
           "|---|---|---|---|---|---|---|"]
    for run in (grid, asha):
        counts = run["sweep"]["progress"]["by_status"]
        out.append(f"| {run['kind']} | {run['sweep']['progress']['trials']} | {counts.get('succeeded', 0)} | "
                   f"{counts.get('pruned', 0)} | {run['steps']} | {run['wall']:.0f} | {parameters_text(best(run) or {})} |")
    out += ["",
            f"ASHA used **{asha['steps'] / max(grid['steps'], 1):.0%}** of the grid's steps and "
            + ("**found the same best configuration**." if same else
               f"**did not find the same best configuration** (grid: {parameters_text(best(grid) or {})}; "
               f"ASHA: {parameters_text(best(asha) or {})}). " + noise_note(grid, asha) + " " + rung_note(grid)),
            "", determinism_note(grid, asha), ""]
    table = epoch_table(grid)
    if table:
        out += ["The grid's mean kNN accuracy per configuration after each epoch (the evaluation sample before the "
                "last epoch, the whole test split at the last), and the rank correlation of each epoch's order with "
                "the final one: a rung at an epoch with a low ρ prunes on noise or on the warm-up.", ""] + table + [""]
    out += [
            "Full grid:", "", leaderboard_table(grid), "",
            "ASHA:", "", leaderboard_table(asha), "",
            "ASHA's decisions in the order it made them (configuration mean over its seeds at the rung):", "",
            "| # | configuration | rung (epoch) | mean kNN | decision |", "|---|---|---|---|---|"]
    params = {row["configuration"]: row["parameters"] for row in asha["sweep"]["leaderboard"]}
    for d in decisions:
        mean = "" if d["mean"] is None else f"{d['mean']:.4f}"
        out.append(f"| {d['sequence']} | {parameters_text(params.get(d['configuration'], {}))} | {d['rung']} ({d['epoch']}) | "
                   f"{mean} | {d['decision']} |")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sscl", default=os.path.join(REPO, ".build/release/sscl"))
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--min-epochs", type=int, default=2, help="ASHA's grace period: the first rung's epoch")
    ap.add_argument("--reduction-factor", type=int, default=2, help="ASHA's eta: the best 1/eta of a rung train on")
    ap.add_argument("--lrs", type=float, nargs="+", help="add optimizer.lr with these values to the sweep")
    ap.add_argument("--train-limit", type=int, default=60000, help="training rows (60000: all of Fashion-MNIST)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    # A configuration is judged once all its seeds reached the rung, so its seeds should run
    # together: a multiple of the seed count.
    ap.add_argument("--jobs", type=int, default=3, help="trials at a time (the server's --max-concurrent-jobs too)")
    ap.add_argument("--only", nargs="+", choices=["grid", "asha"], default=["grid", "asha"],
                    help="run only these sweeps (two servers at once; join their outputs with --report-from)")
    ap.add_argument("--out", default=os.path.join(HERE, "sweep.md"), help="this benchmark's part of results.md")
    ap.add_argument("--report-from", metavar="LOG[,LOG]", help="write the section from the JSON lines of earlier runs' output")
    args = ap.parse_args()

    if args.report_from:
        runs = [json.loads(line) for path in args.report_from.split(",") for line in open(path) if line.startswith("{")]
    else:
        work = tempfile.mkdtemp(prefix="sscl-sweep-bench-")
        port = free_port()
        server = subprocess.Popen(
            [args.sscl, "serve", "--port", str(port), "--db", os.path.join(work, "db.sqlite"),
             "--runs-dir", os.path.join(work, "runs"), "--max-concurrent-jobs", str(args.jobs)],
            stdout=open(os.path.join(work, "server.log"), "w"), stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        # A SIGTERM to the script ends the server too (through the finally below).
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        try:
            for _ in range(300):
                try:
                    call(base, "GET", "/healthz")
                    break
                except (urllib.error.URLError, ConnectionError, SystemExit):
                    time.sleep(0.2)
            runs = []
            for asha in [k == "asha" for k in args.only]:
                run = run_sweep(base, args, asha)
                print(json.dumps(run), flush=True)
                runs.append(run)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        print(f"# server log: {os.path.join(work, 'server.log')}", file=sys.stderr)
    if not {"grid", "asha"} <= {r["kind"] for r in runs}:
        return
    text = report(runs)
    results_md.publish(args.out, text.rstrip("\n").splitlines())


if __name__ == "__main__":
    main()
