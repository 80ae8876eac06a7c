"""Issue 15 (3): reflow (WCAG 1.4.10, RGAA 10.11). No page of any role scrolls sideways at 320 CSS pixels wide, nor at
1280 × 1024 zoomed to 200 %; only data tables may scroll, inside their own ``.fr-table`` wrapper (ADR 0048).

Each role opens the nearest ``REFLOW_PAGES_PER_ROLE`` kinds of page of its crawl (tests/browser/crawl.py, the list of
the accessibility test) in one browser context whose device pixel ratio is 2. A zoom of 200 % on a 1280 × 1024 screen
lays the page out in a viewport of 640 × 512 CSS pixels: that viewport is what the layout sees (media queries,
percentages, wrapping); the pixel ratio of 2 only draws each CSS pixel with four, as the zoomed browser does. So each
page is checked at 320 × 640, then resized to 640 × 512 without reloading (the same media queries a zoom triggers).

The check: the document is not wider than its viewport (``scrollWidth <= clientWidth + 1``). A data table inside a
wrapper that scrolls by itself does not widen the document, so it passes; anything else that sticks out fails, and
the message lists the outermost elements past the right edge (not those inside a wrapper that scrolls).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.crawl import ROLES, session_cookie

REFLOW_PAGES_PER_ROLE = 20
SIZES = ({"width": 320, "height": 640}, {"width": 640, "height": 512})  # 320 px; 1280 × 1024 at 200 %


OVERFLOW = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth <= width + 1) return null;
  const scrollsItself = (element) => {
    for (let node = element.parentElement; node && node !== document.body; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (["auto", "scroll", "hidden"].includes(style.overflowX)) return true;
    }
    return false;
  };
  const name = (element) => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
    + Array.from(element.classList).slice(0, 3).map((c) => "." + c).join("");
  const culprits = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1 || scrollsItself(element)) continue;
    if (culprits.some((outer) => outer.contains(element))) continue;
    culprits.push(element);
  }
  return {scrollWidth: root.scrollWidth, width: width,
          culprits: culprits.slice(0, 6).map((e) => name(e) + " (" + Math.round(e.getBoundingClientRect().right) + " px)")};
}"""


@pytest.mark.django_db  # the one test here in a database transaction: the others read the demo through the browser
def test_the_sample_has_pages_of_every_role(demo_site):
    assert set(demo_site.roles) == set(ROLES)
    assert all(len(role.pages[:REFLOW_PAGES_PER_ROLE]) >= 5 for role in demo_site.roles.values())


def overflow(page: Page) -> dict | None:
    return page.evaluate(OVERFLOW)


@pytest.mark.parametrize("email", ROLES, ids=[email or "visiteur" for email in ROLES])
def test_no_page_scrolls_sideways_at_320_px_nor_at_200_percent(browser: Browser, demo_site, email):
    role = demo_site.roles[email]
    context = browser.new_context(
        base_url=demo_site.url, locale="fr-FR", timezone_id="Europe/Paris", viewport=SIZES[0], device_scale_factor=2
    )
    context.add_cookies(session_cookie(role.client, demo_site.url))
    context.set_default_timeout(10_000)
    page = context.new_page()
    wide: list[str] = []
    for found in role.pages[:REFLOW_PAGES_PER_ROLE]:
        page.set_viewport_size(SIZES[0])
        page.goto(found.url)
        for size in SIZES:
            page.set_viewport_size(size)
            if (result := overflow(page)) is not None:
                wide.append(
                    f"- {found.url} à {size['width']} px : largeur {result['scrollWidth']} px pour {result['width']} "
                    f"px ; dépassent : {', '.join(result['culprits']) or '?'}"
                )
    context.close()
    assert not wide, f"Défilement horizontal ({email or 'visiteur'}) :\n" + "\n".join(wide)
