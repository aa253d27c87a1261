"""Organisation text (town-hall titles and prompts, theme names, action text) in the reader's language.

`{{ hall|localized("title") }}` for a model's field, `{{ action.title|localized }}` for a service's Versioned
text: the escaped text, wrapped in <span lang="..."> when it is in another language than the page's, so a screen
reader switches voice. `localized_text` gives the plain text, for <title> and attribute values (Jinja escapes it);
`content_lang` the lang attribute alone, for an element the template writes itself.
The text is never marked safe as it is: only the span around it is ours.
"""

from __future__ import annotations

from flask import Flask
from markupsafe import Markup, escape

from feedback.i18n import current_language
from feedback.services import content_language


def _chosen(value: object, field: str | None) -> content_language.Chosen:
    if field is not None:
        return content_language.localized(value, field, current_language())
    return content_language.choose(value if isinstance(value, str) else str(value or ""), current_language())


def localized(value: object, field: str | None = None) -> Markup:
    """The text for this page's reader, escaped, marked with its language when that is not the page's."""
    chosen = _chosen(value, field)
    if chosen.language == current_language() or not chosen.text:
        return escape(chosen.text)
    return Markup('<span lang="{}">{}</span>').format(chosen.language, chosen.text)


def localized_text(value: object, field: str | None = None) -> str:
    """The text for this page's reader, plain (Jinja escapes it where it is printed)."""
    return _chosen(value, field).text


def content_lang(value: object, field: str | None = None) -> Markup:
    """` lang="en"` for an element the template gives (a div holding linkified text) when the text for this page's
    reader is in another language than the page's, else nothing."""
    chosen = _chosen(value, field)
    if chosen.language == current_language() or not chosen.text:
        return Markup("")
    return Markup(' lang="{}"').format(chosen.language)


def init_app(app: Flask) -> None:
    app.add_template_filter(localized, "localized")
    app.add_template_filter(content_lang, "content_lang")
    app.add_template_filter(localized_text, "localized_text")
