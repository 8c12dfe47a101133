#!/usr/bin/env python3
"""The job page's charts, projection, per-class views and diagnostics in a real headless
Chromium against the real `sscl serve` with a finished job.

    Tests/browser/job_charts_test.py --sscl .build/debug/sscl [--repo .] [--chromium PATH]

Trains one small job to the end, opens its page and, with the user's own gestures (clicks,
a mouse drag, the slider and the select), checks:
  - log scale: the y axis of the learning-rate chart becomes logarithmic (tick height affine in
    log10 of the value) and back;
  - smoothing: a smoothed loss curve over a faint raw one, smoother than the raw one; off again;
  - zoom: dragging across the loss chart shows only the dragged step range; reset restores it;
  - x axis: epoch (the last step is the last epoch), time (seconds since the first point, from
    the points' own times), step again;
  - CSV: the downloaded file holds exactly the API's points (name, step, time, value) and the
    epoch of each;
and, when the server serves them (issue 11's other endpoints), the projection scatter (one dot
per projected point, hover shows the item and its neighbours), the per-class kNN accuracy and
confusion matrix (cells sum to the test count) and the diagnostics.
Prints one "ok"/"FAIL" line per check, then "N passed, M failed"; exits 1 on any failure.
"""
import csv
import glob
import json
import math
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Checks, Chromium, Serve, browser_arguments, wait_for  # noqa: E402

JOB = {
    "name": "charts-test",
    "dataset": {"name": "fashion-mnist-mini", "train_limit": 256},
    "model": {"hidden": [32], "projection": [16, 8]},
    "loss": {"kind": "sscl", "hard_pool": 8, "synthetic": 4},
    "epochs": 6, "batch_size": 32, "eval": {"every_epochs": 2, "knn_k": 10, "linear_probe": False},
}


def js(value):
    return json.dumps(value)


def svg_state(browser, testid):
    """The chart's data attributes and its drawn paths."""
    return browser.evaluate(f"""(() => {{
      const svg = document.querySelector('[data-testid={testid}]');
      if (!svg) return null;
      const nums = (d) => (d.match(/-?[0-9.]+/g) || []).map(Number);
      const paths = (sel) => [...svg.querySelectorAll(sel)].map((p) => {{
        const n = nums(p.getAttribute('d'));
        return {{ x: n.filter((_, i) => i % 2 === 0), y: n.filter((_, i) => i % 2 === 1), points: p.dataset.points }};
      }});
      return {{ ...svg.dataset, lines: paths('path.chart-line:not(.chart-raw)'), raw: paths('path.chart-raw'),
        smooth: paths('path.chart-smooth'),
        yticks: [...svg.querySelectorAll('text.chart-ytick')].map((t) => [Number(t.dataset.value), Number(t.getAttribute('y'))]),
        reset: !document.querySelector('[data-testid={testid}-reset]').hidden }};
    }})()""")


