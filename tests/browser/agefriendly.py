"""Measurements of the 适老化 rules that axe does not make (DOMAIN.md, "Age-friendly pages"), taken in the page."""

from __future__ import annotations

from typing import Any

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_MEASURE_JS = """
([floor, keyFloor]) => {
  const problems = [];
  const visible = el => {
    const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'
      && !el.closest('.visually-hidden') && !el.closest('.skip-link');
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const t = walker.currentNode; if (!t.textContent.trim()) continue;
    const el = t.parentElement; if (!el || seen.has(el) || !visible(el)) continue; seen.add(el);
    const s = getComputedStyle(el); const size = parseFloat(s.fontSize);
    if (size < floor - 0.05) problems.push(`text ${size}px < ${floor}px: "${t.textContent.trim().slice(0, 20)}"`);
    const lh = s.lineHeight === 'normal' ? 1.2 * size : parseFloat(s.lineHeight);
    if (lh / size < 1.29) problems.push(`line-height ${(lh/size).toFixed(2)} too tight: "${t.textContent.trim().slice(0, 20)}"`);
  }
  for (const el of document.querySelectorAll('[data-key-text], .btn, .money')) {
    if (!visible(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < keyFloor - 0.05) problems.push(`key text ${size}px < ${keyFloor}px: "${el.textContent.trim().slice(0, 20)}"`);
  }
  for (const el of document.querySelectorAll('a, button, input:not([type=hidden]), select, textarea, [role=button]')) {
    if (!visible(el) || el.closest('.skip-link')) continue;
    const r = el.getBoundingClientRect();
    const primary = el.matches('.btn-primary, .btn-help, [data-primary]');
    const min = primary ? 60 : 44;
    const inline = el.tagName === 'A' && !el.classList.contains('btn') && getComputedStyle(el).display === 'inline';
    if (inline) continue;  // links inside running text are exempt (WCAG 2.5.8 inline exception)
    if (r.width < min - 0.5 || r.height < min - 0.5)
      problems.push(`target ${Math.round(r.width)}x${Math.round(r.height)} < ${min}: "${(el.textContent || el.name || '').trim().slice(0, 20)}"`);
  }
  return problems;
}
"""


def axe_violations(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    result = Axe().run(page, options=options)
    return list(result.response["violations"])


def describe(violations: list[dict[str, Any]]) -> list[str]:
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})" for v in violations]


# On senior, helper and family pages (html.care) the floor follows the 字号 step (issue 17).
CARE_FLOORS = {"fs-standard": 24, "fs-large": 28, "fs-xl": 32}
FIRST_SCREEN = {"width": 390, "height": 844}

_FIRST_SCREEN_JS = """
() => {
  const problems = [];
  const care = document.documentElement.classList.contains('care');
  const bar = document.querySelector('[data-help-bar]');
  let bottom = window.innerHeight;
  if (bar) {
    const b = bar.getBoundingClientRect();
    if (getComputedStyle(bar).position !== 'fixed' || b.top < 0 || b.bottom > window.innerHeight + 0.5)
      problems.push('电话求助 bar is not fixed on screen');
    bottom = Math.min(bottom, b.top);
  } else if (care) problems.push('no 电话求助 bar');
  const mains = [...document.querySelectorAll('[data-main-action]')].filter(el => {
    const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0;
  });
  if (!mains.length) {
    if (care && !document.querySelector('[data-no-main-action]')) problems.push('no main action marked (data-main-action)');
    return problems;
  }
  const r = mains[0].getBoundingClientRect();
  if (r.top < 0 || r.bottom > bottom + 0.5)
    problems.push(`main action not on the first screen: "${mains[0].textContent.trim().slice(0, 20)}" at y ${Math.round(r.top)}-${Math.round(r.bottom)}, visible to ${Math.round(bottom)}`);
  return problems;
}
"""


# Scrolled to the very end, the fixed bar covers nothing of the page: its last line sits above the bar.
_LAST_SCREEN_JS = """
() => {
  const bar = document.querySelector('[data-help-bar]');
  const main = document.querySelector('main');
  if (!bar || !main) return [];
  window.scrollTo(0, document.documentElement.scrollHeight);
  const shown = [...main.querySelectorAll('*')].filter(el => {
    const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && !el.closest('.visually-hidden');
  });
  const lowest = Math.max(...shown.map(el => el.getBoundingClientRect().bottom));
  const top = bar.getBoundingClientRect().top;
  window.scrollTo(0, 0);
  return lowest > top + 0.5 ? [`the 电话求助 bar covers the end of the page (${Math.round(lowest - top)}px)`] : [];
}
"""


def settled(page: Any) -> None:
    """Wait until the page's current document has loaded.

    A click that submits a form returns once the next document has *committed*, when it may not have parsed its
    <html> yet (documentElement is null for a moment); measuring then fails or measures nothing."""
    page.wait_for_load_state("load")
    page.wait_for_function("() => document.documentElement !== null && document.readyState === 'complete'")


def care_floor(page: Any) -> int | None:
    """The text floor of a senior, helper or family page at its current 字号 step; None on staff pages."""
    settled(page)
    classes = (page.evaluate("() => document.documentElement.className") or "").split()
    if "care" not in classes:
        return None
    return next((f for c, f in CARE_FLOORS.items() if c in classes), 24)


def size_problems(page: Any, floor: int = 18) -> list[str]:
    """Text >= floor px (18 on staff pages; 24 / 28 / 32 on senior, helper and family pages at 标准 / 大 / 特大),
    key text >= max(24, floor) px, targets >= 44 px (primary >= 60 px), line height >= 1.3 rendered."""
    return list(page.evaluate(_MEASURE_JS, [floor, max(24, floor)]))


def first_screen_problems(page: Any) -> list[str]:
    """At 390×844, scrolled to the top: the main action (the element marked data-main-action) lies wholly on the
    first screen, above the fixed 电话求助 bar. Pages with no action mark <main data-no-main-action>."""
    viewport = page.viewport_size
    page.set_viewport_size(FIRST_SCREEN)
    scroll = page.evaluate("() => [window.scrollX, window.scrollY]")
    page.evaluate("() => window.scrollTo(0, 0)")
    problems = list(page.evaluate(_FIRST_SCREEN_JS)) + list(page.evaluate(_LAST_SCREEN_JS))
    page.evaluate("([x, y]) => window.scrollTo(x, y)", scroll)
    if viewport:
        page.set_viewport_size(viewport)
    return problems


def horizontal_overflow_at_320(page: Any) -> int:
    """Pixels the page scrolls sideways at 320 px wide (must be 0)."""
    page.set_viewport_size({"width": 320, "height": 800})
    overflow = int(page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth"))
    return overflow


def check_page(page: Any, floor: int | None = None) -> list[str]:
    """Every measurable age-friendly rule at once; returns the problems (empty when the page passes).

    The text floor on pages marked for seniors, helpers and family (html.care) is that of the 字号 step (24 / 28 /
    32 px), 18 px elsewhere, unless given; care pages also keep their main action on the first screen of a
    390×844 phone, above the fixed 电话求助 bar."""
    settled(page)
    care = care_floor(page)
    if floor is None:
        floor = care or 18
    problems = describe(axe_violations(page)) + size_problems(page, floor)
    if care:
        problems += first_screen_problems(page)
    viewport = page.viewport_size
    overflow = horizontal_overflow_at_320(page)
    if overflow > 0:
        problems.append(f"horizontal scroll of {overflow}px at 320px width")
    if viewport:
        page.set_viewport_size(viewport)
    return problems
