"""Reading a leadership page or export: its tables, headline and quotes, and what each printed number says.

Two sets of rules, as the pages state them. "old" (live counts, before issue 11): a plain number is
exact, "fewer than k" is 1 to k-1, "not shown" is 0 or at least k. "new" (released counts with noise):
"about N" is a released value N, "fewer than k" a released value under k, "not released yet" nothing;
a plain number in a count cell is exact, unless its column says "approximate".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# ---------------------------------------------------------------------------------------------------------
# Readings: what one printed number says about the group behind it.

@dataclass(frozen=True)
class Reading:
    """kind: "exact" (= value), "at_least" / "at_most" (a bound), "small" (1 to k-1), "zero_or_k" (0 or >= k),
    "about" (a released value),
    "under" (a released value under k)."""

    kind: str
    value: int | None = None
    text: str = ""


class Unread(ValueError):
    """A count cell whose words the reader does not know: the reader must understand every number."""


def read_count(text: str, rules: str, k: int, *, approximate: bool = False) -> Reading | None:
    """A count cell as the page's rules define it; None when it says nothing (empty, not released yet)."""
    t = re.sub(r"\s+", " ", text).strip()
    if not t or t.casefold() in ("not released yet", "not released", "no release yet"):
        return None
    if re.fullmatch(r"\d+", t):
        return Reading("about" if approximate else "exact", int(t), t)
    if approximate and re.fullmatch(r"-\d+", t):
        return Reading("about", int(t), t)
    if m := re.fullmatch(r"about (-?\d+)", t):
        return Reading("about", int(m.group(1)), t)
    if t.casefold() == f"fewer than {k}":
        return Reading("small" if rules == "old" else "under", None, t)
    if t.casefold() == "not shown" and rules == "old":
        return Reading("zero_or_k", None, t)
    raise Unread(f"a count cell reads {t!r}")


def read_share(text: str) -> int | None:
    t = text.strip()
    if not t:
        return None
    if m := re.fullmatch(r"(\d+)%", t):
        return int(m.group(1))
    raise Unread(f"a share reads {t!r}")


def read_change(text: str) -> int | None:
    t = re.sub(r"\s+", " ", text).strip().casefold()
    if not t:
        return None
    if t == "no change":
        return 0
    if m := re.fullmatch(r"(?:about )?(\d+) (more|fewer)", t):
        return int(m.group(1)) * (1 if m.group(2) == "more" else -1)
    raise Unread(f"a change reads {text!r}")


# ---------------------------------------------------------------------------------------------------------
# Pages.

@dataclass
class Table:
    caption: str
    head: list[list[str]] = field(default_factory=list)
    body: list[list[str]] = field(default_factory=list)
    foot: list[list[str]] = field(default_factory=list)


@dataclass
class Quote:
    theme: str  # the heading it is under
    text: str
    caption: str


class Page(HTMLParser):
    """Tables (caption, head, body, foot), <dl> pairs, and quotes with the heading they are under."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[Table] = []
        self.pairs: list[tuple[str, str]] = []
        self.quotes: list[Quote] = []
        self._table: Table | None = None
        self._section = "body"
        self._text: list[str] | None = None  # the element whose text is being collected
        self._what = ""
        self._h3 = ""
        self._dt = ""
        self._figure: dict | None = None
        self._svg = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "svg":
            self._svg += 1
        if self._svg:
            return
        if tag == "table":
            self._table, self._section = Table(""), "body"
        elif tag in ("thead", "tbody", "tfoot") and self._table is not None:
            self._section = tag[1:]
        elif tag == "tr" and self._table is not None:
            getattr(self._table, self._section).append([])
        elif tag in ("th", "td", "caption") and self._table is not None:
            self._start(tag)
        elif tag in ("h3", "dt", "dd"):
            self._start(tag)
        elif tag == "figure" and "quote" in (attributes.get("class") or "").split():
            self._figure = {"text": "", "caption": ""}
        elif tag in ("blockquote", "figcaption") and self._figure is not None:
            self._start(tag)

    def _start(self, what: str) -> None:
        self._text, self._what = [], what

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg -= 1
            return
        if self._svg:
            return
        if tag == self._what and self._text is not None:
            words = re.sub(r"\s+", " ", "".join(self._text)).strip()
            self._text, self._what = None, ""
            if tag == "caption" and self._table is not None:
                self._table.caption = words
            elif tag in ("th", "td") and self._table is not None:
                rows = getattr(self._table, self._section)
                if rows:
                    rows[-1].append(words)
            elif tag == "h3":
                self._h3 = words
            elif tag == "dt":
                self._dt = words
            elif tag == "dd":
                self.pairs.append((self._dt, words))
            elif tag == "blockquote" and self._figure is not None:
                self._figure["text"] = words
            elif tag == "figcaption" and self._figure is not None:
                self._figure["caption"] = words
        elif tag == "table" and self._table is not None:
            self.tables.append(self._table)
            self._table = None
        elif tag == "figure" and self._figure is not None:
            self.quotes.append(Quote(self._h3, self._figure["text"], self._figure["caption"]))
            self._figure = None

    def handle_data(self, data):
        if self._text is not None and not self._svg:
            self._text.append(data)


def parse_page(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page