def affine_residual(xs, ys):
    """The largest distance of (x, y) from their least-squares line."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0
    return max(abs(y - (my + slope * (x - mx))) for x, y in zip(xs, ys))


def variation(ys):
    return sum(abs(b - a) for a, b in zip(ys, ys[1:]))


def set_input(browser, testid, value, event):
    browser.evaluate(f"""(() => {{ const el = document.querySelector('[data-testid={testid}]');
      el.value = {js(value)}; el.dispatchEvent(new Event({js(event)}, {{ bubbles: true }})); }})()""")


def click(browser, testid):
    browser.evaluate(f"document.querySelector('[data-testid={testid}]').click()")


def drag(browser, testid, from_fraction, to_fraction):
    """A left-button drag across the chart's plot, at fractions of the svg's width."""
    box = browser.evaluate(f"""(() => {{ const el = document.querySelector('[data-testid={testid}]');
      el.scrollIntoView({{ block: 'center' }}); const r = el.getBoundingClientRect();
      return {{ left: r.left, top: r.top, width: r.width, height: r.height }}; }})()""")
    y = box["top"] + box["height"] / 2
    x0 = box["left"] + box["width"] * from_fraction
    x1 = box["left"] + box["width"] * to_fraction
    mouse = lambda kind, x, **extra: browser.send("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, **extra})
    mouse("mouseMoved", x0)
    mouse("mousePressed", x0, button="left", buttons=1, clickCount=1)
    for i in range(1, 6):
        mouse("mouseMoved", x0 + (x1 - x0) * i / 5, button="left", buttons=1)
    mouse("mouseReleased", x1, button="left", buttons=0, clickCount=1)


def hover(browser, x, y):
    browser.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})


def check_charts(check, browser, metrics, progress):
    """Log scale, smoothing, zoom, x axis on a finished job's charts. metrics: the API's series."""
    loss = metrics["loss"]
    steps = [p["step"] for p in loss]
    check(wait_for(browser, f"document.querySelector('[data-testid=chart-loss]')?.dataset.held === '{len(loss)}'", 30),
          f"the loss chart holds the job's {len(loss)} loss points")

    # Log scale, on the learning rate (a cosine schedule spans decades).
    lr = [p["value"] for p in metrics["lr"] if p["value"] is not None and p["value"] > 0]
    before = svg_state(browser, "chart-lr")
    click(browser, "chart-lr-log")
    after = svg_state(browser, "chart-lr")
    ticks = after["yticks"]
    check(after["scale"] == "log" and before["scale"] == "linear", "the log toggle switches the lr chart to a log y axis")
    check(len(ticks) >= 2 and affine_residual([math.log10(v) for v, _ in ticks], [y for _, y in ticks]) < 0.6,
          f"log ticks sit at heights affine in log10 of their value ({ticks})")
    lo, hi = min(lr), max(lr)
    if hi / lo > 100:
        check(all(abs(math.log10(v) - round(math.log10(v))) < 1e-9 for v, _ in ticks) and len(ticks) >= 2,
              "over several decades the ticks are powers of ten")
    check(int(after["points"]) == len(lr), f"the log chart draws every positive lr point ({after['points']} of {len(lr)})")
    click(browser, "chart-lr-log")
    back = svg_state(browser, "chart-lr")
    check(back["scale"] == "linear" and affine_residual([v for v, _ in back["yticks"]], [y for _, y in back["yticks"]]) < 0.6,
          "toggled again, the axis is linear")

    # Smoothing.
    set_input(browser, "chart-smoothing", "0.9", "input")
    sm = svg_state(browser, "chart-loss")
    raw_y, smooth_y = (sm["raw"] or [{"y": []}])[0]["y"], (sm["smooth"] or [{"y": []}])[0]["y"]
    check(len(sm["raw"]) == 1 and len(sm["smooth"]) == 1, "smoothing draws a smoothed loss curve over the raw one")
    check(len(raw_y) > 10 and variation(smooth_y) < 0.6 * variation(raw_y),
          f"the smoothed curve varies less than the raw one ({variation(smooth_y):.0f} vs {variation(raw_y):.0f} px)")
    check(browser.evaluate("getComputedStyle(document.querySelector('[data-testid=chart-loss] .chart-raw')).opacity") == "0.25",
          "the raw curve stays faint behind")
    set_input(browser, "chart-smoothing", "0", "input")
    check(not svg_state(browser, "chart-loss")["raw"], "smoothing 0 draws the raw curve alone")

    # Zoom by dragging, then reset.
    full = svg_state(browser, "chart-loss")
    drag(browser, "chart-loss", 0.35, 0.7)
    wait_for(browser, "document.querySelector('[data-testid=chart-loss]').dataset.zoomed === 'true'", 5)
    z = svg_state(browser, "chart-loss")
    x0, x1 = float(z.get("xMin", "nan")), float(z.get("xMax", "nan"))
    inside = [s for s in steps if x0 <= s <= x1]
    check(z["zoomed"] == "true" and float(full["xMin"]) < x0 < x1 < float(full["xMax"]),
          f"dragging zooms the loss chart to steps {x0:.1f}..{x1:.1f} of {full['xMin']}..{full['xMax']}")
    drawn = int(z["lines"][0]["points"]) if z["lines"] else -1
    check(len(inside) <= drawn <= len(inside) + 2, f"the zoomed chart draws the {len(inside)} points in range (+1 each side): {drawn}")
    check(z["reset"], "a reset button shows while zoomed")
    click(browser, "chart-loss-reset")
    r = svg_state(browser, "chart-loss")
    check(r["zoomed"] == "false" and r["xMin"] == full["xMin"] and r["xMax"] == full["xMax"] and not r["reset"],
          "reset shows the whole range again and hides the button")

    # The x axis.
    per_epoch = progress["steps"] / progress["epochs"]
    set_input(browser, "chart-x-axis", "epoch", "change")
    e = svg_state(browser, "chart-loss")
    check(e["xAxis"] == "epoch" and abs(float(e["xMax"]) - steps[-1] / per_epoch) < 1e-9
          and abs(float(e["xMax"]) - progress["epochs"]) < 1e-9, f"epoch axis: the last loss point is at epoch {e['xMax']}")
    set_input(browser, "chart-x-axis", "time", "change")
    t = svg_state(browser, "chart-loss")
    parse = lambda s: time_of(s)
    origin = min(parse(p["time"]) for series in metrics.values() for p in series)
    expected = (parse(loss[-1]["time"]) - origin)
    check(t["xAxis"] == "time" and abs(float(t["xMax"]) - expected) < 0.002,
          f"time axis: the last loss point at {float(t['xMax']):.3f} s after the first point ({expected:.3f} s)")
    set_input(browser, "chart-x-axis", "step", "change")
    check(svg_state(browser, "chart-loss")["xMax"] == str(steps[-1]), "step axis again")


def time_of(rfc3339):
    """Seconds since the epoch of an RFC 3339 time with optional fraction and a Z or offset."""
    from datetime import datetime
    return datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()


def check_csv(check, browser, series, progress, folder):
    """Clicks the CSV button and compares the saved file with the API's points."""
    browser.send("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": folder}, session=False)
    click(browser, "download-metrics-csv")
    deadline = time.time() + 20
    files = []
    while time.time() < deadline:
        files = [f for f in glob.glob(os.path.join(folder, "*.csv"))]
        if files:
            break
        time.sleep(0.1)
    check(len(files) == 1, f"the CSV button saves one file ({[os.path.basename(f) for f in files]})")
    if not files:
        return
    time.sleep(0.3)
    with open(files[0], newline="") as f:
        rows = list(csv.reader(f))
    expected = [["metric", "step", "epoch", "time", "value"]]
    per_epoch = progress["steps"] / progress["epochs"]
    for s in series:
        for p in s["points"]:
            expected.append([s["name"], str(p["step"]), repr(p["step"] / per_epoch), p["time"],
                             "" if p["value"] is None else repr(p["value"])])
    # Numbers compared as numbers: JavaScript and Python may spell the same double differently.
    def same(a, b):
        if len(a) != len(b):
            return False
        for x, y in zip(a, b):
            if x == y:
                continue
            try:
                if float(x) != float(y) and not math.isclose(float(x), float(y), rel_tol=1e-9):
                    return False
            except ValueError:
                return False
        return True
    mismatches = [(a, b) for a, b in zip(rows, expected) if not same(a, b)]
    check(len(rows) == len(expected) and not mismatches,
          f"the CSV holds exactly the API's {len(expected) - 1} points ({len(rows) - 1} rows; first differences {mismatches[:2]})")


