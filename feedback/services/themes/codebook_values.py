"""A theme's values as a facilitator types them: their limits, the colour, keywords one a line, and cleaning them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from feedback.models import DEFAULT_THEME_COLOUR
from feedback.sanitize import normalise_text
from feedback.sentences import Sentence

NAME_MAX = 80
DEFINITION_MAX = 200
EXAMPLE_MAX = 1000
KEYWORD_MAX = 60
KEYWORDS_MAX = 40
DEFAULT_COLOUR = DEFAULT_THEME_COLOUR
COLOUR = re.compile(r"#[0-9a-f]{6}")
# Said by the service and, before it, by the theme form's validators: one sentence each, in one place.
SHORTEN_NAME = Sentence("Shorten the name to %(max)s characters or fewer.", max=NAME_MAX)
SHORTEN_DEFINITION = Sentence("Shorten the definition to %(max)s characters or fewer.", max=DEFINITION_MAX)
SHORTEN_EXAMPLE = Sentence("Shorten the example to %(max)s characters or fewer.", max=EXAMPLE_MAX)
COLOUR_FORMAT = Sentence("Enter the colour as # and six hexadecimal digits, like #4c6a92.")


def safe_colour(value: str) -> str:
    """The theme's colour if it is "#rrggbb", else the default: it goes into SVG fill attributes."""
    return value if COLOUR.fullmatch((value or "").lower()) else DEFAULT_COLOUR


@dataclass(frozen=True)
class ThemeValues:
    """What a facilitator typed for a theme. keywords: one word or phrase a line."""

    name: str
    definition: str = ""
    example: str = ""
    colour: str = DEFAULT_COLOUR
    keywords: str = ""
    parent_id: int | None = None


def keyword_list(text: str) -> list[str]:
    return [line for line in text.split("\n") if line]


def _keywords(text: str, problems: list[tuple[str, Sentence]]) -> str:
    """The keywords one a line, spaces tidied, repeats dropped; a problem for each that does not fit."""
    words: list[str] = []
    for line in normalise_text(text).split("\n"):
        word = " ".join(line.split())
        if not word or word.casefold() in {w.casefold() for w in words}:
            continue
        if ";" in word:
            problems.append(("keywords", Sentence("A keyword cannot contain “;”: the CSV export separates keywords "
                                                 "with it.")))
        elif len(word) > KEYWORD_MAX:
            problems.append(("keywords", Sentence("Shorten the keyword “%(start)s…” to %(max)s characters or fewer.",
                                                 start=word[:30], max=KEYWORD_MAX)))
        words.append(word)
    if len(words) > KEYWORDS_MAX:
        problems.append(("keywords", Sentence("Keep to %(max)s keywords or fewer.", max=KEYWORDS_MAX)))
    return "\n".join(words)


def cleaned(values: ThemeValues) -> tuple[ThemeValues, list[tuple[str, Sentence]]]:
    """The values normalised as we store them, and every problem with them as (field, sentence)."""
    problems: list[tuple[str, Sentence]] = []
    name, definition = normalise_text(values.name), normalise_text(values.definition)
    example, colour = normalise_text(values.example), normalise_text(values.colour).lower()
    if not name:
        problems.append(("name", Sentence("Enter a name for the theme.")))
    elif "\n" in name:
        problems.append(("name", Sentence("Keep the name on one line.")))
    elif len(name) > NAME_MAX:
        problems.append(("name", SHORTEN_NAME))
    if "\n" in definition:
        problems.append(("definition", Sentence("Keep the definition on one line: it is shown as a hint beside the "
                                                "theme.")))
    elif len(definition) > DEFINITION_MAX:
        problems.append(("definition", SHORTEN_DEFINITION))
    if len(example) > EXAMPLE_MAX:
        problems.append(("example", SHORTEN_EXAMPLE))
    if not COLOUR.fullmatch(colour):
        problems.append(("colour", COLOUR_FORMAT))
    keywords = _keywords(values.keywords, problems)
    return ThemeValues(name, definition, example, colour, keywords, values.parent_id), problems
