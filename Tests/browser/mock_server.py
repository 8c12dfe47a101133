#!/usr/bin/env python3
"""A stand-in for `sscl serve` to develop and test the dashboard in isolation.

Serves Public/ and a fake /v1 API that follows the service's contract, with fixture jobs:
one succeeded with full metrics, one running (advanced by a simulator thread, with live
events), one failed and one queued. Standard library only.

    python3 Tests/browser/mock_server.py --port 8089 [--token T] [--tick 0.25]
Prints "listening on http://127.0.0.1:PORT" once ready (use --port 0 for a free port).
"""
import argparse
import copy
import json
import math
import mimetypes
import os
import random
import sys
import threading
import time
import urllib.parse
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FINISHED = {"succeeded", "failed", "cancelled"}
SNAPSHOT_KEYS = ["id", "status", "attempt", "created_at", "started_at", "finished_at", "restarts_used",
                 "cancel_requested", "resume_from_checkpoint", "error"]
DIAGNOSTIC_NAMES = ["fn_rate_all", "fn_rate_hard", "fn_rate_synthetic_one", "fn_rate_synthetic_both", "fn_weight_share"]
METRIC_NAMES = ["loss", "lr", "images_per_s", "knn_accuracy", "linear_accuracy", "alignment", "uniformity"] + DIAGNOSTIC_NAMES
HIST_BINS = 40
PROJECTION_POINTS = 600
DEFAULTS = {
    "name": "my-job",
    "dataset": {"name": "fashion-mnist-mini"},
    "model": {"encoder": "mlp", "hidden": [256, 256], "channels": [16, 32], "projection": [256, 64], "batch_norm": True},
    "loss": {"kind": "sscl", "temperature": 0.5, "tau_plus": 0.1, "beta": 1.0, "hard_pool": 32, "synthetic": 8, "mixing": "pair"},
    "optimizer": {"kind": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 0.0001},
    "schedule": {"kind": "cosine", "warmup_epochs": 1},
    "augment": {"crop": 0.8, "flip": True, "jitter": 0.4, "noise": 0.05, "erase": 0.25},
    "epochs": 15, "batch_size": 100, "seed": 0, "threads": 2,
    "eval": {"every_epochs": 5, "knn_k": 50, "knn_temperature": 0.1, "linear_probe": True},
    "priority": 0, "max_restarts": 3, "max_seconds": 3600,
}
DATASETS = [
    {"name": "fashion-mnist-mini", "shape": [1, 28, 28], "classes": 10, "train_count": 6000, "test_count": 1000, "available": True},
    {"name": "digits", "shape": [1, 8, 8], "classes": 10, "train_count": 1437, "test_count": 360, "available": True},
    {"name": "fashion-mnist", "shape": [1, 28, 28], "classes": 10, "train_count": 60000, "test_count": 10000, "available": False},
]


def rfc3339(t):
    return t.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now():
    return datetime.now(timezone.utc)


def deep_merge(base, over):
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def validate(doc):
    """Returns [{path, reason}] like the real service's 422 details."""
    details = []
    if not isinstance(doc, dict):
        return [{"path": "", "reason": "must be an object"}]
    for k in doc:
        if k not in DEFAULTS:
            details.append({"path": k, "reason": "unknown field"})
    loss = doc.get("loss", {})
    if isinstance(loss, dict):
        if loss.get("kind", "sscl") not in ("ntxent", "dcl", "hcl", "sscl"):
            details.append({"path": "loss.kind", "reason": "must be one of ntxent, dcl, hcl, sscl"})
        t = loss.get("temperature", 0.5)
        if not isinstance(t, (int, float)) or isinstance(t, bool) or t <= 0:
            details.append({"path": "loss.temperature", "reason": "must be a number greater than 0"})
    model = doc.get("model", {})
    if isinstance(model, dict):
        for i, w in enumerate(model.get("hidden", [])):
            if not isinstance(w, int) or isinstance(w, bool) or w <= 0:
                details.append({"path": f"model.hidden[{i}]", "reason": "must be a positive integer"})
        if model.get("encoder", "mlp") not in ("mlp", "cnn"):
            details.append({"path": "model.encoder", "reason": "must be mlp or cnn"})
    for key in ("epochs", "batch_size"):
        v = doc.get(key, 1)
        if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
            details.append({"path": key, "reason": "must be a positive integer"})
    ds = doc.get("dataset", {})
    if isinstance(ds, dict) and ds.get("name") and ds["name"] not in [d["name"] for d in DATASETS]:
        details.append({"path": "dataset.name", "reason": "unknown dataset"})
    return details


