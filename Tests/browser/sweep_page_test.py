#!/usr/bin/env python3
"""The sweep page in a real headless Chromium against the real `sscl serve` while a sweep trains.

    Tests/browser/sweep_page_test.py --sscl .build/debug/sscl [--repo .]

Starts `sscl serve`, submits through the API a small sweep (fashion-mnist-mini with train_limit,
a tiny model, 3 epochs; 2 configurations x 2 seeds, one trial at a time), plus a lone job and a
second sweep (both cancelled at once) that the filtered job list must leave out. Opens
#/sweeps/{id} right away and checks, without reloading the page:
  - the leaderboard has one row per configuration, and its seeds-finished counts grow to 2;
  - each row has its error bar drawn at the API's mean and 95% CI; the best row is highlighted;
    the other shows a p-value;
  - the scatter has one point per finished trial, for each parameter;
  - the curves chart has one line per trial of the top configurations;
  - once the sweep has finished the page says so and stops reading it;
  - the trials link opens the job list filtered by the sweep, which shows exactly its trials,
    each tagged with the sweep; the CSV link is the API's results.csv;
  - the sweeps list shows the sweep, and the new-sweep page previews the trials of a dry run;
  - a running sweep is cancelled from its page's button.
Prints one "ok"/"FAIL" line per check, then "N passed, M failed"; exits 1 on any failure.
"""
import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Chromium, browser_arguments, run_against_serve, wait_for  # noqa: E402

BASE_JOB = {
    "name": "ui-trial",
    "dataset": {"name": "fashion-mnist-mini", "train_limit": 256},
    "model": {"hidden": [32], "projection": [16, 8]},
    "loss": {"kind": "sscl", "hard_pool": 8, "synthetic": 4},
    "epochs": 3, "batch_size": 32, "eval": {"knn_k": 10, "linear_probe": False, "every_epochs": 1},
}
SWEEP = {"name": "ui-sweep", "base": BASE_JOB, "parameters": {"loss.beta": {"values": [0.5, 2]}},
         "seeds": [0, 1], "max_concurrent": 1}
OTHER = {"name": "other-sweep", "base": {**BASE_JOB, "epochs": 200}, "parameters": {"loss.beta": {"values": [1]}},
         "seeds": [0, 1], "max_concurrent": 1}

STATE_JS = """(() => {
  const rows = [...document.querySelectorAll('[data-testid=leaderboard-row]')];
  return JSON.stringify({
    status: document.querySelector('[data-testid=sweep-status]')?.dataset.status ?? null,
    rows: rows.map((r) => ({
      configuration: Number(r.dataset.configuration), finished: Number(r.dataset.finishedSeeds),
      best: r.dataset.best === 'true', highlighted: r.classList.contains('is-best'),
      p: r.querySelector('[data-testid=p-value]')?.textContent ?? '',
      bar: (() => { const b = r.querySelector('[data-testid=error-bar]'); return b ? {
        mean: b.dataset.mean === undefined ? null : Number(b.dataset.mean),
        lo: b.dataset.lo === undefined ? null : Number(b.dataset.lo), hi: b.dataset.hi === undefined ? null : Number(b.dataset.hi),
        dot: !!b.querySelector('circle.error-bar-mean'), whiskers: b.querySelectorAll('.error-bar-ci line').length } : null; })(),
    })),
    scatters: [...document.querySelectorAll('[data-testid=scatter]')].map((s) => ({
      parameter: s.dataset.parameter, points: s.querySelectorAll('[data-testid=scatter-point]').length,
      trials: [...s.querySelectorAll('[data-testid=scatter-point]')].map((c) => c.dataset.trial).sort() })),
    curves: document.querySelectorAll('[data-testid=sweep-curves] path.chart-line').length,
    curvePoints: Number(document.querySelector('[data-testid=sweep-curves]')?.dataset.held ?? 0),
    live: document.querySelector('[data-testid=sweep-live]')?.dataset.live ?? null,
    marker: window.__ssclNoReload === true,
  });
})()"""


def main():
    args = browser_arguments(__doc__).parse_args()
    return run_against_serve(args, "sscl-sweep-ui-", watch)


