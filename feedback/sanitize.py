"""Text normalisation and display: the only module that imports bleach.

What people type is stored as plain text and escaped on output. For display, linkify() escapes the
whole text and then turns bare http(s) URLs into links marked nofollow, noopener and ugc.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import partial

import bleach
from bleach.linkifier import LinkifyFilter
from markupsafe import Markup

LINK_REL = "nofollow noopener ugc"
_HREF = (None, "href")
_REL = (None, "rel")
# Unicode's control characters (category Cc: U+0000-U+001F and U+007F-U+009F), except the newline, and
# its bidirectional controls (embeddings, overrides, isolates U+202A-U+202E, U+2066-U+2069, and the marks
# U+200E, U+200F, U+061C): they make text display otherwise than typed ("rlo\u202eevil" reads "rlolive"),
# to moderators too; pages mark people's text dir="auto" instead. One compiled pattern instead of a
# look-up per character; tests/test_sanitize.py checks it against unicodedata over every code point.
_CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def normalise_text(text: str | None) -> str:
    """NFC, newlines as \\n, tabs as spaces, other control and bidi characters removed, outer space trimmed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROLS.sub("", text).strip()


def _only_web_links(attrs: dict, new: bool = False) -> dict | None:
    """Keep links to http(s) only, and mark every one as user-generated."""
    href = attrs.get(_HREF, "")
    if not href.lower().startswith(("http://", "https://")):
        return None
    attrs[_REL] = LINK_REL
    return attrs


# One Cleaner per thread: a Cleaner keeps its parser's state between calls, so threads (GUNICORN_THREADS)
# sharing one would mix each other's text. Building one per call would cost more than the cleaning.
_per_thread = threading.local()


def _cleaner() -> bleach.Cleaner:
    """This thread's Cleaner: nothing but text, and web links marked as user-generated."""
    cleaner = getattr(_per_thread, "cleaner", None)
    if cleaner is None:
        cleaner = _per_thread.cleaner = bleach.Cleaner(
            tags=set(),
            attributes={},
            strip=False,
            # bleach drops a link whose callback returns None; types-bleach says a callback always returns attributes.
            filters=[partial(LinkifyFilter, callbacks=[_only_web_links], parse_email=False)],  # type: ignore[list-item]
        )
    return cleaner


def linkify(text: str | None) -> Markup:
    """Escape text for HTML and link its web addresses."""
    return Markup(_cleaner().clean(text or ""))


def init_app(app) -> None:
    app.add_template_filter(linkify, "linkify")
