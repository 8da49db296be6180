"""Headless Chromium driven through the DevTools protocol over a pipe (no extra package).

``chromium --remote-debugging-pipe`` reads protocol messages from fd 3 and
writes them to fd 4, each a JSON object ended by a NUL byte.  That is enough
to open a page at a given window size, run JavaScript in it, switch it to
print media, print it to PDF and take screenshots -- what the audit report's
tests need -- with nothing but the standard library.  Debian: ``apt-get
install chromium`` (.ci/run does).
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest


def chromium() -> str:
    """The browser, or skip (fail under MODELGOV_REQUIRE_BROWSER=1, as in CI)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.path.exists("/usr/bin/chromium"):
        found = "/usr/bin/chromium"
    if found is None:
        if os.environ.get("MODELGOV_REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is required (MODELGOV_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    return found


class BrowserError(AssertionError):
    pass


class Browser:
    """One Chromium process; :meth:`open` gives a :class:`Page`."""

    def __init__(self, profile: Path, timeout: float = 60.0) -> None:
        self.timeout = timeout
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def child_fds() -> None:  # the protocol's fds are 3 (reads) and 4 (writes)
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [
                chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--remote-debugging-pipe",
                f"--user-data-dir={profile}", "about:blank",
            ],
            pass_fds=(3, 4, to_chrome_r, from_chrome_w),
            preexec_fn=child_fds,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []

    def call(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> Any:
        self._next += 1
        ident = self._next
        msg: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            while b"\0" in self._buf:
                raw, self._buf = self._buf.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == ident:
                    if "error" in reply:
                        raise BrowserError(f"{method}: {reply['error']}")
                    return reply.get("result", {})
                if "method" in reply:
                    self.events.append(reply)
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_chrome], [], [], left)[0]:
                raise BrowserError(f"{method}: no answer from chromium in {self.timeout} s")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise BrowserError("chromium went away")
            self._buf += chunk

    def open(self, url: str, width: int = 1280, height: int = 900) -> Page:
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        page = Page(self, session)
        page.call("Runtime.enable")
        page.call("Page.enable")
        page.resize(width, height)
        page.call("Page.navigate", {"url": url})
        page.wait("document.body && document.body.getAttribute('data-render') !== 'pending'")
        return page

    def close(self) -> None:
        try:
            os.close(self._to_chrome)
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            os.close(self._from_chrome)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Page:
    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return self.browser.call(method, params, self.session)

    def js(self, expression: str) -> Any:
        """The value of a JavaScript expression (JSON-able), or :class:`BrowserError`."""
        out = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in out:
            raise BrowserError(f"{expression[:80]}...: {out['exceptionDetails']}")
        return out["result"].get("value")

    def wait(self, condition: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.js(f"!!({condition})"):
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out waiting for {condition}")
            time.sleep(0.05)

    def resize(self, width: int, height: int) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def media(self, kind: str) -> None:
        """``print`` or ``screen``: the CSS media the page is laid out for."""
        self.call("Emulation.setEmulatedMedia", {"media": "" if kind == "screen" else kind})

    def pdf(self) -> bytes:
        out = self.call("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True})
        return base64.b64decode(out["data"])

    def screenshot(self, path: Path, full: bool = True) -> None:
        out = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": full})
        path.write_bytes(base64.b64decode(out["data"]))

    def errors(self) -> list[str]:
        """Exceptions and console errors the page reported."""
        found = []
        for ev in self.browser.events:
            if ev.get("sessionId") != self.session:
                continue
            if ev["method"] == "Runtime.exceptionThrown" or (
                ev["method"] == "Runtime.consoleAPICalled"
                and ev["params"].get("type") in ("error", "warning", "assert")
            ):
                found.append(json.dumps(ev["params"])[:500])
        return found
