"""Spot details in a text that could identify its writer, for the facilitator who redacts it.

This is a prompt for a human, not a filter: it flags likely details (an email, a phone number, a
handle, a listed name, a title and name, a date, a year or cohort, "the only ... in ...", "my unit's
only ...") and leaves the judgement to them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from feedback.services.text import whole_words

EMAIL, PHONE, HANDLE, NAME, YEAR, COHORT, ONLY = "email", "phone", "handle", "name", "year", "cohort", "only"
TITLE, DATE = "title", "date"

_WORD = r"[\w'’-]+"
_DASH = "[-‐‑‒–—]"  # a hyphen as typed or as a word processor turns it
_APOSTROPHE = "['’]"
_MONTH = (r"(?-i:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
          r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_PATTERNS = [
    (EMAIL, re.compile(r"(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    (PHONE, re.compile(r"(?<![\w@])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,5}\)[ .-]?)?\d{2,12}(?:[ .-]\d{2,8}){0,4}(?!\w)")),
    (HANDLE, re.compile(r"(?<![\w@.])@\w(?:[\w.]{0,28}\w)?")),
    # "Dr Example", "Professor X": a title, then a capitalised word (so "the doctor said" stays plain).
    (TITLE, re.compile(r"(?<!\w)(?i:Dr|Doctor|Prof|Professor|Mr|Mrs|Ms|Mx|Miss)\.?\s+[A-Z][\w'’-]*")),
    # "March 2026", "May of '24", "3 March", "March 14th, 2026": a month with a year or a day.
    (DATE, re.compile(
        rf"(?<!\w)(?:{_MONTH}\s+(?:of\s+)?(?:\d{{4}}|{_APOSTROPHE}\d{{2}})"
        rf"|{_MONTH}\s+{_DAY}(?:,?\s+\d{{4}})?"
        rf"|{_DAY}\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?)(?![\w'’])",
        re.IGNORECASE,
    )),
    (YEAR, re.compile(r"(?<![\w.])(?:19[5-9]\d|20[0-3]\d)(?!\d)")),
    (COHORT, re.compile(
        r"(?<!\w)(?:"
        rf"class(?:es)?(?:\s+|{_DASH})of(?:\s+|{_DASH})(?:{_APOSTROPHE})?\d{{2}}(?:\d{{2}})?"
        r"|(?:\d{4}\s+)?cohorts?(?:\s+(?:of\s+)?(?:(?:'|’)?\d{2}(?:\d{2})?|\d))?"
        rf"|PGY(?:{_DASH}|\s)?\d{{1,2}}s?"
        r"|(?-i:MS[- ]?[1-4]|M[1-4])"
        r"|intern\s+year"
        r"|(?:first|second|third|fourth|fifth|final|1st|2nd|3rd|4th|5th)[- ]years?"
        r"|year\s+[1-6]"
        r")(?!\w)",
        re.IGNORECASE,
    )),
    # "the only Black woman in my class": up to about eight words, within one sentence; "the only one
    # there"; and "my unit's only Black nurse": a group's only member, up to three words after "only".
    (ONLY, re.compile(
        rf"(?<!\w)(?:the\s+only(?:\s+{_WORD}){{1,4}}?\s+(?:(?:in|on|at)(?:[ \t]+{_WORD}){{1,2}}|here|there)(?!\w)"
        rf"|(?:my|our|the|this|his|her|their)\s+\w+{_APOSTROPHE}s?\s+only(?:[ \t]+(?!(?:in|on|at)\b){_WORD}){{1,3}})",
        re.IGNORECASE,
    )),
]
_ISO_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
_YEAR = re.compile(r"19[5-9]\d|20[0-3]\d")
PHONE_DIGITS = range(7, 16)


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    kind: str


def _is_phone(candidate: str) -> bool:
    """Seven to fifteen digits (ten or more if written without spaces), and not a date or a range of years."""
    digits = sum(ch.isdigit() for ch in candidate)
    groups = re.findall(r"\d+", candidate)
    if digits not in PHONE_DIGITS or _ISO_DATE.fullmatch(candidate) or (len(groups) == 1 and digits < 10):
        return False
    return not all(_YEAR.fullmatch(group) for group in groups)


def find(text: str, names: Iterable[str] = ()) -> list[Span]:
    """The likely identifying details in text, in order and never overlapping.

    Overlapping details merge into one span of the earliest one's kind ("the only ... in my class" and
    "class of 2027" become one), so a highlight never cuts another in two.
    """
    patterns = list(_PATTERNS)
    names_pattern = whole_words(names)  # the longest first, so "Ana Lucia" wins over "Ana"
    if names_pattern is not None:
        patterns.append((NAME, names_pattern))
    found = []
    for kind, pattern in patterns:
        for match in pattern.finditer(text):
            if match.end() > match.start() and (kind != PHONE or _is_phone(match.group())):
                found.append(Span(match.start(), match.end(), kind))
    found.sort(key=lambda span: (span.start, span.start - span.end))
    kept: list[Span] = []
    for span in found:
        if kept and span.start < kept[-1].end:
            if span.end > kept[-1].end:
                kept[-1] = Span(kept[-1].start, span.end, kept[-1].kind)
        else:
            kept.append(span)
    return kept


def segments(text: str, names: Iterable[str] = ()) -> list[tuple[str, str | None]]:
    """Text cut into pieces, each with the kind of detail it is (or None); the pieces join back to text."""
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for span in find(text, names):
        if span.start > position:
            pieces.append((text[position:span.start], None))
        pieces.append((text[span.start:span.end], span.kind))
        position = span.end
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces
