"""Layout checks the browser tests share (issue 22): nothing scrolls sideways, the header stays
one line high at desktop width, and the skip link, when focused, is on screen and not covered
by anything (WCAG 2.4.7). One round trip: LAYOUT is a function of the viewport width that
and the limit, that returns what it found wrong, as sentences."""

from __future__ import annotations

HEADER_MAX_PX = 80

LAYOUT = """([width, headerMax]) => {
  const problems = [];
  const page = document.documentElement;
  if (page.scrollWidth > window.innerWidth) {
    problems.push(`scrolls sideways: ${page.scrollWidth} px wide in ${window.innerWidth} px`);
  }
  const header = document.querySelector('header');
  const height = header ? header.getBoundingClientRect().height : 0;
  if (width >= 1280 && height >= headerMax) {
    problems.push(`header ${Math.round(height)} px high at ${width} px`);
  }
  const skip = document.querySelector('a[href="#innhold"]');
  if (!skip) { problems.push('no skip link'); return problems; }
  const before = document.activeElement;
  const scrolled = [window.scrollX, window.scrollY];
  skip.focus();
  const r = skip.getBoundingClientRect();
  const onScreen = r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0
    && r.bottom <= window.innerHeight && r.right <= window.innerWidth;
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  if (document.activeElement !== skip) problems.push('the skip link takes no focus');
  else if (!onScreen) problems.push(`the focused skip link is off screen: ${JSON.stringify(r)}`);
  else if (!hit || !skip.contains(hit)) {
    problems.push(`the focused skip link is covered by ${hit ? hit.outerHTML.slice(0, 80) : 'nothing'}`);
  }
  skip.blur();
  if (before && before !== document.body && before.focus) before.focus();
  window.scrollTo(scrolled[0], scrolled[1]);
  return problems;
}"""


def layout_problems(page, width: int, label: str) -> list[str]:
    return described(page.evaluate(LAYOUT, [width, HEADER_MAX_PX]), width, label)


def described(problems: list[str], width: int, label: str) -> list[str]:
    """What LAYOUT returned, each problem named with the page and the width."""
    return [f"{label} at {width} px: {problem}" for problem in problems]
