#!/usr/bin/env python3
"""The job page in a real headless Chromium against the real `sscl serve` while jobs train.

    Tests/browser/live_job_test.py --sscl .build/debug/sscl [--repo .] [--quiet-seconds 30]

Starts `sscl serve` on a free port with a temporary database, submits a job that holds the only
training slot and a second job that waits behind it, and opens the second job's page before it
starts. Chromium is driven over the DevTools protocol on a pipe (--remote-debugging-pipe: no
WebSocket library needed). Checks, without ever reloading the page:
  - the page shows queued -> running -> succeeded, with started/finished times filled in;
  - progress and the loss chart grow while the job runs;
  - the first /events request continues after the REST snapshot (Last-Event-ID);
  - after the finish the page sends no request to /events for --quiet-seconds;
  - the loss chart holds exactly the job's loss points (no duplicates after the catch-up);
  - with the server frozen (SIGSTOP) for --freeze-seconds while the job runs, the page says it
    has heard nothing and is polling, and drops the ETA; after SIGCONT it is live again.
Prints one "ok"/"FAIL" line per check, then "N passed, M failed"; exits 1 on any failure.
"""
import argparse
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

JOB = {
    "dataset": {"name": "fashion-mnist-mini", "train_limit": 256},
    "model": {"hidden": [32], "projection": [16, 8]},
    "loss": {"kind": "sscl", "hard_pool": 8, "synthetic": 4},
    "batch_size": 32, "eval": {"knn_k": 10, "linear_probe": False},
}

passed = 0
failed = 0


def check(ok, label):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
    print(f"{'ok  ' if ok else 'FAIL'} - {label}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as res:
        return json.loads(res.read() or b"null")


class Chromium:
    """A headless Chromium driven over --remote-debugging-pipe (fd 3 in, fd 4 out, NUL-framed JSON)."""

    def __init__(self, binary, profile):
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()

        # Moved above fd 10 first: dup2 onto itself (a pipe already on fd 3 or 4) would leave
        # close-on-exec set, and one end on the other's target would be overwritten.
        high_r, high_w = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10), fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        to_chrome_r, from_chrome_w = high_r, high_w

        def wire():
            os.dup2(to_chrome_r, 3)  # dup2 clears close-on-exec on the new descriptor
            os.dup2(from_chrome_w, 4)

        self.proc = subprocess.Popen(
            [binary, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--disable-extensions", "--disable-background-networking",
             f"--user-data-dir={profile}", "--window-size=1280,900", "about:blank"],
            preexec_fn=wire, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.session = None

    def _read_message(self):
        while b"\0" not in self.buffer:
            chunk = os.read(self.from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method, params=None, session=True):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def open(self, url):
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)["sessionId"]
        self.send("Network.enable")
        self.send("Page.enable")
        self.send("Page.navigate", {"url": url})

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result.get("result", {}).get("value")

    def requests(self, needle):
        """Requests the page sent whose URL contains `needle`: (time, headers)."""
        return [(e["params"]["wallTime"], e["params"]["request"].get("headers", {}))
                for e in self.events
                if e.get("method") == "Network.requestWillBeSent" and needle in e["params"]["request"]["url"]]

    def navigations(self):
        return [e for e in self.events if e.get("method") == "Page.frameNavigated"]

    def close(self):
        self.proc.kill()
        self.proc.wait()


