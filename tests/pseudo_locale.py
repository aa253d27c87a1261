"""A pseudo locale for finding English that was never marked for translation.

Every message of the template (feedback/translations/messages.pot) is "translated" into itself, wrapped in ⟦…⟧
with its letters swapped for accented look-alikes, so a marked string reads as ⟦Çĥéçķ á ŕéçéîþţ⟧ and an unmarked
one stays plain English. Placeholders, HTML tags and entities are kept as they are, so every message still
renders. What is left in plain ASCII letters once the pseudo text and the data are taken away was never marked.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path

import polib

# Greek: Babel knows it and the app does not ship it, and its dates ("1 Δεκεμβρίου 2026", "Δεκ 2026") are in
# Greek letters, so a date Babel formats is never mistaken for English, and a date written in English (strftime,
# a month name in a template) is found like any other unmarked text.
LOCALE = "el"
OPEN, CLOSE = "⟦", "⟧"
_LOOK_ALIKES = str.maketrans(string.ascii_lowercase + string.ascii_uppercase,
                             "áƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýž" "ÁƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ")
# Kept as written: %(name)s, %s, %d and %%; {name}; HTML tags; entities (&amp; &#39;).
_KEPT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]|\{[^{}]*\}|<[^<>]*>|&#?\w+;")


def pseudo(text: str) -> str:
    """The text in the pseudo locale: ⟦…⟧ around it, its letters accented, its placeholders, tags and entities
    untouched."""
    pieces, last = [], 0
    for kept in _KEPT.finditer(text):
        pieces += [text[last:kept.start()].translate(_LOOK_ALIKES), kept.group()]
        last = kept.end()
    pieces.append(text[last:].translate(_LOOK_ALIKES))
    return OPEN + "".join(pieces) + CLOSE


def pseudo_entry(entry: polib.POEntry) -> polib.POEntry:
    """The template's entry with its pseudo translation (both forms of a plural)."""
    translated = polib.POEntry(msgctxt=entry.msgctxt, msgid=entry.msgid, msgid_plural=entry.msgid_plural,
                               flags=[f for f in entry.flags if f != "fuzzy"])
    if entry.msgid_plural:
        translated.msgstr_plural = {0: pseudo(entry.msgid), 1: pseudo(entry.msgid_plural)}
    else:
        translated.msgstr = pseudo(entry.msgid)
    return translated


def write_catalog(template: Path, directory: Path, locale: str = LOCALE, left_out: Iterable[str] = ()) -> Path:
    """Compile the pseudo catalog of every message in template (but the left_out msgids, which then read as if
    never marked) into directory, a BABEL_TRANSLATION_DIRECTORIES entry; returns the .mo file's path."""
    catalog = polib.POFile()
    # English plural rules: "1 question" takes the singular, as the English text it stands for.
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": locale,
                        "Plural-Forms": "nplurals=2; plural=(n != 1);"}
    catalog.extend(pseudo_entry(entry) for entry in polib.pofile(str(template))
                   if not entry.obsolete and entry.msgid not in set(left_out))
    compiled = directory / locale / "LC_MESSAGES" / "messages.mo"
    compiled.parent.mkdir(parents=True, exist_ok=True)
    catalog.save_as_mofile(str(compiled))
    return compiled


# Attributes a person reads or hears: tooltips, screen-reader labels, image text, hints, copy buttons' feedback.
READ_ATTRIBUTES = {"title", "aria-label", "alt", "placeholder", "aria-description", "aria-roledescription",
                   "aria-valuetext", "data-copied"}
