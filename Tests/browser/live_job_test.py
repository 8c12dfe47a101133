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
import json
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Chromium, browser_arguments, run_against_serve  # noqa: E402

JOB = {
    "dataset": {"name": "fashion-mnist-mini", "train_limit": 256},
    "model": {"hidden": [32], "projection": [16, 8]},
    "loss": {"kind": "sscl", "hard_pool": 8, "synthetic": 4},
    "batch_size": 32, "eval": {"knn_k": 10, "linear_probe": False},
}

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
    ap = browser_arguments(__doc__)
    ap.add_argument("--quiet-seconds", type=float, default=30)
    ap.add_argument("--freeze-seconds", type=float, default=46, help="0 skips the frozen-stream phase")
    args = ap.parse_args()
    return run_against_serve(args, "sscl-live-", watch)


def watch(args, check, serve, browsers):
    base, server = serve.base, serve.process

    def http(method, url, body=None):
        return serve.api(method, url[len(base):], body)[1]

    blocker = http("POST", f"{base}/v1/jobs", {**JOB, "name": "blocker", "epochs": 12})
    job = http("POST", f"{base}/v1/jobs", {**JOB, "name": "watched", "epochs": 160})  # long enough to watch grow after the freeze, on a fast kernel too
    jid = job["id"]
    check(job["status"] == "queued", f"the watched job waits behind {blocker['id']}")

    browser = Chromium(args.chromium, os.path.join(serve.work, "profile"))
    browsers.append(browser)
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
    print(f"(finished {time.time() - finished_at:.0f} s ago)")


if __name__ == "__main__":
    sys.exit(main())