def check_representation(check, browser, api, job_id, result):
    """The projection scatter (when served), per-class accuracy and the confusion matrix."""
    status, projection = api("GET", f"/v1/jobs/{job_id}/projection")
    if status == 200:
        n = len(projection["points"])
        check(wait_for(browser, f"document.querySelector('[data-testid=projection]')?.dataset.points === '{n}'", 20),
              f"the scatter has the projection's {n} points")
        check(browser.evaluate("document.querySelectorAll('[data-testid=projection] .scatter-dots circle').length") == n,
              "one dot per projected point")
        classes = sorted({p["label"] for p in projection["points"]})
        check(browser.evaluate("document.querySelectorAll('[data-testid=projection-legend] li').length") == len(classes),
              f"the legend lists the {len(classes)} classes present")
        dot = browser.evaluate("""(() => { const c = document.querySelector('[data-testid=projection] .scatter-dots circle');
          c.scrollIntoView({ block: 'center' }); const r = c.getBoundingClientRect();
          return { x: r.left + r.width / 2, y: r.top + r.height / 2, index: Number(c.dataset.index) }; })()""")
        hover(browser, dot["x"] + 0.5, dot["y"])
        shown = wait_for(browser, """(() => { const p = document.querySelector('[data-testid=projection-item]');
          return p.dataset.index !== undefined && !p.dataset.loading && p.dataset.index; })()""", 15)
        check(shown is not None, f"hovering a dot shows an item ({shown})")
        if shown is not None:
            status, item = api("GET", f"/v1/jobs/{job_id}/items/{shown}?split=test&k=5")
            neighbors = browser.evaluate("[...document.querySelectorAll('[data-testid=projection-neighbors] li')].map((li) => Number(li.dataset.index))")
            check(status == 200 and neighbors == [nb["index"] for nb in item["neighbors"]],
                  f"the hovered item's neighbours are the items endpoint's ({neighbors})")
            if item.get("image"):
                size = browser.evaluate("(() => { const c = document.querySelector('[data-testid=item-image]'); return c && [c.width, c.height]; })()")
                check(size == [item["image"]["width"], item["image"]["height"]], f"an image item shows as a thumbnail {size}")
                thumbs = wait_for(browser, f"document.querySelectorAll('[data-testid=projection-neighbors] canvas').length === {len(item['neighbors'])}", 15)
                check(thumbs, f"each of the {len(item['neighbors'])} neighbours shows its own thumbnail (train split)")
            elif item.get("values") is not None:
                rows = browser.evaluate("document.querySelectorAll('[data-testid=item-values] tr').length")
                check(rows >= min(len(item["values"]), 24), "a row item shows its values")
    else:
        print(f"(projection not served: {status}; the scatter is checked against the mock server)")

    matrix = result.get("confusion_matrix")
    accuracy = result.get("per_class_knn_accuracy")
    if matrix is not None:
        cells = browser.evaluate("[...document.querySelectorAll('[data-testid=confusion-matrix] td')].map((td) => Number(td.dataset.count))")
        check(cells == [c for row in matrix for c in row], "the confusion matrix shows the result's counts")
        test_count = result.get("test_count")
        total = sum(cells or [])
        if test_count is not None:
            check(total == test_count, f"its cells sum to the test count ({total} of {test_count})")
    if accuracy is not None:
        bars = browser.evaluate("[...document.querySelectorAll('[data-testid=per-class-accuracy] g')].map((g) => Number(g.dataset.accuracy))")
        check(bars == accuracy, f"one bar per class with the result's accuracy ({len(bars or [])} bars)")
    rows = browser.evaluate("[...document.querySelectorAll('[data-testid=result] tr[data-metric]')].map((tr) => tr.dataset.metric)") or []
    # The gains rows compare the trained encoder with each baseline on the evaluation sample: their
    # delta is the result's gain_over_random / gain_over_raw.
    for base, gain in (("baseline_knn_accuracy", "gain_over_random"), ("raw_knn_accuracy", "gain_over_raw")):
        if isinstance(result.get(gain), (int, float)) and "sample_knn_accuracy" in result:
            delta = browser.evaluate(f"(() => {{ const tr = document.querySelector('[data-testid=result] tr[data-metric=\"sample_knn_accuracy-{base}\"]'); return tr && tr.lastElementChild.textContent; }})()")
            want = f"{'+' if result[gain] >= 0 else ''}{result[gain] * 100:.2f} pt"
            check(delta == want, f"the result table's delta against {base} is {gain} ({delta!r}, expected {want!r})")
    check(not any(r.startswith(("diagnostics.histogram", "confusion_matrix", "per_class_knn_accuracy")) for r in rows),
          f"the result table lists no histogram bins nor matrix cells ({len(rows)} rows)")
    if matrix is None and accuracy is None:
        print("(the result has no per-class kNN accuracy nor confusion matrix: checked against the mock server)")