class Store:
    """All jobs, their metrics, logs and events, guarded by one condition variable."""

    def __init__(self, steps_per_epoch=40):
        self.cond = threading.Condition()
        self.jobs = {}
        self.order = []
        self.next_event = 1
        self.next_job = 1
        self.steps_per_epoch = steps_per_epoch

    def new_id(self):
        self.next_job += 1
        return f"j{self.next_job:04d}"

    def add_job(self, doc, status="queued", created=None, job_id=None):
        jid = job_id or self.new_id()
        job = {
            "id": jid, "name": doc.get("name", jid), "status": status, "job": doc,
            "created_at": rfc3339(created or now()), "started_at": None, "finished_at": None,
            "attempt": 1, "progress": None, "metrics": {}, "result": None, "error": None,
            "restarts_used": 0, "cancel_requested": False, "resume_from_checkpoint": False,
        }
        self.jobs[jid] = {"job": job, "metrics": {n: [] for n in METRIC_NAMES}, "logs": [], "events": [], "histograms": []}
        self.order.insert(0, jid)
        self.event(jid, "status", None)
        return jid

    def public(self, jid):
        job = copy.deepcopy(self.jobs[jid]["job"])
        if job["status"] == "queued":
            queued = [j for j in reversed(self.order) if self.jobs[j]["job"]["status"] == "queued"]
            job["queue_position"] = queued.index(jid) + 1
        return job

    def event(self, jid, kind, data):
        eid = self.next_event
        self.next_event += 1
        if kind == "status":
            # What the real server's status event carries (JobStatusSnapshot), not a whole job.
            job = self.jobs[jid]["job"]
            data = {k: job.get(k) for k in SNAPSHOT_KEYS}
        self.jobs[jid]["events"].append((eid, kind, data))
        self.cond.notify_all()

    def metric(self, jid, name, step, value, t=None, emit=True):
        point = {"step": step, "value": value, "time": rfc3339(t or now())}
        self.jobs[jid]["metrics"][name].append(point)
        self.jobs[jid]["job"]["metrics"][name] = value
        if emit:
            self.event(jid, "metric", {"name": name, **point})
        return {"name": name, **point}

    def log(self, jid, line, t=None):
        entry = {"id": len(self.jobs[jid]["logs"]) + 1, "time": rfc3339(t or now()), "line": line}
        self.jobs[jid]["logs"].append(entry)
        self.event(jid, "log", {"line": line, "time": entry["time"]})

    def set_status(self, jid, status, error=None):
        job = self.jobs[jid]["job"]
        job["status"] = status
        if status == "running":
            job["started_at"] = rfc3339(now())
            job["finished_at"] = None
        if status in FINISHED:
            job["finished_at"] = rfc3339(now())
        if status == "queued":
            job["finished_at"] = None
        job["error"] = error
        self.event(jid, "status", None)

    def steps(self, jid):
        return self.jobs[jid]["job"]["job"].get("epochs", 15) * self.steps_per_epoch

    def train_step(self, jid, step, t=None, emit=True):
        """Appends the metrics of one simulated step (and an evaluation at epoch ends)."""
        doc = self.jobs[jid]["job"]["job"]
        steps, epochs = self.steps(jid), doc.get("epochs", 15)
        rnd = random.Random(hash((jid, step)))
        frac = step / steps
        loss = 2.2 + 3.0 * math.exp(-4.5 * frac) + rnd.uniform(-0.08, 0.08)
        lr = doc.get("optimizer", {}).get("lr", 0.1) * 0.5 * (1 + math.cos(math.pi * frac))
        ips = 5200 + rnd.uniform(-400, 400)
        batch = [self.metric(jid, "loss", step, round(loss, 4), t, False),
                 self.metric(jid, "lr", step, round(lr, 6), t, False),
                 self.metric(jid, "images_per_s", step, round(ips, 1), t, False)]
        epoch = math.ceil(step / self.steps_per_epoch)
        if step % self.steps_per_epoch == 0:
            knn = 0.55 + 0.25 * (1 - math.exp(-3 * frac)) + rnd.uniform(-0.01, 0.01)
            batch += [self.metric(jid, "knn_accuracy", step, round(knn, 4), t, False),
                      self.metric(jid, "linear_accuracy", step, round(knn + 0.03, 4), t, False),
                      self.metric(jid, "alignment", step, round(1.2 - 0.5 * frac, 4), t, False),
                      self.metric(jid, "uniformity", step, round(-1.5 - 1.8 * frac, 4), t, False)]
        if step % 10 == 0:
            # The loss's false-negative diagnostics (issue 11): rates near the class prior of 0.1.
            rates = [0.1, 0.1 + 0.25 * frac, 0.12 + 0.1 * frac, 0.02 + 0.05 * frac, 0.1 + 0.3 * frac]
            batch += [self.metric(jid, n, step, round(r + rnd.uniform(-0.01, 0.01), 4), t, False)
                      for n, r in zip(DIAGNOSTIC_NAMES, rates)]
            hist = self.histogram(step, epoch, frac, rnd)
            self.jobs[jid]["histograms"].append(hist)
            if emit:
                self.event(jid, "similarity_histogram", hist)
        job = self.jobs[jid]["job"]
        job["progress"] = {"epoch": epoch, "epochs": epochs, "step": step, "steps": steps,
                           "images_per_s": round(ips, 1), "eta_s": round((steps - step) * 0.25, 1)}
        if emit:
            self.event(jid, "metric", {"points": batch})
            self.event(jid, "progress", job["progress"])
            if step % 10 == 0:
                self.log(jid, f"epoch {epoch}/{epochs} step {step}/{steps} loss {loss:.4f} lr {lr:.5f} {ips:.0f} img/s")

    @staticmethod
    def histogram(step, epoch, frac, rnd):
        """Counts in 40 bins over [-1, 1]: positives move towards 1 as training goes on."""
        edges = [round(-1 + 2 * i / HIST_BINS, 4) for i in range(HIST_BINS + 1)]
        centres = [(edges[i] + edges[i + 1]) / 2 for i in range(HIST_BINS)]
        bump = lambda mu, sd, n: [int(n * math.exp(-((c - mu) / sd) ** 2 / 2)) + rnd.randint(0, 2) for c in centres]
        return {"step": step, "epoch": epoch, "bin_edges": edges,
                "positives": bump(0.3 + 0.5 * frac, 0.15, 80), "negatives": bump(0.0, 0.3, 900),
                "hard": bump(0.35, 0.12, 120), "synthetic": bump(0.25, 0.1, 60)}

    def projection(self, jid):
        """Ten Gaussian clusters that separate as training goes on, at the latest evaluation."""
        evals = self.jobs[jid]["metrics"]["knn_accuracy"]
        if not evals:
            return None
        step = evals[-1]["step"]
        frac = step / self.steps(jid)
        rnd = random.Random(hash((jid, "projection", step)))
        points = []
        for i in range(PROJECTION_POINTS):
            label = i % 10
            angle = 2 * math.pi * label / 10
            r = 1 + 4 * frac
            points.append({"index": i, "label": label, "x": round(r * math.cos(angle) + rnd.gauss(0, 1), 4),
                           "y": round(r * math.sin(angle) + rnd.gauss(0, 1), 4)})
        return {"method": "pca", "step": step, "explained_variance": [round(0.2 + 0.2 * frac, 4), round(0.1 + 0.1 * frac, 4)],
                "points": points, "class_names": [f"class {c}" for c in range(10)] if jid != "job-succeeded" else
                ["T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]}

    def item(self, jid, index, k):
        """A test item (a 28x28 image, or 16 values for a digits job) and k neighbours."""
        label = index % 10
        names = (self.projection(jid) or {}).get("class_names") or [f"class {c}" for c in range(10)]
        out = {"index": index, "label": label, "class_name": names[label]}
        if self.jobs[jid]["job"]["job"]["dataset"]["name"] == "digits":
            out["values"] = [round(math.sin(index + j), 4) for j in range(16)]
        else:
            out["image"] = {"width": 28, "height": 28, "channels": 1,
                            "pixels": [(x * 9 + y * 3 + index * 17) % 256 if (x - 14) ** 2 + (y - 14) ** 2 < 100 else 0
                                       for y in range(28) for x in range(28)]}
        out["neighbors"] = [{"index": 1000 + index * k + j, "label": label if j < k - 1 else (label + 1) % 10,
                             "class_name": names[label if j < k - 1 else (label + 1) % 10],
                             "similarity": round(0.95 - 0.05 * j, 4)} for j in range(k)]
        return out

    def finish(self, jid):
        m = self.jobs[jid]["metrics"]
        last = lambda n: m[n][-1]["value"] if m[n] else None
        job = self.jobs[jid]["job"]
        job["result"] = {
            "knn_accuracy": last("knn_accuracy"), "linear_accuracy": last("linear_accuracy"),
            "baseline_knn_accuracy": 0.7143, "baseline_linear_accuracy": 0.7521, "raw_knn_accuracy": 0.7608,
            "alignment": last("alignment"), "uniformity": last("uniformity"),
            "epochs": job["job"].get("epochs"), "steps": self.steps(jid), "seconds": 84.2, "final_loss": last("loss"),
        }
        # 10 classes, 100 test items each: the kNN classifier's confusions.
        matrix = [[(80 - 3 * i if i == j else (20 + 3 * i) // 9 + (1 if j == (i + 1) % 10 and (20 + 3 * i) % 9 else 0)) for j in range(10)]
                  for i in range(10)]
        job["result"]["confusion_matrix"] = matrix
        job["result"]["per_class_knn_accuracy"] = [round(row[i] / sum(row), 4) for i, row in enumerate(matrix)]
        job["result"]["test_count"] = sum(map(sum, matrix))
        self.set_status(jid, "succeeded")

    def tick(self):
        with self.cond:
            running = [j for j in self.order if self.jobs[j]["job"]["status"] == "running"]
            if not running:
                queued = [j for j in reversed(self.order) if self.jobs[j]["job"]["status"] == "queued"]
                if queued:
                    jid = queued[0]
                    self.set_status(jid, "running")
                    self.log(jid, f"attempt {self.jobs[jid]['job']['attempt']} started")
                    running = [jid]
            for jid in running:
                prog = self.jobs[jid]["job"]["progress"] or {"step": 0}
                step = prog["step"] + 1
                self.train_step(jid, step)
                if step >= self.steps(jid):
                    self.log(jid, "training finished")
                    self.finish(jid)


def make_fixtures(store):
    t0 = now() - timedelta(hours=2)
    with store.cond:
        doc = deep_merge(DEFAULTS, {"name": "fmnist-sscl-demo", "epochs": 10})
        jid = store.add_job(doc, "queued", t0, "job-succeeded")
        job = store.jobs[jid]["job"]
        job["started_at"] = rfc3339(t0 + timedelta(seconds=3))
        for step in range(1, store.steps(jid) + 1):
            store.train_step(jid, step, t0 + timedelta(seconds=3 + step * 0.2), emit=False)
            if step % 40 == 0:
                store.jobs[jid]["logs"].append({"id": len(store.jobs[jid]["logs"]) + 1,
                                                 "time": rfc3339(t0 + timedelta(seconds=3 + step * 0.2)),
                                                 "line": f"epoch {step // 40} done, loss {job['metrics']['loss']:.4f}"})
        store.finish(jid)
        job["finished_at"] = rfc3339(t0 + timedelta(seconds=90))

        doc = deep_merge(DEFAULTS, {"name": "digits-hcl-broken", "dataset": {"name": "digits"},
                                    "loss": {"kind": "hcl", "temperature": 0.2}, "epochs": 5})
        jid = store.add_job(doc, "queued", t0 + timedelta(minutes=20), "job-failed")
        store.jobs[jid]["job"]["attempt"] = 4
        store.jobs[jid]["job"]["started_at"] = rfc3339(t0 + timedelta(minutes=21))
        for step in range(1, 55):
            store.train_step(jid, step, t0 + timedelta(minutes=21, seconds=step), emit=False)
        store.log(jid, "worker exited with signal 9 (killed)")
        store.set_status(jid, "failed", {"code": "worker_crashed", "message": "the worker died 4 times (signal 9); max_restarts is 3"})

        doc = deep_merge(DEFAULTS, {"name": "digits-cnn-live", "dataset": {"name": "digits"},
                                    "model": {"encoder": "cnn"}, "loss": {"kind": "dcl"}, "epochs": 10})
        jid = store.add_job(doc, "queued", t0 + timedelta(minutes=50), "job-running")
        store.set_status(jid, "running")
        for step in range(1, 61):
            store.train_step(jid, step, emit=False)
        store.log(jid, "attempt 1 started")

        doc = deep_merge(DEFAULTS, {"name": "fmnist-ntxent-baseline", "loss": {"kind": "ntxent"}, "epochs": 3})
        store.add_job(doc, "queued", t0 + timedelta(minutes=55), "job-queued")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sscl-mock/1"

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    # -- plumbing ---------------------------------------------------------------------
    def send_json(self, status, body, headers=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, message, details=None):
        err = {"code": code, "message": message}
        if details:
            err["details"] = details
        self.send_json(status, {"error": err})

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def authorized(self):
        token = self.server.token
        if not token or self.headers.get("Authorization") == f"Bearer {token}":
            return True
        self.error(401, "unauthorized", "a bearer token is required")
        return False

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_DELETE(self):
        self.route("DELETE")

    def route(self, method):
        url = urllib.parse.urlsplit(self.path)
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        parts = [urllib.parse.unquote(p) for p in url.path.split("/") if p]
        if parts[:2] == ["__tests__", "hold"]:
            return self.hold()
        if parts[:2] == ["__tests__", "done"]:
            with self.server.done:
                self.server.done_count += 1
                self.server.done.notify_all()
            return self.send_json(204, None)
        if not parts or parts[0] != "v1":
            if method != "GET":
                return self.error(405, "method_not_allowed", "static files are GET only")
            return self.static(url.path)
        if not self.authorized():
            return
        if method == "POST":
            body = self.read_body()
            if body and "application/json" not in (self.headers.get("Content-Type") or ""):
                return self.error(415, "unsupported_media_type", "send application/json")
            self.body = body
        store = self.server.store
        with store.cond:
            if parts[1:] == ["jobs"] and method == "GET":
                return self.list_jobs(q)
            if parts[1:] == ["jobs"] and method == "POST":
                return self.submit(q)
            if parts[1:] == ["datasets"]:
                return self.send_json(200, {"datasets": DATASETS})
            if parts[1:] == ["defaults"]:
                return self.send_json(200, {"job": DEFAULTS})
            if len(parts) >= 3 and parts[1] == "jobs":
                jid = parts[2]
                if jid not in store.jobs:
                    return self.error(404, "not_found", f"no job {jid}")
                rest = parts[3:]
                if not rest and method == "GET":
                    return self.send_json(200, store.public(jid))
                if not rest and method == "DELETE":
                    if store.jobs[jid]["job"]["status"] not in FINISHED:
                        return self.error(409, "conflict", "only finished jobs can be deleted")
                    del store.jobs[jid]
                    store.order.remove(jid)
                    return self.send_json(204, None)
                if rest == ["metrics"]:
                    return self.metrics(jid, q)
                if rest == ["projection"]:
                    projection = store.projection(jid)
                    if projection is None:
                        return self.error(404, "not_found", "no projection before the first evaluation")
                    return self.send_json(200, projection)
                if len(rest) == 2 and rest[0] == "items":
                    if not rest[1].isdigit() or (q.get("split", "test") == "test" and int(rest[1]) >= PROJECTION_POINTS):
                        return self.error(404, "not_found", f"no test item {rest[1]}")
                    return self.send_json(200, store.item(jid, int(rest[1]), int(q.get("k") or 5)))
                if rest == ["similarity_histograms"]:
                    last = int(q.get("last") or 1)
                    return self.send_json(200, {"histograms": store.jobs[jid]["histograms"][-last:]})
                if rest == ["logs"]:
                    return self.send_json(200, {"lines": store.jobs[jid]["logs"]})
                if rest == ["cancel"] and method == "POST":
                    if store.jobs[jid]["job"]["status"] not in ("queued", "running"):
                        return self.error(409, "conflict", "the job is not queued or running")
                    store.log(jid, "cancel requested")
                    store.set_status(jid, "cancelled")
                    return self.send_json(200, store.public(jid))
                if rest == ["retry"] and method == "POST":
                    job = store.jobs[jid]["job"]
                    if job["status"] not in ("failed", "cancelled"):
                        return self.error(409, "conflict", "only failed or cancelled jobs can be retried")
                    job["attempt"] += 1
                    opts = json.loads(self.body or b"{}")
                    if opts.get("fresh"):
                        job["progress"] = None
                        store.jobs[jid]["metrics"] = {n: [] for n in METRIC_NAMES}
                    store.set_status(jid, "queued")
                    return self.send_json(200, store.public(jid))
                if rest in (["model.safetensors"], ["checkpoint"]):
                    data = (b"mock " + rest[0].encode() + b" of " + jid.encode() + b"\n")
                    self.send_response(200)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    return self.wfile.write(data)
            if len(parts) == 4 and parts[3] == "events" and parts[2] in store.jobs:
                pass
            else:
                return self.error(404, "not_found", "no such route")
        self.events(parts[2])

    # -- handlers -----------------------------------------------------------------------
    def list_jobs(self, q):
        store = self.server.store
        ids = [j for j in store.order if not q.get("status") or store.jobs[j]["job"]["status"] == q["status"]]
        start = int(q.get("cursor") or 0)
        limit = int(q.get("limit") or 50)
        page = ids[start:start + limit]
        nxt = str(start + limit) if start + limit < len(ids) else None
        self.send_json(200, {"jobs": [store.public(j) for j in page], "next_cursor": nxt})

    def submit(self, q):
        try:
            doc = json.loads(self.body)
        except ValueError as e:
            return self.error(400, "malformed_json", f"the body is not JSON: {e}")
        details = validate(doc)
        if details:
            return self.error(422, "invalid_job", f"{len(details)} invalid field(s)", details)
        resolved = deep_merge(DEFAULTS, doc)
        if q.get("dry_run") == "true":
            return self.send_json(200, {"job": resolved})
        store = self.server.store
        jid = store.add_job(resolved)
        self.send_json(201, store.public(jid), {"Location": f"/v1/jobs/{jid}"})

    def metrics(self, jid, q):
        series = self.server.store.jobs[jid]["metrics"]
        names = [q["name"]] if q.get("name") else METRIC_NAMES
        after = int(q.get("after_step") or -1)
        cap = int(q.get("max_points") or 0)
        out = []
        for n in names:
            pts = [p for p in series.get(n, []) if p["step"] > after]
            if cap and len(pts) > cap:
                stride = math.ceil(len(pts) / cap)
                pts = pts[::stride]
            if pts or q.get("name"):
                out.append({"name": n, "points": pts})
        self.send_json(200, {"metrics": out})

    def events(self, jid):
        store = self.server.store
        last = self.headers.get("Last-Event-ID")
        last = int(last) if last and last.isdigit() else 0
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            while True:
                with store.cond:
                    entry = store.jobs.get(jid)
                    if entry is None:
                        return
                    pending = [e for e in entry["events"] if e[0] > last]
                    finished = entry["job"]["status"] in FINISHED
                    if not pending and not finished:
                        store.cond.wait(timeout=10)
                        pending = [e for e in entry["events"] if e[0] > last]
                        finished = entry["job"]["status"] in FINISHED
                if not pending:
                    if finished:
                        return
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    continue
                buf = []
                for eid, kind, data in pending:
                    buf.append(f"id: {eid}\nevent: {kind}\ndata: {json.dumps(data)}\n\n")
                    last = eid
                self.wfile.write("".join(buf).encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return

    def hold(self):
        """Answers once a harness page posts /__tests__/done (or after 60 s): an iframe loading
        this keeps the harness page's load event, and so Chromium's --dump-dom, waiting."""
        with self.server.done:
            start = self.server.done_count
            self.server.done.wait_for(lambda: self.server.done_count > start, timeout=60)
        data = b"<!doctype html><title>done</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def static(self, path):
        root = os.path.realpath(self.server.public)
        rel = urllib.parse.unquote(path).lstrip("/") or "index.html"
        if rel.startswith("__tests__/"):
            root = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "harness"))
            rel = rel[len("__tests__/"):]
        full = os.path.realpath(os.path.join(root, rel))
        if not full.startswith(root + os.sep) or not os.path.isfile(full):
            return self.error(404, "not_found", "no such file")
        ctype = {".js": "text/javascript", ".css": "text/css", ".html": "text/html; charset=utf-8",
                 ".svg": "image/svg+xml"}.get(os.path.splitext(full)[1]) or mimetypes.guess_type(full)[0] or "application/octet-stream"
        with open(full, "rb") as f:
            data = f.read()
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(data)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8089)
    ap.add_argument("--public", default=os.path.join(here, "..", "..", "Public"))
    ap.add_argument("--token", default=None)
    ap.add_argument("--tick", type=float, default=0.25, help="seconds per simulated training step")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    store = Store()
    make_fixtures(store)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    server.store, server.public, server.token, server.verbose = store, args.public, args.token, args.verbose
    server.done, server.done_count = threading.Condition(), 0

    def simulate():
        while True:
            time.sleep(args.tick)
            store.tick()

    threading.Thread(target=simulate, daemon=True).start()
    print(f"listening on http://{args.host}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
