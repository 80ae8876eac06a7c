"""axe-core in the browser tests (ADR 0048): the one place that runs it on a page and words what it found.

Words: a *violation* is a WCAG 2.1 A/AA rule of axe-core (tags ``wcag2a``, ``wcag2aa``, ``wcag21a``, ``wcag21aa``)
that fails on at least one element of the page: any violation, whatever its impact, fails the test. An *incomplete*
result is a check axe could not decide (a contrast over a background image, a colour under another element): it
does not fail, it is written to ``var/axe-incomplete.json`` for a person to review (the terminal summary says where).

axe-core is vendored from npm in ``tests/browser/vendor/axe-core/`` (its version and licence there). It is evaluated
in the page with ``page.evaluate``: the DevTools protocol runs it in the page's main world, which the site's
Content-Security-Policy does not govern (an injected ``<script>`` tag would be refused, and rightly).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page

VENDOR = Path(__file__).parent / "vendor" / "axe-core"
AXE_SOURCE = (VENDOR / "axe.min.js").read_text(encoding="utf-8")
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations", "incomplete"]});
  const keep = (rules) => rules.map((rule) => ({
    id: rule.id,
    impact: rule.impact,
    help: rule.help,
    helpUrl: rule.helpUrl,
    nodes: rule.nodes.map((node) => ({target: node.target.map(String), html: node.html.slice(0, 160),
                                   summary: node.failureSummary || ""})),
  }));
  return {url: document.location.href, title: document.title,
          violations: keep(results.violations), incomplete: keep(results.incomplete)};
}"""


@dataclass
class Audit:
    """What axe found on one page (its address at the time of the run)."""

    url: str
    title: str
    violations: list[dict] = field(default_factory=list)
    incomplete: list[dict] = field(default_factory=list)


def audit(page: Page) -> Audit:
    """Runs axe-core's WCAG 2.1 A/AA rules on the page as it is now (injecting axe once per document)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate(RUN_AXE, list(WCAG_TAGS))
    return Audit(result["url"], result["title"], result["violations"], result["incomplete"])


def describe(audits: list[Audit]) -> str:
    """The violations of ``audits``, one paragraph per page and rule: rule id, impact, what it asks, the elements."""
    lines: list[str] = []
    for one in audits:
        for rule in one.violations:
            lines.append(f"- {one.url} (« {one.title} ») : {rule['id']} [{rule['impact']}] {rule['help']}")
            lines.append(f"    {rule['helpUrl']}")
            for node in rule["nodes"][:5]:
                lines.append(f"    · {' '.join(node['target'])} : {node['html']}")
                lines.extend(f"      {line}" for line in node["summary"].splitlines()[:4])
            if len(rule["nodes"]) > 5:
                lines.append(f"    · … et {len(rule['nodes']) - 5} autres éléments")
    return "\n".join(lines)


IDS = re.compile(r"/\d+(?=/|$)")


def incomplete_entries(audits: list[Audit]) -> list[dict]:
    """The undecided checks, one entry per rule and address (ids of the path shown as ``N``)."""
    entries = []
    for one in audits:
        for rule in one.incomplete:
            entries.append(
                {
                    "url": one.url,
                    "path": IDS.sub("/N", urlsplit(one.url).path),
                    "rule": rule["id"],
                    "impact": rule["impact"],
                    "help": rule["help"],
                    "targets": [" ".join(node["target"]) for node in rule["nodes"]],
                }
            )
    return entries


class IncompleteReport:
    """Collects the undecided checks of a whole test session and writes them, once, to one JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: list[dict] = []
        self.pages = 0

    def add(self, audits: list[Audit]) -> None:
        self.pages += len(audits)
        self.entries.extend(incomplete_entries(audits))

    def write(self) -> Path | None:
        if not self.pages:
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "about": "Vérifications qu'axe-core n'a pas pu trancher : à examiner à la main (ADR 0048).",
            "pages_audited": self.pages,
            "incomplete": self.entries,
        }
        self.path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        return self.path
