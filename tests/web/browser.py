"""Debian's chromium, driven by selenium through chromedriver: no browser download.

Without chromium, chromedriver or selenium the browser tests skip and say why; with
``AFTERSALES_TEST_REQUIRE_BROWSER=1`` (set by .ci/run) they fail instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

REQUIRE_BROWSER_VAR = "AFTERSALES_TEST_REQUIRE_BROWSER"
SCREENSHOTS_VAR = "AFTERSALES_SCREENSHOTS"
SCREENSHOTS_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# The machine may have no internet: these keep chromium from trying to reach it.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
)


def _skip_or_fail(reason: str) -> None:
    if os.environ.get(REQUIRE_BROWSER_VAR) == "1":
        pytest.fail(f"browser tests required ({REQUIRE_BROWSER_VAR}=1) but {reason}")
    pytest.skip(reason)


def _find(name: str, debian_path: str) -> str | None:
    return debian_path if os.access(debian_path, os.X_OK) else shutil.which(name)


@contextmanager
def chromium(profile: Path, *, width: int = 1280, height: int = 800) -> Iterator[WebDriver]:
    """A headless chromium with a fresh profile and a ``width`` x ``height`` viewport."""
    chromium_path = _find("chromium", "/usr/bin/chromium")
    driver_path = _find("chromedriver", "/usr/bin/chromedriver")
    if chromium_path is None or driver_path is None:
        _skip_or_fail(
            "chromium or chromedriver is missing: apt-get install chromium chromium-driver"
        )
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _skip_or_fail("selenium is not installed: pip install -e '.[dev]'")
    assert chromium_path is not None and driver_path is not None
    options = webdriver.ChromeOptions()
    options.binary_location = chromium_path
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        # The window size counts the browser's frame; the page must see the whole size.
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        yield driver
    finally:
        driver.quit()


def save_screenshot(driver: WebDriver, name: str) -> Path | None:
    """Save under docs/screenshots/ when ``AFTERSALES_SCREENSHOTS=1`` asks for it."""
    if os.environ.get(SCREENSHOTS_VAR) != "1":
        return None
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS_DIR / name
    assert driver.save_screenshot(str(path)), f"chromium could not save {path}"
    return path
