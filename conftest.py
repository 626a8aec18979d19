"""Root pytest configuration: Playwright drives Debian's Chromium (never a downloaded one)."""

import os
import shutil

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


# Pages are checked for what they show, not for speed: on a loaded 2-core CI machine a
# claim decided with its page can take longer than Playwright's default 5 s.
try:
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)
except ImportError:  # the runtime install without the test extra
    pass


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Browser tests need Chromium at {CHROMIUM}: apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A clerk's browser in Dakar: French, West-Africa time."""
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Africa/Dakar"}
