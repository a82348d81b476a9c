"""End-to-end tests in a real browser (issue 9).

- Browser: Debian's Chromium at /usr/bin/chromium, driven by Playwright for
  Python. Playwright never downloads a browser here; `scripts/test.sh` installs
  Chromium with apt-get when it is missing (scripts/ensure_chromium.sh).
- Server: pytest-django's `live_server`, a real HTTP server in a thread of the
  test process, on the transactional test database (each test starts empty;
  the role groups are recreated by the user fixtures).
- Jobs: the synchronous mode, FASTDSO_JOBS_SYNC=True (tests/conftest.py sets
  it for every test): a job started by a request has finished when the
  response arrives; no django-q2 worker runs. The job-page test drives a
  "running" job by hand to watch the page poll it.
- A failed test saves a full-page screenshot of each of its pages in
  tests/e2e/screenshots/ (gitignored). Browser errors fail the test: a
  console error (a CSP violation, a script error), a 5xx, a missing static file.

Every test here is marked `e2e`: `pytest -m e2e` runs only them,
`pytest -m "not e2e"` everything else.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

# Playwright's sync API runs an event loop in this thread; Django would then
# refuse ORM calls from the test ("async-unsafe"). They are safe here: the
# test thread is the only one using its connection while it waits on the page.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import (  # noqa: E402
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Response,
    sync_playwright,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
TIMEOUT_MS = 15_000


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    setattr(item, f"report_{report.when}", report)  # read by the page fixture's teardown
    return report


class _Chromium:
    """One Chromium for the browser tests of a run, started at the first of them.

    It is stopped as soon as the last consecutive browser test ends (see
    pytest_runtest_teardown): Playwright's sync API keeps an asyncio loop
    running in this thread, and later tests using asyncio.run or
    async_to_sync would fail while it runs.
    """

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None

    def browser(self) -> Browser:
        if self._browser is None:
            if not Path(CHROMIUM).exists():
                pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure_chromium.sh (scripts/test.sh does)")
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
        return self._browser

    def stop(self) -> None:
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        if self._playwright is not None:
            self._playwright.stop()
            self._playwright = None


_CHROMIUM = _Chromium()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    result = yield  # the test's fixtures (its pages) are torn down first
    if nextitem is None or Path(__file__).parent not in nextitem.path.parents:
        _CHROMIUM.stop()
    return result


@pytest.fixture
def browser() -> Browser:
    """The session's Chromium: one process shared by all the browser tests
    (this fixture only hands it out; _Chromium starts and stops it)."""
    return _CHROMIUM.browser()


def log_in(context: BrowserContext, user, base_url: str) -> None:
    """A session for `user` as a cookie: faster than the login form, which
    test_login covers."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


@pytest.fixture
def new_page(browser: Browser, live_server, request: pytest.FixtureRequest) -> Iterator[Callable[..., Page]]:
    """`new_page(user=None)`: a page in a fresh browser context on the live
    server, logged in as `user` when given. Relative URLs work (`page.goto("/jobs/")`)."""
    opened: list[tuple[BrowserContext, Page, list[str]]] = []

    def make(user=None) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": 1400, "height": 900},
            locale="es-CL",  # the planners' browsers
            timezone_id=settings.TIME_ZONE,
        )
        context.set_default_timeout(TIMEOUT_MS)
        if user is not None:
            log_in(context, user, live_server.url)
        page = context.new_page()
        errors: list[str] = []

        def on_console(message: ConsoleMessage) -> None:
            # HTTP failures are judged by on_response, which knows the URL.
            if message.type == "error" and not message.text.startswith("Failed to load resource"):
                errors.append(message.text)

        def on_response(response: Response) -> None:
            path = urlsplit(response.url).path
            static = "/" + settings.STATIC_URL.strip("/") + "/"
            if response.status >= 500 or (response.status == 404 and path.startswith(static)):
                errors.append(f"{response.status} {path}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("response", on_response)
        opened.append((context, page, errors))
        return page

    yield make

    failed = any(
        getattr(request.node, f"report_{when}", None) is not None and getattr(request.node, f"report_{when}").failed
        for when in ("setup", "call")
    )
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    for index, (context, page, _) in enumerate(opened):
        if failed:
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"FAILED-{name}-{index}.png"), full_page=True)
        context.close()
    if not failed:
        errors = [error for _, _, page_errors in opened for error in page_errors]
        assert not errors, f"browser console errors: {errors}"


@pytest.fixture
def planner_page(new_page, planner) -> Page:
    return new_page(planner)


@pytest.fixture
def viewer_page(new_page, viewer) -> Page:
    return new_page(viewer)


@pytest.fixture
def staff_page(new_page, staff_user) -> Page:
    return new_page(staff_user)
