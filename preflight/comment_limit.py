"""Keep a Markdown report inside GitHub's comment size limit.

GitHub refuses an issue or pull-request comment body over 65,536 characters, so a large diff
would post nothing at all. The headline, gates, tables and mandatory findings come first in every
report and are never cut; when the text is too long, the collapsed `<details>` sections are
shortened, largest first, each ending with a line that says how much was left out and where the
whole report is (the JSON or SARIF artifact of the same run).
"""

from __future__ import annotations

GITHUB_COMMENT_LIMIT = 65_536
"""Characters GitHub accepts in one comment body."""
HEADROOM = 1_536
"""Room left for what CI wraps around the report (a link to the run, a footer)."""
DEFAULT_LIMIT = GITHUB_COMMENT_LIMIT - HEADROOM

_OPEN, _CLOSE = "<details>", "</details>"


def omitted_note(lines: int) -> str:
    return (
        f"*… {lines} more line{'s' if lines != 1 else ''} left out to fit GitHub's comment size limit; "
        "the whole report is in the run's JSON/SARIF artifact (`--format json`).*"
    )


def _sections(lines: list[str]) -> list[tuple[int, int]]:
    """(first body line, closing line) of every top-level collapsed section."""
    spans, start, depth = [], -1, 0
    for i, line in enumerate(lines):
        if line.strip() == _OPEN:
            depth += 1
            if depth == 1:
                start = i
        elif line.strip() == _CLOSE and depth:
            depth -= 1
            if depth == 0:
                # Body starts after `<details>`, `<summary>…</summary>` and the blank line.
                spans.append((min(start + 3, i), i))
    return spans


def fit_comment(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """`text` unchanged when it fits; otherwise collapsed sections shortened until it does."""
    if len(text) <= limit:
        return text
    lines = text.splitlines()
    while len("\n".join(lines)) + 1 > limit:
        spans = [(a, b) for a, b in _sections(lines) if b - a > 1]
        if not spans:
            break
        first, close = max(spans, key=lambda span: sum(len(x) + 1 for x in lines[span[0] : span[1]]))
        body = lines[first:close]
        excess = len("\n".join(lines)) + 1 - limit
        keep = len(body)
        dropped_chars = 0
        # Drop whole lines from the end of the body until enough is gone (the note costs ~170).
        while keep > 0 and dropped_chars < excess + len(omitted_note(len(body))) + 1:
            keep -= 1
            dropped_chars += len(body[keep]) + 1
        # Enough is dropped from this one section for the whole text to fit, or all of it (then
        # the next largest section goes next; a section that is only its note is not shortened).
        lines[first:close] = [*body[:keep], omitted_note(len(body) - keep)]
    result = "\n".join(lines) + "\n"
    if len(result) > limit:
        # Only open text is left and it is still too long: cut at a line and say so.
        cut = result[: limit - 400].rsplit("\n", 1)[0]
        result = f"{cut}\n\n{omitted_note(result[len(cut) :].count(chr(10)))}\n"
    return result
