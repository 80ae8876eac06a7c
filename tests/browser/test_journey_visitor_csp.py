"""Journey (issue 11): the Content-Security-Policy holds in a real browser. The DSFR's scripts, loaded with the
page's nonce, run (the DSFR marks the page as started); an inline script without the nonce is refused, and the
violation reaches the listener every journey has (tests/browser/conftest.py)."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)

INJECT = """() => {
    const script = document.createElement("script");
    script.textContent = "window.pactesInjected = true;";
    document.body.appendChild(script);
}"""


def test_the_dsfr_runs_and_an_inline_script_without_nonce_is_refused(
    page: Page, live_server, csp_violations, reference_data
):
    page.goto(f"{live_server.url}/accessibilite/")
    expect(page.locator("html")).to_have_attribute("data-fr-js", "true")  # the DSFR's module ran under the policy
    assert page.evaluate("() => window.pactesViolations") == []

    page.evaluate(INJECT)
    page.wait_for_function("() => window.pactesViolations.length > 0")
    violation = page.evaluate("() => window.pactesViolations[0]")
    assert violation["directive"].startswith("script-src")
    assert page.evaluate("() => window.pactesInjected === undefined")
    page.wait_for_function("() => true")  # the exposed function's call has reached the test by now
    csp_violations.clear()  # expected here: the journey itself must not fail
