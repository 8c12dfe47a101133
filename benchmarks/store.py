#!/usr/bin/env python3
"""Jobs claimed per second and metric points written per second, SQLite against PostgreSQL.

    python3 benchmarks/store.py [--sscl .build/release/sscl] [--rounds 3] [--jobs 400]
        [--claimers 4] [--writers 4] [--batches 50] [--points 50]

Starts a throwaway PostgreSQL with scripts/postgres.sh, fsync on as a real server (a server of
your own: SSCL_TEST_POSTGRES_URL),
then, alternating the two engines for --rounds rounds, runs `sscl store-bench` on a fresh store
each time (a new SQLite file; a new PostgreSQL database): it queues --jobs jobs, claims them
from --claimers threads at once (each a node: claimNextJob, one transaction per claim, SKIP
LOCKED on PostgreSQL), then appends --batches batches of --points points to a claimed job from
each of --writers threads, fenced by the job's lease (what a node's scheduler does every 0.25 s
per running job). Reports medians and writes the section "Store throughput" of
benchmarks/results.md.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import report as results_md  # noqa: E402  (benchmarks/report.py: results.md from the parts)
SECTION = "## Store throughput: SQLite and PostgreSQL"


def start_postgres():
    out = subprocess.run(["bash", os.path.join(REPO, "scripts/postgres.sh"), "start"], capture_output=True, text=True,
                         check=True, env={**os.environ, "SSCL_POSTGRES_FSYNC": "on"}).stdout
    env = dict(line.replace("export ", "", 1).split("=", 1) for line in out.splitlines() if line.startswith("export "))
    return env["SSCL_TEST_POSTGRES_URL"], env.get("SSCL_TEST_POSTGRES_DIR")


def fresh_database(server_url):
    name = "sscl_bench_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", server_url, "-q", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    parts = urllib.parse.urlsplit(server_url)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name)), name


def bench(args, store):
    cmd = [args.sscl, "store-bench", "--store", store, "--migrations", os.path.join(REPO, "migrations"),
           "--jobs", str(args.jobs), "--claimers", str(args.claimers), "--writers", str(args.writers),
           "--batches", str(args.batches), "--points", str(args.points)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"store-bench failed on {store}: {out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sscl", default=os.path.join(REPO, ".build/release/sscl"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=400)
    ap.add_argument("--claimers", type=int, default=4)
    ap.add_argument("--writers", type=int, default=4)
    ap.add_argument("--batches", type=int, default=50)
    ap.add_argument("--points", type=int, default=50)
    ap.add_argument("--out", default=os.path.join(HERE, "store.md"), help="this benchmark's part of results.md")
    args = ap.parse_args()

    server = os.environ.get("SSCL_TEST_POSTGRES_URL")
    started_dir = None
    if not server:
        server, started_dir = start_postgres()
    work = tempfile.mkdtemp(prefix="sscl-store-bench-")
    runs = {"sqlite": [], "postgres": []}
    databases = []
    try:
        for r in range(args.rounds):
            runs["sqlite"].append(bench(args, "sqlite:" + os.path.join(work, f"round{r}.db")))
            url, name = fresh_database(server)
            databases.append(name)
            runs["postgres"].append(bench(args, url))
            print(json.dumps({"round": r, "sqlite": runs["sqlite"][-1], "postgres": runs["postgres"][-1]}), flush=True)
    finally:
        for name in databases:
            subprocess.run(["psql", server, "-q", "-c", f"DROP DATABASE IF EXISTS {name}"], capture_output=True)
        if started_dir:
            subprocess.run(["bash", os.path.join(REPO, "scripts/postgres.sh"), "stop"],
                           env={**os.environ, "SSCL_TEST_POSTGRES_DIR": started_dir}, capture_output=True)

    def med(engine, key):
        return statistics.median(x[key] for x in runs[engine])

    load = os.getloadavg()[0]
    text = "\n".join([
        SECTION, "",
        f"`python3 benchmarks/store.py --rounds {args.rounds}` on {datetime.date.today().isoformat()}: release "
        f"`sscl store-bench` on a fresh store per run, engines alternating, medians of {args.rounds} rounds. Claims: "
        f"{args.jobs} queued jobs claimed by {args.claimers} threads at once (one node each; one transaction per "
        f"claim: the queue read, the job started, its lease and lease-history row and status event). Metrics: "
        f"{args.writers} threads, each appending {args.batches} batches of {args.points} points to its own running "
        "job under that job's lease (the fencing check, the rows, one `metric` event and, on PostgreSQL, a NOTIFY "
        "per batch). PostgreSQL 15 from Debian on 127.0.0.1 (scripts/postgres.sh with fsync on, otherwise default "
        f"settings{'' if started_dir else '; a server given by SSCL_TEST_POSTGRES_URL'}), SQLite in WAL mode (GRDB's "
        f"defaults) on the same local disk. 2-core machine, load average {load:.1f} at the end.",
        "",
        "| store | jobs claimed / s | metric points written / s | claim phase s | metric phase s |",
        "|---|---|---|---|---|",
        *[f"| {engine} | {med(engine, 'claims_per_second'):.0f} | {med(engine, 'points_per_second'):.0f} | "
          f"{med(engine, 'claim_seconds'):.2f} | {med(engine, 'metric_seconds'):.2f} |" for engine in ("sqlite", "postgres")],
        "",
        f"A running job writes a batch every 0.25 s (its steps' loss, lr and throughput; tens of points): at "
        f"{med('postgres', 'points_per_second'):.0f} points/s one PostgreSQL takes the metrics of about "
        f"{med('postgres', 'points_per_second') / 200:.0f} jobs each reporting 200 points/s.",
        "",
    ])
    results_md.publish(args.out, text.rstrip("\n").splitlines())


if __name__ == "__main__":
    main()
