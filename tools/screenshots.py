"""Screenshots of a running Odoo in headless Chromium, through the DevTools protocol.

Run with Odoo's virtualenv (it has ``requests``, ``websocket-client`` and Pillow); started by
``python3 tools/odoo_suite.py screenshots``, which prepares the database and the server:

    python tools/screenshots.py --url http://127.0.0.1:8069 --db DB --out DIR \
        --shot NAME=PATH[|SELECTOR[|JS[|WIDTHxHEIGHT]]] ...

Each shot logs in once (session cookie), opens PATH, waits until SELECTOR is on the page and
the web client is idle, runs the optional JS (e.g. unfold a group), and writes DIR/NAME.png,
of the optional size (a long list shown whole) or of ``--size``.
"""

import argparse
import base64
import io
import itertools
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import websocket
from PIL import Image

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def write_png(data, target):
    """The capture as a 256-colour PNG: a page of text and flat colours looks the same at
    about 40 % of the bytes of Chromium's full-colour file."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    def __init__(self, width, height):
        exe = next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)
        if not exe:
            sys.exit("no Chromium: sudo apt-get install chromium")
        self.profile = tempfile.mkdtemp(prefix="fsm_shots_chrome_")
        self.port = free_port()
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--hide-scrollbars", f"--window-size={width},{height}", "--no-first-run",
             f"--remote-debugging-port={self.port}", f"--user-data-dir={self.profile}",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                pages = requests.get(f"http://127.0.0.1:{self.port}/json", timeout=2).json()
                page = next(p for p in pages if p.get("type") == "page")
                break
            except (requests.RequestException, StopIteration):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30,
                                              suppress_origin=True)
        self.ids = itertools.count(1)

    def call(self, method, **params):
        msg_id = next(self.ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        return result.get("result", {}).get("value")

    def wait_for(self, expression, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.evaluate(expression):
                return
            time.sleep(0.3)
        raise RuntimeError(f"timeout waiting for {expression}")

    def close(self):
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            self.proc.wait(10)
            shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out", required=True)
    parser.add_argument("--size", default="1400x900")
    parser.add_argument("--shot", action="append", default=[])
    args = parser.parse_args()
    session = requests.post(f"{args.url}/web/session/authenticate", timeout=30, json={
        "jsonrpc": "2.0", "params": {"db": args.db, "login": args.login,
                                     "password": args.password}})
    session.raise_for_status()
    if session.json().get("error") or "session_id" not in session.cookies:
        sys.exit(f"could not log in as {args.login}: {session.text[:300]}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    width, height = (int(v) for v in args.size.split("x"))
    browser = Browser(width, height)
    try:
        host = args.url.split("//", 1)[1].split(":")[0]
        browser.call("Network.enable")
        browser.call("Network.setCookie", name="session_id",
                     value=session.cookies["session_id"], domain=host, path="/")
        for spec in args.shot:
            name, rest = spec.split("=", 1)
            path, selector, script, size = ([*rest.split("|", 3), "", "", ""])[:4]
            shot_width, shot_height = (int(v) for v in (size or args.size).split("x"))
            browser.call("Emulation.setDeviceMetricsOverride", width=shot_width,
                         height=shot_height, deviceScaleFactor=1, mobile=False)
            browser.call("Page.navigate", url=f"{args.url}{path}")
            ready = (f"!!document.querySelector({json.dumps(selector or '.o_action')}) && "
                     "!document.querySelector('.o_loading_indicator, .o_blockUI')")
            browser.wait_for(ready)
            if script:
                browser.evaluate(script)
                time.sleep(0.5)
                browser.wait_for(ready)
            time.sleep(1.0)  # fonts, images and the last animation
            shot = browser.call("Page.captureScreenshot", format="png")
            target = out / f"{name}.png"
            write_png(base64.b64decode(shot["data"]), target)
            print(f"screenshot {target}")
    finally:
        browser.close()


if __name__ == "__main__":
    main()
