#!/usr/bin/env python3
"""Single-row embed latency of the default MLP while a job trains (not a test: a benchmark).

    python3 benchmarks/embed_latency.py [--sscl .build/release/sscl] [--requests 2000] [--threads 2]

Starts `sscl serve` (2 concurrent jobs, --inference-threads 1) on a free port, trains a model
with the default model spec (MLP 784-512-512, head 512-128) on fashion-mnist-mini for 2 epochs,
then starts a second job that keeps `--threads` cores busy training, and sends `--requests`
single-row `POST /v1/jobs/{id}/embed` requests one after another on one keep-alive connection
(raw stored pixel values, a different row each time). The first request (it loads the data and
the weights) is reported apart. Writes benchmarks/embed_latency.md (and prints it).
Target: p99 under 20 ms.
"""
import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)


def call(conn, method, path, body=None):
    headers = {"Content-Type": "application/json"} if body is not None else {}
    conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    response = conn.getresponse()
    data = response.read()
    return response.status, json.loads(data) if data else None


def wait_for(conn, job, statuses, timeout=600):
    deadline = time.time() + timeout
    while time.time() < deadline:
        _, j = call(conn, "GET", f"/v1/jobs/{job}")
        if j["status"] in statuses:
            return j
        time.sleep(0.2)
    raise SystemExit(f"job {job} did not reach {statuses}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sscl", default=os.path.join(REPO, ".build/release/sscl"))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2, help="threads of the job training meanwhile")
    args = parser.parse_args()

    work = tempfile.mkdtemp()
    port = random.randint(20000, 40000)
    server = subprocess.Popen(
        [args.sscl, "serve", "--port", str(port), "--db", f"{work}/db.sqlite", "--runs-dir", f"{work}/runs",
         "--data-dir", f"{work}/data", "--max-concurrent-jobs", "2", "--inference-threads", "1",
         "--migrations", os.path.join(REPO, "migrations"), "--log-level", "warning"],
        stderr=open(f"{work}/server.log", "w"))
    try:
        conn = None
        for _ in range(200):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                call(conn, "GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        _, model_job = call(conn, "POST", "/v1/jobs", {"name": "embed-model", "dataset": {"name": "fashion-mnist-mini"},
                                                     "epochs": 2, "eval": {"linear_probe": False}})
        wait_for(conn, model_job["id"], {"succeeded"})
        _, load = call(conn, "POST", "/v1/jobs", {"name": "embed-load", "dataset": {"name": "fashion-mnist-mini"},
                                                 "epochs": 2000, "batch_size": 100, "threads": args.threads,
                                                 "eval": {"every_epochs": 50, "knn_k": 50}})
        wait_for(conn, load["id"], {"running"})
        time.sleep(2)

        rng = random.Random(0)
        path = f"/v1/jobs/{model_job['id']}/embed"
        start = time.perf_counter()
        status, first = call(conn, "POST", path, {"inputs": [[rng.randrange(256) for _ in range(784)]]})
        first_ms = (time.perf_counter() - start) * 1000
        assert status == 200 and len(first["embeddings"][0]) == 512, (status, first)
        times = []
        for _ in range(args.requests):
            body = {"inputs": [[rng.randrange(256) for _ in range(784)]]}
            start = time.perf_counter()
            status, _ = call(conn, "POST", path, body)
            times.append((time.perf_counter() - start) * 1000)
            assert status == 200
        _, still = call(conn, "GET", f"/v1/jobs/{load['id']}")
        call(conn, "POST", f"/v1/jobs/{load['id']}/cancel", {})
    finally:
        server.terminate()
        server.wait()

    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    import report
    report.publish(os.path.join(HERE, "embed_latency.md"), [
        "# Embed latency while a job trains",
        "",
        f"`python3 benchmarks/embed_latency.py --requests {args.requests} --threads {args.threads}` on "
        f"{time.strftime('%Y-%m-%d', time.gmtime())}, {os.cpu_count()} cores: single-row `POST /v1/jobs/{{id}}/embed` "
        "(raw pixels as JSON, the default MLP 784-512-512, `--inference-threads 1`), one request at a time on a "
        f"keep-alive connection, while a fashion-mnist-mini job trains on {args.threads} threads "
        f"(it was `{still['status']}` at step {(still.get('progress') or {}).get('step')} at the end). "
        "Client-side wall time, JSON encoding and parsing included. Target: p99 < 20 ms.",
        "",
        "| requests | p50 | p90 | p99 | max | mean | first request (loads data and weights) |",
        "|---|---|---|---|---|---|---|",
        f"| {len(times)} | {p(0.5):.2f} ms | {p(0.9):.2f} ms | {p(0.99):.2f} ms | {times[-1]:.2f} ms | "
        f"{statistics.mean(times):.2f} ms | {first_ms:.0f} ms |",
    ])


if __name__ == "__main__":
    main()
