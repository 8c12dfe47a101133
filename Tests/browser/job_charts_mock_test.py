#!/usr/bin/env python3
"""job_charts_test.py's checks against mock_server.py, for the parts of issue 11 the real server
may not serve yet (projection, items, per-class results, diagnostics), plus the diagnostics
following a running job live over the event stream.

    Tests/browser/job_charts_mock_test.py [--chromium PATH]
Prints one "ok"/"FAIL" line per check, then "N passed, M failed"; exits 1 on any failure.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from cdp import Checks, Chromium, wait_for  # noqa: E402
import job_charts_test as charts  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser"))
    args = ap.parse_args()
    check = Checks()
    mock = subprocess.Popen([sys.executable, os.path.join(HERE, "mock_server.py"), "--port", "0", "--tick", "0.2"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    base = mock.stdout.readline().strip().split()[-1]

    def api(method, path, body=None):
        req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
        try:
            with urllib.request.urlopen(req, timeout=10) as res:
                return res.status, json.loads(res.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, None

    profile = tempfile.mkdtemp(prefix="sscl-charts-mock-chromium-")
    downloads = tempfile.mkdtemp(prefix="sscl-charts-mock-downloads-")
    browser = Chromium(args.chromium, profile)
    try:
        # First, while it still waits behind the running job: a queued job has no diagnostics nor representation.
        browser.open(f"{base}/#/jobs/job-queued")
        wait_for(browser, "document.querySelector('[data-testid=job-status]')", 10)
        time.sleep(0.5)
        check(browser.evaluate("document.querySelector('[data-testid=job-status]').dataset.status === 'queued' && "
                               "document.querySelector('[data-testid=diagnostics]').hidden && "
                               "document.querySelector('[data-testid=representation]').hidden"),
              "a queued job shows neither diagnostics nor the representation")

        _, job = api("GET", "/v1/jobs/job-succeeded")
        _, m = api("GET", "/v1/jobs/job-succeeded/metrics")
        metrics = {s["name"]: s["points"] for s in m["metrics"]}
        browser.open(f"{base}/#/jobs/job-succeeded")
        charts.check_charts(check, browser, metrics, job["progress"])
        charts.check_csv(check, browser, m["metrics"], job["progress"], downloads)
        charts.check_representation(check, browser, api, "job-succeeded", job["result"])
        charts.check_diagnostics(check, browser, api, "job-succeeded", metrics)
        names = browser.evaluate("[...document.querySelectorAll('[data-testid=projection-legend] li')].map((li) => li.textContent)")
        check(bool(names) and names[0].startswith("T-shirt"), f"the legend names the classes from the projection ({(names or [''])[0]})")

        # A running job: the histogram and the fn_* curves follow the stream; the scatter refreshes.
        browser.open(f"{base}/#/jobs/job-running")
        first = wait_for(browser, "document.querySelector('[data-testid=similarity-histogram]')?.dataset.step", 20)
        later = wait_for(browser, f"(() => {{ const s = document.querySelector('[data-testid=similarity-histogram]').dataset.step;"
                                  f" return Number(s) > {int(first or 0)} && s; }})()", 20)
        check(first and later, f"the histogram view follows the stream (step {first} then {later})")
        set_input = charts.set_input
        set_input(browser, "histogram-step", "0", "input")
        pinned = browser.evaluate("document.querySelector('[data-testid=similarity-histogram]').dataset.step")
        time.sleep(1.5)
        check(browser.evaluate("document.querySelector('[data-testid=similarity-histogram]').dataset.step") == pinned,
              f"moved back to step {pinned}, the view stays there while newer histograms arrive")
        count = browser.evaluate("document.querySelector('[data-testid=histogram-step]').max")
        set_input(browser, "histogram-step", count, "input")
        newest = wait_for(browser, f"(() => {{ const s = document.querySelector('[data-testid=similarity-histogram]').dataset.step;"
                                   f" return Number(s) > {int(later or 0)} && s; }})()", 20)
        check(newest, f"at the end again it follows the stream (step {newest})")
        held = browser.evaluate("Number(document.querySelector('[data-testid=chart-diagnostics]').dataset.held)")
        grown = wait_for(browser, f"Number(document.querySelector('[data-testid=chart-diagnostics]').dataset.held) > {held}", 20)
        check(grown, "the diagnostics chart grows live")
        step0 = browser.evaluate("document.querySelector('[data-testid=projection]').dataset.step")
        newer = wait_for(browser, f"(() => {{ const s = document.querySelector('[data-testid=projection]').dataset.step;"
                                  f" return s !== {json.dumps(step0)} && s; }})()", 30)
        check(newer, f"the projection is read again after an evaluation (step {step0} then {newer})")
        dot = browser.evaluate("""(() => { const c = document.querySelector('[data-testid=projection] .scatter-dots circle');
          c.scrollIntoView({ block: 'center' }); const r = c.getBoundingClientRect();
          return { x: r.left + r.width / 2, y: r.top + r.height / 2 }; })()""")
        charts.hover(browser, dot["x"], dot["y"])
        values = wait_for(browser, "document.querySelectorAll('[data-testid=item-values] tr').length", 10)
        check(values == 16, f"a row item (the digits job) shows its values ({values} rows)")

    except Exception as e:
        check(False, f"the test ran to its end ({type(e).__name__}: {e})")
    finally:
        browser.close()
        mock.terminate()
        mock.wait()
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(downloads, ignore_errors=True)
    return check.finish()


if __name__ == "__main__":
    sys.exit(main())
