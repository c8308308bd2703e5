"""The self-hosted API docs work in a real browser (GW-3).

Headless Debian Chromium, driven by playwright, opens the gateway's ``/docs`` (Swagger UI
served from the gateway itself: schools' networks have no CDN), authorizes with a bearer
token of the demo student, and runs ``GET /api/v1/identity/me`` with "Try it out".
No browser is ever downloaded: without ``/usr/bin/chromium`` the test fails and says
what to install. A screenshot is saved on failure.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.conftest import RunningPlatform

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("platform")]

CHROMIUM = os.environ.get("EO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ME_PATH = "/api/v1/identity/me"
# The value field of an HTTP bearer scheme in Swagger UI's "Available authorizations".
BEARER_INPUT = 'input#auth-bearer-value, input[aria-label="auth-bearer-value"], input[name=bearer]'
TIMEOUT_MS = 20_000
# The CI machine has two cores shared by two test workers and five servers: be patient.
expect.set_options(timeout=TIMEOUT_MS)


def require_chromium() -> None:
    """Fail, never skip, when Debian's Chromium is not installed."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}; the browser test needs Debian's chromium "
            "package: apt-get update && apt-get install -y chromium "
            "(`make test` installs it when run as root). No browser is downloaded.",
            pytrace=False,
        )


@contextlib.contextmanager
def chromium_page() -> Iterator[Page]:
    """A page in a fresh headless Chromium, closed (with the browser) afterwards."""
    require_chromium()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=60_000
        )
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.set_default_timeout(TIMEOUT_MS)
            yield context.new_page()
        finally:
            browser.close()


def _open_operation(page: Page, path: str) -> None:
    """Expand the GET operation of ``path``, opening collapsed tag sections if needed."""
    summary = page.locator(f'.opblock-get .opblock-summary-path[data-path="{path}"]').first
    if not summary.is_visible():
        for tag in page.locator('.opblock-tag[data-is-open="false"]').all():
            tag.click()
            if summary.is_visible():
                break
    summary.scroll_into_view_if_needed()
    summary.click()


class TestSwaggerUI:
    def test_try_me_with_a_bearer_token(
        self, running_platform: RunningPlatform, tmp_path: Path
    ) -> None:
        token = running_platform.token("demo-student")
        with chromium_page() as page:
            self._authorize_and_try_me(page, running_platform.docs_url, token, tmp_path)

    def _authorize_and_try_me(self, page: Page, docs_url: str, token: str, tmp_path: Path) -> None:
        try:
            response = page.goto(docs_url, wait_until="load")
            assert response is not None
            assert response.status == 200
            expect(page.locator(".swagger-ui .info .title")).to_be_visible()

            # Authorize: paste the bearer token into the HTTP bearer scheme and close.
            page.locator(".scheme-container button.authorize, button.btn.authorize").first.click()
            # Found by its heading: the input is replaced by "******" once authorized.
            bearer = page.locator(".auth-container").filter(has_text="http, Bearer").first
            expect(bearer).to_be_visible()
            bearer.locator(BEARER_INPUT).fill(token)
            bearer.locator("button.authorize").click()
            expect(bearer.locator("h6", has_text="Authorized")).to_be_visible()
            expect(bearer.locator("button", has_text="Logout")).to_be_visible()
            page.locator(".dialog-ux button.btn-done, .dialog-ux .close-modal").first.click()

            # GET /api/v1/identity/me: Try it out, Execute.
            _open_operation(page, ME_PATH)
            block = (
                page.locator(".opblock.is-open")
                .filter(has=page.locator(f'.opblock-summary-path[data-path="{ME_PATH}"]'))
                .first
            )
            block.locator("button.try-out__btn").click()
            block.locator("button.execute").click()

            live = block.locator(".live-responses-table .response").first
            expect(live.locator(".response-col_status")).to_contain_text("200")
            expect(live.locator(".response-col_description")).to_contain_text("demo-student")
            expect(live.locator(".response-col_description")).to_contain_text(
                "МБОУ Демонстрационная СОШ"
            )
        except BaseException:
            shot = tmp_path / "docs-failure.png"
            with contextlib.suppress(Exception):
                page.screenshot(path=str(shot), full_page=True)
                print(f"screenshot of the failure: {shot}")
            raise
