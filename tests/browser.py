"""Debian's Chromium, driven by Playwright, for the tests that look at pages as a person does.

The `browser` fixture (tests/conftest.py) launches it once per run.
"""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def playwright_or_skip():
    """Playwright's sync API; the calling test module is skipped without it or Chromium."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)",
            allow_module_level=True,
        )
    return pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]'")
