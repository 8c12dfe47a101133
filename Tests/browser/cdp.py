"""What every browser test against the real `sscl serve` shares: a headless Chromium driven over
the DevTools protocol on a pipe, the server in a temporary folder, HTTP helpers, and checks.

    from cdp import Checks, Chromium, Serve, browser_arguments, wait_for

A test prints one "ok"/"FAIL" line per check and "N passed, M failed", and exits 1 on any failure
(`Checks.finish`); the Swift suites under Tests/SSCLServiceTests/App run them.
"""
import argparse
import fcntl
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request


class Checks:
    """Counts and prints checks; a crash of the harness is a failure, with its reason."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def __call__(self, ok, label):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(f"{'ok  ' if ok else 'FAIL'} - {label}", flush=True)

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def browser_arguments(description):
    """The command line every browser test takes: --sscl (required), --repo, --chromium."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--sscl", required=True)
    ap.add_argument("--repo", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser"))
    return ap


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, token=None, timeout=30):
    """JSON in, (status, JSON out); an HTTP error status is returned, not raised."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw or b"null")
        except ValueError:
            return e.code, None


class Serve:
    """`sscl serve` on a free port with its database, runs and data in a temporary folder.

    Use as a context manager; the folder is removed on exit unless `keep` is set (tests set it
    when a check failed, so the serve log can be read)."""

    def __init__(self, args, prefix, token=None, extra=()):
        self.work = tempfile.mkdtemp(prefix=prefix)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.token = token
        self.data = os.path.join(self.work, "data")
        self.keep = False
        command = [args.sscl, "serve", "--port", str(self.port), "--db", os.path.join(self.work, "sscl.db"),
                   "--runs-dir", os.path.join(self.work, "runs"), "--data-dir", self.data,
                   "--public-dir", os.path.join(args.repo, "Public"),
                   "--migrations", os.path.join(args.repo, "migrations"), *extra]
        if token:
            command += ["--token", token]
        self.log = open(os.path.join(self.work, "serve.log"), "w")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)

    def __enter__(self):
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{self.base}/healthz", timeout=2)
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"sscl serve did not answer /healthz (log: {self.work}/serve.log)")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        if self.keep or exc[0] is not None:
            print(f"(serve log kept in {self.work}/serve.log)")
        else:
            shutil.rmtree(self.work, ignore_errors=True)
        return False

    def api(self, method, path, body=None):
        """(status, JSON) of a request to this server, with its token."""
        return http(method, self.base + path, body, token=self.token)


def run_against_serve(args, prefix, scenario, token=None):
    """Starts `sscl serve` (see `Serve`), runs `scenario(args, check, serve, browsers)` and
    returns the exit code. A crash of the scenario is a failed check with its reason; every
    browser the scenario appended to `browsers` is closed; the serve folder is kept when a
    check failed."""
    check = Checks()
    if not args.chromium:
        check(False, "no chromium (apt-get install -y chromium)")
        return check.finish()
    browsers = []
    with Serve(args, prefix, token=token) as serve:
        try:
            scenario(args, check, serve, browsers)
        except Exception as error:  # a crash of the harness is a failure, with its reason
            check(False, f"harness crashed: {error!r}")
        finally:
            for browser in browsers:
                browser.close()
            serve.keep = check.failed > 0
    return check.finish()


def wait_for(browser, expression, timeout=60):
    """Polls a page expression until it is truthy; its value, or None after `timeout` s."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = browser.evaluate(expression)
        if value:
            return value
        time.sleep(0.1)
    return None


def choose_file(browser, selector, path):
    """Puts a file into an <input type=file> as a user choosing it would, then fires change."""
    root = browser.send("DOM.getDocument")["root"]["nodeId"]
    node = browser.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    browser.send("DOM.setFileInputFiles", {"nodeId": node, "files": [path]})
    browser.evaluate(f"document.querySelector('{selector}').dispatchEvent(new Event('change'))")


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