DIAGNOSTIC_NAMES = ["fn_rate_all", "fn_rate_hard", "fn_rate_synthetic_one", "fn_rate_synthetic_both", "fn_weight_share"]


def check_diagnostics(check, browser, api, job_id, metrics):
    """The diagnostics chart holds every fn_* point; the histogram is the latest one."""
    held = sum(len(metrics.get(n, [])) for n in DIAGNOSTIC_NAMES)
    status, hists = api("GET", f"/v1/jobs/{job_id}/similarity_histograms?last=1")
    latest = (hists or {}).get("histograms", [None])[-1] if status == 200 and (hists or {}).get("histograms") else None
    hidden = browser.evaluate("document.querySelector('[data-testid=diagnostics]').hidden")
    if held == 0 and latest is None:
        check(hidden is True, "a job without diagnostics shows no diagnostics section")
        print("(no diagnostics from this server: the diagnostics views are checked against the mock server)")
        return
    check(hidden is False, "the diagnostics section shows")
    check(wait_for(browser, f"document.querySelector('[data-testid=chart-diagnostics]')?.dataset.held === '{held}'", 20),
          f"the diagnostics chart holds the {held} fn_* points")
    if latest is not None:
        step = wait_for(browser, f"document.querySelector('[data-testid=similarity-histogram]')?.dataset.step === '{latest['step']}'", 20)
        check(step, f"the histogram view shows the latest histogram (step {latest['step']})")
        groups = browser.evaluate("[...document.querySelectorAll('[data-testid=similarity-histogram] path.histogram-line')].map((p) => [p.dataset.group, Number(p.dataset.total)])")
        expected = [[k, sum(latest[k])] for k in ("positives", "negatives", "hard", "synthetic") if latest.get(k) is not None]
        check(groups == expected, f"one outline per group with its total ({groups})")
        _, history = api("GET", f"/v1/jobs/{job_id}/similarity_histograms?last=200")
        history = history["histograms"]
        if len(history) >= 2:
            set_input(browser, "histogram-step", "0", "input")
            first = browser.evaluate("document.querySelector('[data-testid=similarity-histogram]').dataset.step")
            check(first == str(history[0]["step"]), f"the step slider goes back to the oldest histogram (step {first})")
            set_input(browser, "histogram-step", str(len(history) - 1), "input")
            check(browser.evaluate("document.querySelector('[data-testid=similarity-histogram]').dataset.step") == str(latest["step"]),
                  "and forward to the newest")