def watch(args, check, serve, browsers):
    status, lone = serve.api("POST", "/v1/jobs", {**BASE_JOB, "name": "lone", "epochs": 200})
    check(status == 201, "a lone job is queued")
    status, other = serve.api("POST", "/v1/sweeps", OTHER)
    check(status == 201, "a second sweep is queued")
    status, sweep = serve.api("POST", "/v1/sweeps", SWEEP)
    check(status == 201, f"the sweep is queued ({status})")
    sid = sweep["id"]
    serve.api("POST", f"/v1/jobs/{lone['id']}/cancel", {})
    serve.api("POST", f"/v1/sweeps/{other['id']}/cancel")

    browser = Chromium(args.chromium, os.path.join(serve.work, "profile"))
    browsers.append(browser)
    browser.open(f"{serve.base}/#/sweeps/{sid}")
    rows = wait_for(browser, "document.querySelectorAll('[data-testid=leaderboard-row]').length", timeout=60)
    check(rows == 2, f"the leaderboard shows one row per configuration ({rows})")
    browser.evaluate("window.__ssclNoReload = true")

    totals = []
    state = {}
    deadline = time.time() + 400
    while time.time() < deadline:
        state = json.loads(browser.evaluate(STATE_JS))
        totals.append(sum(r["finished"] for r in state["rows"]))
        if state["rows"] and all(r["finished"] == 2 for r in state["rows"]) and state["live"] == "false":
            break
        time.sleep(0.5)
    _, api = serve.api("GET", f"/v1/sweeps/{sid}")
    check(api["status"] == "finished", f"the sweep finished ({api['status']})")
    check(state.get("marker") is True, "the page was never reloaded")
    check(totals and totals[0] < 4 and max(totals) == 4,
          f"the seeds-finished counts grew to 2 per configuration while watching (totals seen {sorted(set(totals))})")
    check(all(r["finished"] == 2 for r in state["rows"]), f"every row says 2 seeds finished ({[r['finished'] for r in state['rows']]})")
    check(state["status"] == "finished", f"the page shows the sweep finished ({state['status']})")

    board = {r["configuration"]: r for r in api["leaderboard"]}
    bars_ok = True
    for r in state["rows"]:
        want = board[r["configuration"]]
        bar = r["bar"] or {}
        lo, hi = want["ci95"]
        bars_ok &= bar.get("dot") is True and bar.get("whiskers") == 3
        bars_ok &= abs(bar.get("mean", 1e9) - want["mean"]) < 1e-9 and abs(bar.get("lo", 1e9) - lo) < 1e-9 and abs(bar.get("hi", 1e9) - hi) < 1e-9
    check(bars_ok, "each row's error bar is drawn at the API's mean and 95% CI")
    best = [r["configuration"] for r in state["rows"] if r["best"]]
    want_best = [r["configuration"] for r in api["leaderboard"] if r["best"]]
    check(best == want_best and all(r["highlighted"] == r["best"] for r in state["rows"]),
          f"the best configuration ({want_best}) is the one highlighted ({best})")
    others = [r for r in state["rows"] if not r["best"]]
    check(all(r["p"] not in ("", "—") for r in others), f"the other configuration shows its p-value ({[r['p'] for r in others]})")
    check([r["configuration"] for r in state["rows"]] == [r["configuration"] for r in api["leaderboard"]],
          "rows are in the API's ranking order")

    finished = sorted(t["id"] for t in api["trials"] if t["status"] == "succeeded" and isinstance(t["metric"], (int, float)))
    check(len(finished) == 4, f"all 4 trials succeeded with a metric ({len(finished)})")
    check(len(state["scatters"]) == 1 and all(s["trials"] == finished for s in state["scatters"]),
          f"the scatter has one point per finished trial ({[s['points'] for s in state['scatters']]} of {len(finished)})")
    # The curves' last metrics requests may still be in flight when the page says it has finished.
    points = 0
    for trial in api["trials"]:
        _, series = serve.api("GET", f"/v1/jobs/{trial['id']}/metrics?name=knn_accuracy")
        points += sum(len(m["points"]) for m in series["metrics"])
    drawn = wait_for(browser, "(() => { const c = document.querySelector('[data-testid=sweep-curves]');"
                              " return JSON.stringify([c.querySelectorAll('path.chart-line').length, Number(c.dataset.held)]); })()"
                              f" === '[4,{points}]'", timeout=20)
    check(drawn is True and points >= 4,
          f"the curves chart draws one line per trial of the top configurations, with all {points} kNN points ({state['curves']} lines, "
          f"{state['curvePoints']} points when it finished)")

    check(state["live"] == "false", "the page says it stopped refreshing once the sweep finished")
    before = len(browser.requests(f"/v1/sweeps/{sid}"))
    time.sleep(6)
    browser.evaluate("1")  # drains the events that arrived while sleeping
    after = len(browser.requests(f"/v1/sweeps/{sid}"))
    check(after == before, f"no request for the sweep after it finished ({after - before} in 6 s)")

    href = browser.evaluate("document.querySelector('[data-testid=sweep-results]')?.getAttribute('href')")
    check(href == f"/v1/sweeps/{sid}/results.csv", f"the CSV link is the API's results.csv ({href})")
    with urllib.request.urlopen(serve.base + href, timeout=30) as res:
        lines = res.read().decode().strip().split("\n")
    check(len(lines) == 5, f"results.csv has a header and one row per trial ({len(lines)} lines)")

    browser.evaluate("document.querySelector('[data-testid=sweep-trials-link]').click()")
    hash_ = wait_for(browser, f"location.hash.startsWith('#/jobs?sweep={sid}') && location.hash", timeout=10)
    check(hash_ == f"#/jobs?sweep={sid}", f"the trials link opens the job list filtered by the sweep ({hash_})")
    trial_ids = sorted(t["id"] for t in api["trials"])
    listed = wait_for(browser, """(() => { const ids = [...document.querySelectorAll('[data-testid=job-row]')].map((r) => r.dataset.jobId);
      return ids.length ? JSON.stringify(ids) : null; })()""", timeout=20)
    listed = sorted(json.loads(listed or "[]"))
    check(listed == trial_ids, f"the filtered job list shows exactly the sweep's {len(trial_ids)} trials ({len(listed)} rows)")
    tags = json.loads(browser.evaluate("""JSON.stringify([...document.querySelectorAll('[data-testid=job-row]')].map((r) =>
      r.querySelector('[data-testid=job-sweep]')?.dataset.sweepId ?? null))"""))
    check(tags == [sid] * len(trial_ids), "each trial row shows its sweep")
    selected = wait_for(browser, f"document.querySelector('[data-testid=sweep-filter]')?.value === '{sid}' && "
                                 f"document.querySelector('[data-testid=sweep-filter] option[value=\"{sid}\"]')?.textContent", timeout=10)
    check(bool(selected) and "ui-sweep" in selected, f"the sweep filter shows the sweep selected ({selected})")

    browser.evaluate("location.hash = '#/sweeps'")
    listed = wait_for(browser, """(() => { const rows = [...document.querySelectorAll('[data-testid=sweep-row]')];
      return rows.length ? JSON.stringify(rows.map((r) => [r.dataset.sweepId, r.dataset.status])) : null; })()""", timeout=20)
    check(listed and [sid, "finished"] in json.loads(listed) and [other["id"], "cancelled"] in json.loads(listed),
          f"the sweeps list shows both sweeps with their status ({listed})")

    browser.evaluate("location.hash = '#/sweeps/new'")
    wait_for(browser, "document.querySelector('[data-testid=sweep-editor]')", timeout=10)
    preview = {**SWEEP, "parameters": {"loss.beta": {"values": [0.5, 1, 2]}}, "seeds": [0, 1, 2]}
    browser.evaluate(f"document.querySelector('[data-testid=sweep-editor]').value = {json.dumps(json.dumps(preview))}")
    browser.evaluate("document.querySelector('[data-testid=sweep-dry-run]').click()")
    rows = wait_for(browser, "document.querySelectorAll('[data-testid=sweep-preview-row]').length", timeout=20)
    check(rows == 9, f"the dry-run preview lists 3 configurations x 3 seeds ({rows} rows)")
    _, sweeps = serve.api("GET", "/v1/sweeps")
    check(len(sweeps["sweeps"]) == 2, "the preview queued nothing")

    # Cancel from the page: a long sweep stops, and the page follows it until its trial has stopped.
    _, long = serve.api("POST", "/v1/sweeps", {**OTHER, "name": "long-sweep"})
    browser.evaluate(f"location.hash = '#/sweeps/{long['id']}'")
    enabled = wait_for(browser, "document.querySelector('[data-testid=sweep-status]')?.dataset.status === 'running'"
                                " && !document.querySelector('[data-testid=sweep-cancel]').disabled", timeout=20)
    check(enabled is True, "a running sweep's page offers cancel")
    browser.evaluate("document.querySelector('[data-testid=sweep-cancel]').click()")
    shown = wait_for(browser, "document.querySelector('[data-testid=sweep-status]')?.dataset.status === 'cancelled'"
                              " && document.querySelector('[data-testid=sweep-cancel]').disabled", timeout=20)
    _, after = serve.api("GET", f"/v1/sweeps/{long['id']}")
    check(shown is True and after["status"] == "cancelled", f"cancel from the page ends the sweep ({after['status']})")
    stopped = wait_for(browser, "document.querySelector('[data-testid=sweep-live]')?.dataset.live === 'false'", timeout=60)
    _, after = serve.api("GET", f"/v1/sweeps/{long['id']}")
    check(stopped is True and all(t["status"] == "cancelled" for t in after["trials"]),
          f"the page stops refreshing once every trial has stopped ({[t['status'] for t in after['trials']]})")


if __name__ == "__main__":
    sys.exit(main())
