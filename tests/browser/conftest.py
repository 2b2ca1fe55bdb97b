"""Accessibility and phone-width checks for the browser tests: axe-core in the page, and no sideways scrolling.

`axe` (a fixture) runs the vendored axe-core (tests/browser/vendor/README.md) in the page as it stands and
fails on any *serious* or *critical* violation, naming the rule, its impact, the elements and axe's help text,
so the message says what to fix without opening a report. Moderate and minor findings are not failures: they
are mostly best practices that need a person's judgement (a region without a landmark, a heading order).

Shared steps too: `sign_in` (the sign-in form, then the home page's heading) and the intake answers several
journeys type.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # screenshots, downloads and reports
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
BLOCKING_IMPACTS = ("serious", "critical")
PHONE: ViewportSize = {"width": 390, "height": 844}
PASSWORD = "correct horse battery"  # every synthetic account's (tests/factories.py UserFactory)
FACILITY_NAME = "Synthetic Detox Unit"  # the facility the browser tests sign in to; its name heads the home page

# The intake's vital signs, (label, value), as the journeys type them, and six DSM-5 criteria (severe OUD).
INTAKE_VITALS = (
    ("Heart rate", "104"),
    ("Systolic bp", "138"),
    ("Diastolic bp", "88"),
    ("Respiratory rate", "18"),
    ("Temperature (°C)", "37.2"),
    ("SpO2 (%)", "97"),
)
SIX_DSM5_CRITERIA = ("1. Taken", "2. Persistent", "4. Craving", "10. Tolerance", "11. Withdrawal", "3. Much time")

# Playwright's evaluate runs outside the page's Content-Security-Policy (script-src 'self'), so axe needs
# no inline <script> the policy would refuse and the page is checked with its real headers. WCAG 2.x A and
# AA plus axe's best practices: the best-practice rules are all moderate or minor, so they inform but
# never fail a test.
_RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(v => ({
    rule: v.id, impact: v.impact || "", help: v.help, help_url: v.helpUrl,
    targets: v.nodes.map(n => n.target.join(" ")),
  }));
}"""

# The element whose right edge reaches furthest past the window: the one to fix when a page scrolls sideways.
_WIDEST = """() => {
  const limit = document.documentElement.clientWidth;
  let widest = null, right = limit;
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect().right;
    if (r > right + 0.5) { right = r; widest = el; }
  }
  if (!widest) return "";
  const id = widest.id ? "#" + widest.id : "";
  const cls = widest.classList.length ? "." + [...widest.classList].join(".") : "";
  return `${widest.tagName.toLowerCase()}${id}${cls} reaches ${Math.round(right)} px`;
}"""


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on a page: the rule id, how bad, which elements, and what axe says to do."""

    rule: str
    impact: str
    help: str
    help_url: str
    targets: tuple[str, ...]

    @property
    def blocking(self) -> bool:
        return self.impact in BLOCKING_IMPACTS

    def describe(self) -> str:
        shown = ", ".join(self.targets[:5]) + (f" (+{len(self.targets) - 5} more)" if len(self.targets) > 5 else "")
        return f"{self.rule} [{self.impact}] on {shown}: {self.help} ({self.help_url})"


class Axe:
    """axe-core injected into a Playwright page, run on demand."""

    def violations(self, page: Page) -> list[Violation]:
        """Every violation axe finds in the page as it is now (all impacts)."""
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(AXE_SOURCE)
        found = page.evaluate(_RUN_AXE)
        return [Violation(f["rule"], f["impact"], f["help"], f["help_url"], tuple(f["targets"])) for f in found]

    def blocking(self, page: Page, *, allowed: tuple[str, ...] | list[str] = ()) -> list[Violation]:
        """The serious and critical violations, less the rule ids in `allowed`."""
        return [v for v in self.violations(page) if v.blocking and v.rule not in allowed]

    def check(self, page: Page, *, allowed: tuple[str, ...] | list[str] = ()) -> None:
        """Fail the test on any serious or critical violation whose rule is not in `allowed`."""
        problems = self.blocking(page, allowed=allowed)
        if problems:
            listing = "\n  ".join(v.describe() for v in problems)
            pytest.fail(f"axe-core: {len(problems)} serious or critical on {page.url}:\n  {listing}", pytrace=False)


@pytest.fixture
def axe() -> Axe:
    """axe.check(page) fails on serious or critical accessibility violations; axe.violations(page) lists all."""
    return Axe()


def sideways_overflow(page: Page) -> str:
    """'' when the page fits its window's width; else by how much it scrolls sideways and the widest element."""
    scroll, client = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if scroll <= client:
        return ""
    return f"scrollWidth {scroll} > clientWidth {client}; {page.evaluate(_WIDEST)}"


def submit_sign_in(page: Page, base_url: str, username: str) -> None:
    """Open the sign-in page and submit the user's username and the synthetic password with Enter."""
    page.goto(f"{base_url}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")


def sign_in(page: Page, base_url: str, username: str) -> None:
    """Sign in as `username` and wait for the home page, headed with the facility's name."""
    submit_sign_in(page, base_url, username)
    expect(page.get_by_role("heading", name=FACILITY_NAME)).to_be_visible()