STATE_JS = """(() => {
  const q = (s) => document.querySelector(s);
  const dd = (label) => [...document.querySelectorAll('.facts div')].find((d) => d.querySelector('dt')?.textContent === label)?.querySelector('dd')?.textContent;
  const chart = q('[data-testid=chart-loss]');
  return JSON.stringify({
    status: q('[data-testid=job-status]')?.dataset.status ?? null,
    started: dd('Started') ?? null, finished: dd('Finished') ?? null,
    progress: q('[data-testid=progress]')?.getAttribute('aria-valuenow') ?? null,
    progressText: q('.progress-text')?.textContent ?? '',
    loss: Number(chart?.dataset.held ?? 0),
    live: q('[data-testid=stream-state]')?.textContent ?? '',
    marker: window.__ssclNoReload === true,
  });
})()"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sscl", required=True)
    ap.add_argument("--repo", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser"))
    ap.add_argument("--quiet-seconds", type=float, default=30)
    ap.add_argument("--freeze-seconds", type=float, default=46, help="0 skips the frozen-stream phase")
    args = ap.parse_args()
    if not args.chromium:
        print("FAIL - no chromium (apt-get install -y chromium)\n0 passed, 1 failed")
        return 1
    work = tempfile.mkdtemp(prefix="sscl-live-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(os.path.join(work, "serve.log"), "w")
    server = subprocess.Popen(
        [args.sscl, "serve", "--port", str(port), "--db", os.path.join(work, "sscl.db"),
         "--runs-dir", os.path.join(work, "runs"), "--data-dir", os.path.join(work, "data"),
         "--public-dir", os.path.join(args.repo, "Public"), "--migrations", os.path.join(args.repo, "migrations")],
        stdout=log, stderr=subprocess.STDOUT)
    browser = None
    try:
        for _ in range(200):
            try:
                http("GET", f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.1)
        blocker = http("POST", f"{base}/v1/jobs", {**JOB, "name": "blocker", "epochs": 12})
        job = http("POST", f"{base}/v1/jobs", {**JOB, "name": "watched", "epochs": 160})  # long enough to watch grow after the freeze, on a fast kernel too
        jid = job["id"]
        check(job["status"] == "queued", f"the watched job waits behind {blocker['id']}")

        browser = Chromium(args.chromium, os.path.join(work, "profile"))
        browser.open(f"{base}/#/jobs/{jid}")
        seen, losses, progress = [], [], []
        state = {}
        deadline = time.time() + 240 + args.freeze_seconds
        marked = False
        froze = False
        while time.time() < deadline:
            raw = browser.evaluate(STATE_JS)
            state = json.loads(raw) if raw else {}
            if not marked and state.get("status"):
                browser.evaluate("window.__ssclNoReload = true")
                marked = True
            if state.get("status") and (not seen or seen[-1] != state["status"]):
                seen.append(state["status"])
            if state.get("status") == "running" and args.freeze_seconds > 0 and state["loss"] >= 40 and not froze:
                froze = True
                server.send_signal(signal.SIGSTOP)
                time.sleep(args.freeze_seconds)
                frozen = json.loads(browser.evaluate(STATE_JS))
                server.send_signal(signal.SIGCONT)
                check("no updates" in frozen["live"] and "polling" in frozen["live"],
                      f"a frozen stream is shown as such ({frozen['live']!r})")
                check("ETA" not in frozen["progressText"], f"no ETA while nothing is heard ({frozen['progressText']!r})")
                for _ in range(100):
                    again = json.loads(browser.evaluate(STATE_JS))
                    if "live" in again["live"] and "no updates" not in again["live"]:
                        break
                    time.sleep(0.2)
                check("● live" in again["live"], f"live again after the server resumes ({again['live']!r})")
                continue
            if state.get("status") == "running":
                losses.append(state["loss"])
                if state.get("progress") is not None:
                    progress.append(float(state["progress"]))
            if state.get("status") == "succeeded":
                break
            time.sleep(0.2)
        finished_at = time.time()
        check(seen[:1] == ["queued"], f"the page first shows queued (saw {seen})")
        check("running" in seen and seen[-1] == "succeeded" and seen.index("running") < len(seen) - 1,
              f"then running, then succeeded, without a reload (saw {seen})")
        check(state.get("marker") is True and len(browser.navigations()) <= 1, "the page was never reloaded")
        check(state.get("started") not in (None, "—") and state.get("finished") not in (None, "—"),
              f"started and finished times are shown ({state.get('started')!r}, {state.get('finished')!r})")
        check(state.get("progress") == "100", f"the progress bar reaches 100% ({state.get('progressText')!r})")
        check("queue position" not in state.get("progressText", ""), "no queue position once it ran")
        check(len(set(p for p in progress)) >= 3 and progress == sorted(progress),
              f"progress grows live ({len(set(progress))} distinct values)")
        check(len(set(losses)) >= 3 and losses == sorted(losses), f"the loss chart grows live ({sorted(set(losses))[:3]}...)")

        events = browser.requests(f"/v1/jobs/{jid}/events")
        check(len(events) >= 1, f"the page followed the event stream ({len(events)} requests)")
        if events:
            headers = {k.lower(): v for k, v in events[0][1].items()}
            check("last-event-id" in headers, f"the first /events request continues after the REST snapshot ({headers.get('last-event-id')})")
        before = len(events)
        time.sleep(args.quiet_seconds)
        after = len(browser.requests(f"/v1/jobs/{jid}/events"))
        check(after == before, f"no /events request in the {args.quiet_seconds:.0f} s after the finish ({after - before})")
        live = json.loads(browser.evaluate(STATE_JS))["live"]
        check("reconnecting" not in live and "polling" not in live, f"the stream state is settled ({live!r})")

        rest = http("GET", f"{base}/v1/jobs/{jid}/metrics?name=loss")
        points = rest["metrics"][0]["points"] if rest["metrics"] else []
        steps = {p["step"] for p in points}
        held = json.loads(browser.evaluate(STATE_JS))["loss"]
        check(held == len(points) == len(steps) and held > 0,
              f"the loss chart holds each of the job's {len(points)} loss points once (holds {held})")
        print(f"(finished {time.time() - finished_at:.0f} s ago; serve log in {work}/serve.log)")
    except Exception as error:  # a crash of the harness is a failure, with its reason
        check(False, f"harness crashed: {error!r}")
    finally:
        if browser:
            browser.close()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        if failed == 0:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