BUTTON_INPUTS = {"submit", "button", "reset"}
# Not read as prose: scripts and styles, and commands, keys and codes as typed (<code>flask …</code>, <kbd>J</kbd>).
HIDDEN_ELEMENTS = {"script", "style", "code", "kbd", "samp"}
# People's text is shown with dir="auto" (and quoted, highlighted or in a textarea): a piece of it there may be
# any part of what was written.
PEOPLE_ELEMENTS = {"mark", "q", "textarea"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class VisibleText(HTMLParser):
    """The pieces of a page a person reads, with the pseudo locale's text taken out: `pieces` is a list of
    (text, in_people_text). A ⟦…⟧ may hold tags (a link in a sentence), so its depth carries across text nodes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[tuple[str, bool]] = []
        self.depth = 0
        self._open: list[tuple[str, bool]] = []  # (tag, people's text) of the elements open here

    def _inside(self, kinds: set[str]) -> bool:
        return any(tag in kinds for tag, _ in self._open)

    def _in_people_text(self) -> bool:
        return any(people for _, people in self._open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        people = values.get("dir") == "auto" or tag in PEOPLE_ELEMENTS
        for name, value in attrs:
            readable = name in READ_ATTRIBUTES or (name == "value" and tag == "input"
                                                   and (values.get("type") or "") in BUTTON_INPUTS)
            if value and readable:
                text, _depth = outside_pseudo(value, 0)
                self.pieces.append((text, people or self._in_people_text()))
        if tag not in VOID:
            self._open.append((tag, people))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._open.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):  # close it and anything left open inside it
            if self._open[i][0] == tag:
                del self._open[i:]
                return

    def handle_data(self, data: str) -> None:
        if self._inside(HIDDEN_ELEMENTS):
            return
        text, self.depth = outside_pseudo(data, self.depth)
        self.pieces.append((text, self._in_people_text()))


def outside_pseudo(text: str, depth: int) -> tuple[str, int]:
    """The text outside ⟦…⟧ (what was inside becomes a line break, so the pieces around it stay apart), and the
    depth at its end."""
    kept = []
    for char in text:
        if char == OPEN:
            depth += 1
            kept.append("\n")
        elif char == CLOSE:
            depth = max(depth - 1, 0)
            kept.append("\n")
        elif depth == 0:
            kept.append(char)
    return "".join(kept), depth


def visible_pieces(html: str) -> tuple[list[tuple[str, bool]], bool]:
    """The page's visible text outside the pseudo locale, as (piece, in_people_text) with whitespace collapsed,
    and whether its ⟦ and ⟧ balance (if not, text after a stray ⟦ would be hidden from the check)."""
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    pieces = []
    for text, people in parser.pieces:
        for line in text.split("\n"):
            line = " ".join(line.split())
            if line:
                pieces.append((line, people))
    return pieces, parser.depth == 0


_URL_OR_EMAIL = re.compile(r"\b(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<!\w)/[\w./?=&%#-]+")
_WITH_DIGIT = re.compile(r"\S*\d\S*")  # numbers, dates, times, receipt and event codes, ids, hashes
_IDENTIFIER = re.compile(r"\b[a-z]+(?:[._][a-z]+)+\b")  # audit actions and setting keys: theme.create, summary_k
ELLIPSES = ("…", "...")
_WORD = re.compile(r"[A-Za-z]{2,}")
_NOT_ASCII_WORD = re.compile(r"\b[^\W\d_a-zA-Z]+\b")


class Data:
    """What the demo put in the database and a page shows as it is: it is never marked, and is not English text
    of the app's (titles, theme names, people's text, names, e-mail addresses)."""

    def __init__(self, values: Iterable[str], allowed: Iterable[str]) -> None:
        cleaned = {" ".join(v.split()) for v in values if v and v.strip()}
        self.values = cleaned
        self._joined = "\x00".join(sorted(cleaned))
        self._lower = self._joined.lower()
        # Short values, found inside a piece that also holds other text ("Grace Mensah (grace@…)", "Theme: x").
        short = [v for v in cleaned | set(allowed) if len(v) <= 120 and _WORD.search(v)]
        self._short = _any_of(short)
        # For showing a finding: not the lowercase words data also holds (a keyword, "login"), which read as text.
        self._names = _any_of([v for v in short if not re.fullmatch(r"[a-z]+", v)])
        self._cache: dict[tuple[str, bool], str] = {}

    def _is_part_of_some(self, piece: str, any_case: bool) -> bool:
        return (piece.lower() in self._lower) if any_case else (piece in self._joined)

    def is_data(self, piece: str, in_people_text: bool) -> bool:
        """Whether the piece is data: a whole value, an excerpt of one ("The first words…"), or, inside people's
        text or once it is three words long, any part of one (a highlight splits a comment into pieces)."""
        if piece in self.values:
            return True
        trimmed = piece
        for ellipsis in ELLIPSES:
            trimmed = trimmed.removeprefix(ellipsis).removesuffix(ellipsis).strip()
        excerpt = trimmed != piece
        if in_people_text or excerpt or len(trimmed.split()) >= 3:
            return bool(trimmed) and self._is_part_of_some(trimmed, any_case=in_people_text)
        return False

    def unmarked(self, piece: str, in_people_text: bool) -> str:
        """What in the piece reads as English the catalog does not know ("" when nothing does)."""
        key = (piece, in_people_text)
        if key not in self._cache:
            self._cache[key] = self._unmarked(piece, in_people_text)
        return self._cache[key]

    def shape(self, piece: str) -> str:
        """The piece with its data, numbers and codes (and words in other scripts: dates) written "…", so that
        "Page 1 of 15" and "Page 2 of 15" read as one finding."""
        rest = _URL_OR_EMAIL.sub("…", piece)
        if self._names is not None:
            rest = self._names.sub("…", rest)
        rest = _NOT_ASCII_WORD.sub("…", _WITH_DIGIT.sub("…", rest))
        return re.sub(r"…(?:\s*…)+", "…", rest)

    def _unmarked(self, piece: str, in_people_text: bool) -> str:
        if not _WORD.search(piece) or self.is_data(piece, in_people_text):
            return ""
        rest = _URL_OR_EMAIL.sub(" ", piece)
        if self._short is not None:
            rest = self._short.sub(" ", rest)
        rest = _IDENTIFIER.sub(" ", _WITH_DIGIT.sub(" ", rest))
        return piece if _WORD.search(rest) else ""


def _any_of(values: Iterable[str]) -> re.Pattern[str] | None:
    """A match for any of the values as whole words, the longest first."""
    ordered = sorted(set(values), key=lambda v: (-len(v), v))
    return re.compile("|".join(rf"(?<!\w){re.escape(v)}(?!\w)" for v in ordered)) if ordered else None


def data_values(rows: Iterable[Iterable[object]]) -> list[str]:
    """Every string in the rows, and each line of the multi-line ones (a theme's keywords, one a line)."""
    found = []
    for row in rows:
        for value in row:
            if isinstance(value, str) and value:
                found.append(value)
                found += [line for line in value.splitlines() if line.strip()] if "\n" in value else []
    return found
