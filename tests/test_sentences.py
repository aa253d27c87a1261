"""A service's Sentence is said in the reader's language by explain, and in English by str()."""

from __future__ import annotations

import polib

from feedback.i18n import explain
from feedback.sentences import PluralSentence, Sentence


class Refusal(ValueError):
    pass


def test_str_gives_the_english_with_its_values():
    assert str(Sentence("“%(title)s” is published.", title="Plan")) == "“Plan” is published."
    assert str(Sentence("50% of nothing")) == "50% of nothing"
    assert str(PluralSentence("%(num)s question", "%(num)s questions", 1)) == "1 question"
    assert str(PluralSentence("%(num)s question", "%(num)s questions", 3)) == "3 questions"
    assert str(Refusal(Sentence("No %(what)s.", what="title"))) == "No title."




def test_explain_says_a_sentence_or_an_error_carrying_one_in_the_readers_language(app):
    catalog = polib.pofile("feedback/translations/es/LC_MESSAGES/messages.po")
    entry = next(e for e in catalog if e.msgid and not e.msgid_plural and "%" not in e.msgid)
    with app.test_request_context(headers={"Cookie": "lang=es"}):
        assert explain(Sentence(entry.msgid)) == entry.msgstr
        assert explain(Refusal(Sentence(entry.msgid))) == entry.msgstr
        assert explain(Refusal("already said")) == "already said"
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        assert explain(Refusal(Sentence(entry.msgid))) == entry.msgid


def test_explain_fills_values_after_translating_and_does_not_mark_them_safe(app):
    with app.test_request_context():
        said = explain(Sentence("“%(title)s” is published.", title="<b>x</b>"))
    assert said == "“<b>x</b>” is published." and not hasattr(said, "__html__")


def test_whole_numbers_are_written_by_the_readers_locale_and_in_english_by_str(app):
    limit = Sentence("Up to %(max)s characters.", max=10000)
    assert str(limit) == "Up to 10,000 characters."
    assert str(PluralSentence("%(num)s question", "%(num)s questions", 1500)) == "1,500 questions"
    with app.test_request_context(headers={"Cookie": "lang=es"}):
        assert explain(limit) == "Up to 10.000 characters."
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        assert explain(limit) == "Up to 10,000 characters."
        assert explain(Sentence("%(flag)s and %(name)s", flag=True, name="Ward 4")) == "True and Ward 4"


def test_a_validators_said_message_is_escaped_in_a_page_whatever_its_values(app):
    from feedback.forms.fields import said

    message = said(Sentence("No theme is called “%(name)s”.", name="<b>x</b>"))
    with app.test_request_context():
        assert str(message) == "No theme is called “<b>x</b>”."
        assert app.jinja_env.from_string("{{ m }}").render(m=message) == "No theme is called “&lt;b&gt;x&lt;/b&gt;”."
