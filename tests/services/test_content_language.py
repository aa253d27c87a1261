"""Which language an organisation's text is read in (feedback.services.content_language)."""

from __future__ import annotations

from types import SimpleNamespace

from feedback import i18n
from feedback.services import content_language
from feedback.services.content_language import Chosen, Versioned

HALL = SimpleNamespace(title="Belonging on the wards", prompt="",
                       versions={"es": {"title": "Pertenencia en las salas", "prompt": "¿Qué haría falta?"}})


def test_a_reader_of_a_written_version_gets_it_in_that_language():
    assert content_language.localized(HALL, "title", "es") == Chosen("Pertenencia en las salas", "es")


def test_a_reader_of_english_gets_the_base_text():
    assert content_language.localized(HALL, "title", "en") == Chosen("Belonging on the wards", "en")


def test_a_reader_whose_language_has_no_version_gets_the_english():
    plain = SimpleNamespace(title="Pay and hours", versions={})
    assert content_language.localized(plain, "title", "es") == Chosen("Pay and hours", "en")


def test_a_reader_of_english_gets_a_version_when_the_base_text_is_empty():
    assert content_language.localized(HALL, "prompt", "en") == Chosen("¿Qué haría falta?", "es")


def test_a_versioned_text_reads_compares_and_prints_as_its_base_text():
    name = content_language.of(SimpleNamespace(name="Belonging", versions={"es": {"name": "Pertenencia"}}), "name")
    assert name == "Belonging" and f"{name}" == "Belonging"
    assert content_language.choose(name, "es") == Chosen("Pertenencia", "es")
    assert content_language.choose("Plain", "es") == Chosen("Plain", "en")


def test_setting_a_version_strips_it_and_a_blank_one_clears_the_field_and_the_language():
    versions = content_language.with_version({}, "es", {"title": "  Pertenencia ", "prompt": ""})
    assert versions == {"es": {"title": "Pertenencia"}}
    assert content_language.with_version(versions, "es", {"title": " "}) == {}
    assert versions == {"es": {"title": "Pertenencia"}}  # a new dict: the one given is not changed


def test_cutting_a_versioned_text_cuts_every_version():
    cut = content_language.cut(Versioned("a" * 10, {"es": "b" * 10}), 5)
    assert (cut, content_language.choose(cut, "es").text) == ("aaaa\u2026", "bbbb\u2026")


def test_the_base_language_is_the_apps_default():
    assert content_language.BASE_LANGUAGE == i18n.DEFAULT
