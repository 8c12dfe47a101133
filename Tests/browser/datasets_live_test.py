#!/usr/bin/env python3
"""The datasets page in a real headless Chromium against the real `sscl serve` (with a token).

    Tests/browser/datasets_live_test.py --sscl .build/debug/sscl [--repo .]

Starts `sscl serve --token` on a free port with a temporary data directory, opens #/datasets
with the token in sessionStorage (as the token dialog leaves it), and, driving the page as a
user would (the file chosen through DevTools' setFileInputFiles), checks:
  - a 2.7 MB CSV uploads with the bearer token: the progress bar moves and ends at 100%, the
    summary (rows, classes, imputed values) and one bar per class with its count are shown,
    and the server stores the file byte for byte;
  - a malformed CSV is refused and the page shows the server's error code;
  - the new job page offers the upload, and "Use" puts {"name": ...} in the editor;
  - delete (two clicks) removes it from the page and from the server.
Prints one "ok"/"FAIL" line per check, then "N passed, M failed"; exits 1 on any failure.
"""
import hashlib
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Chromium, browser_arguments, choose_file, run_against_serve, wait_for  # noqa: E402

TOKEN = "t0k-datasets"


def main():
    args = browser_arguments(__doc__).parse_args()
    return run_against_serve(args, "sscl-datasets-", upload, token=TOKEN)


def upload(args, check, serve, browsers):
    work, base, data = serve.work, serve.base, serve.data

    def get(url):
        return serve.api("GET", url[len(base):])

    # A 2.7 MB CSV with three classes of 20000, 15000 and 5000 rows and one missing cell.
    csv_path = os.path.join(work, "flowers.csv")
    with open(csv_path, "w") as f:
        f.write("petal,sepal,stem,label\n")
        for i in range(40000):
            label = "setosa" if i < 20000 else ("versicolor" if i < 35000 else "virginica")
            petal = "?" if i == 7 else f"{(i % 97) / 97:.17f}"
            f.write(f"{petal},{(i % 89) / 89:.17f},{(i % 83) / 83 + (2 if label == 'setosa' else 0):.17f},{label}\n")
    size = os.path.getsize(csv_path)
    check(size > 2 << 20, f"the CSV is {size} bytes (over twice the 1 MiB body cap)")
    bad_path = os.path.join(work, "broken.csv")
    with open(bad_path, "w") as f:
        f.write("a,b\n1,2\n")

    browser = Chromium(args.chromium, os.path.join(work, "profile"))
    browsers.append(browser)
    browser.open(f"{base}/css/style.css")
    time.sleep(0.5)
    browser.evaluate(f"sessionStorage.setItem('sscl.token', {json.dumps(TOKEN)})")
    browser.send("Page.navigate", {"url": f"{base}/#/datasets"})
    check(wait_for(browser, "document.querySelector('[data-testid=dataset-list] tr[data-dataset=digits]') !== null") is True,
          "the datasets page lists the built-ins (the token was sent)")

    browser.evaluate("""(() => {
      window.__progress = [];
      const bar = document.querySelector('[data-testid=upload-progress]');
      new MutationObserver(() => window.__progress.push(Number(bar.getAttribute('aria-valuenow'))))
        .observe(bar, { attributes: true, attributeFilter: ['aria-valuenow'] });
    })()""")
    choose_file(browser, "[data-testid=upload-file]", csv_path)
    check(browser.evaluate("document.querySelector('[data-testid=upload-name]').value") == "flowers",
          "choosing the file fills in the name")
    browser.evaluate("document.querySelector('[data-testid=upload-form]').requestSubmit()")
    done = wait_for(browser, "document.querySelector('[data-testid=upload-done]')?.textContent", timeout=120)
    check(bool(done) and "40,000" in done, f"the upload is stored: {done!r}")
    progress = browser.evaluate("window.__progress") or []
    check(progress and progress[-1] == 100 and max(progress) == 100,
          f"the progress bar moved and ended at 100% ({len(progress)} updates: {progress[:3]}…{progress[-2:]})")
    summary = json.loads(browser.evaluate("""JSON.stringify((() => {
      const box = document.querySelector('[data-testid=dataset-summary]');
      const facts = Object.fromEntries([...box.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent]));
      const bars = [...box.querySelectorAll('[data-testid=class-chart] g')].map((g) => [g.dataset.class, Number(g.dataset.count)]);
      return { facts, bars };
    })())"""))
    check(summary["bars"] == [["setosa", 20000], ["versicolor", 15000], ["virginica", 5000]],
          f"one bar per class with its count: {summary['bars']}")
    check(summary["facts"].get("Missing values imputed") == "1", f"the imputed cell is shown: {summary['facts']}")
    status, stored = get(f"{base}/v1/datasets/flowers")
    with open(csv_path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    check(status == 200 and stored["sha256"] == digest and summary["facts"].get("SHA-256") == digest,
          "the server holds the file byte for byte (same SHA-256 on the page, the API and here)")

    choose_file(browser, "[data-testid=upload-file]", bad_path)
    browser.evaluate("document.querySelector('[data-testid=upload-name]').value = 'broken'")
    browser.evaluate("document.querySelector('[data-testid=upload-form]').requestSubmit()")
    error = wait_for(browser, "document.querySelector('[data-testid=upload-error]')?.textContent")
    check(bool(error) and "invalid_dataset" in error, f"a malformed CSV shows the server's error: {error!r}")

    browser.send("Page.navigate", {"url": f"{base}/#/new"})
    use = wait_for(browser, "(() => { const b = document.querySelector('[data-testid=datasets] tr[data-dataset=flowers] [data-testid=use-dataset]');"
                            " if (!b) return false; b.click(); return true; })()")
    editor = wait_for(browser, "(() => { try { return JSON.parse(document.querySelector('[data-testid=job-editor]').value).dataset.name; }"
                               " catch { return null; } })()")
    check(use is True and editor == "flowers", f"the new job page offers the upload and Use sets it: {editor!r}")

    browser.send("Page.navigate", {"url": f"{base}/#/datasets"})
    wait_for(browser, "document.querySelector('tr[data-dataset=flowers] [data-testid=dataset-delete]') !== null")
    browser.evaluate("document.querySelector('tr[data-dataset=flowers] [data-testid=dataset-delete]').click()")
    first = browser.evaluate("document.querySelector('tr[data-dataset=flowers] [data-testid=dataset-delete]').textContent")
    browser.evaluate("document.querySelector('tr[data-dataset=flowers] [data-testid=dataset-delete]').click()")
    gone = wait_for(browser, "document.querySelector('[data-testid=dataset-list] tr[data-dataset=flowers]') === null"
                             " && document.querySelector('[data-testid=dataset-list] tr[data-dataset=digits]') !== null")
    check(first == "Confirm delete" and gone is True, "delete asks once more, then the row goes")
    check(get(f"{base}/v1/datasets/flowers")[0] == 404 and not os.path.exists(os.path.join(data, "uploads", "flowers")),
          "the server no longer has it")


if __name__ == "__main__":
    sys.exit(main())