def main():
    args = browser_arguments(__doc__.splitlines()[0]).parse_args()
    check = Checks()
    with Serve(args, "sscl-charts-") as server:
        status, job = server.api("POST", "/v1/jobs", JOB)
        check(status == 201, f"submitted ({status} {job if status != 201 else ''})")
        job_id = job["id"]
        deadline = time.time() + 300
        while time.time() < deadline:
            _, job = server.api("GET", f"/v1/jobs/{job_id}")
            if job["status"] in ("succeeded", "failed", "cancelled"):
                break
            time.sleep(0.5)
        check(job["status"] == "succeeded", f"the job succeeded ({job['status']})")
        _, m = server.api("GET", f"/v1/jobs/{job_id}/metrics")
        metrics = {s["name"]: s["points"] for s in m["metrics"]}
        profile = tempfile.mkdtemp(prefix="sscl-charts-chromium-")
        downloads = tempfile.mkdtemp(prefix="sscl-charts-downloads-")
        browser = Chromium(args.chromium, profile)
        try:
            browser.open(f"{server.base}/#/jobs/{job_id}")
            check_charts(check, browser, metrics, job["progress"])
            check_csv(check, browser, m["metrics"], job["progress"], downloads)
            check_representation(check, browser, server.api, job_id, job.get("result") or {})
            check_diagnostics(check, browser, server.api, job_id, metrics)
        except Exception as e:  # a crash of the harness is a failure, with its reason
            check(False, f"the test ran to its end ({type(e).__name__}: {e})")
        finally:
            browser.close()
        server.keep = check.failed > 0
    return check.finish()


if __name__ == "__main__":
    sys.exit(main())
