"""Headless Debian Chromium through selenium, for the tests and scripts that look at pages as a reader does.

``driver()`` returns a selenium WebDriver, or raises ``Unavailable`` naming what is missing (the
tests turn that into a skip). The flags keep Chromium off the network: this machine has none, and
Chromium's background services would otherwise try to reach it at every start.
"""

from __future__ import annotations

import os
import shutil
import tempfile

CHROMIUM = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
CHROMEDRIVER = ("/usr/bin/chromedriver", "chromedriver")
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars")


class Unavailable(RuntimeError):
    """No browser can be had here: selenium, Chromium or chromedriver is missing."""


def _which(names: tuple[str, ...]) -> str | None:
    for name in names:
        path = name if os.path.isabs(name) and os.access(name, os.X_OK) else shutil.which(name)
        if path:
            return path
    return None


def driver(width: int = 1200, height: int = 900):
    """A headless Chromium window of ``width`` x ``height`` CSS pixels (call ``.quit()`` when done)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        raise Unavailable('selenium is not installed (pip install "stepgrad[test]")') from None
    browser, chromedriver = _which(CHROMIUM), _which(CHROMEDRIVER)
    if browser is None or chromedriver is None:
        raise Unavailable("Chromium and chromedriver are not installed "
                          "(Debian: apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    options.add_argument("--user-data-dir=" + tempfile.mkdtemp(prefix="stepgrad-chromium-"))
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        return webdriver.Chrome(service=Service(chromedriver), options=options)
    except Exception as err:  # a browser that cannot start is as good as none
        raise Unavailable(f"Chromium did not start: {str(err).splitlines()[0]}") from None


def page_errors(drv) -> list[str]:
    """The browser console's errors since the last call (JavaScript exceptions among them)."""
    return [entry["message"] for entry in drv.get_log("browser") if entry["level"] == "SEVERE"]
