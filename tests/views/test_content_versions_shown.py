"""A town hall's title in the reader's language on the live session's pages, the presenter screen and the
receipt-issued page: the Spanish version for a Spanish reader with no lang mark, the English for an English
reader, and the English marked lang="en" for a Spanish reader of a town hall with no Spanish title (plain text in
<title>, where no markup can go)."""

from __future__ import annotations

import pytest

from feedback import clock
from feedback.services.live import sessions
from tests.browsing import send_concern, submission_form, text
from tests.factories import make_town_hall
from tests.live_pages import MODERATOR, ask, start

SPANISH_TITLE = "Pertenencia en las salas"
ENGLISH_TITLE = "Belonging on the wards"


@pytest.fixture
def spanish_hall(db_session, hall):
    hall.versions = {"es": {"title": SPANISH_TITLE}}
    db_session.commit()
    return hall


@pytest.fixture
def english_only_hall(db_session):
    return make_town_hall(db_session, "Pay and hours")


def read_in(client, language: str, path: str) -> str:
    client.set_cookie("lang", language)
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return text(response)


def presenter_path(db_session, live) -> str:
    return f"/present/{sessions.new_presenter_link(db_session, live.id, by=MODERATOR, now=clock.now())}"


# --- the live session's audience page and its feed ---

def test_a_spanish_reader_of_the_live_page_sees_the_spanish_title_unmarked(client, db_session, spanish_hall):
    live = start(db_session, spanish_hall)
    page = read_in(client, "es", f"/live/{live.code}")
    assert f"<h1>{SPANISH_TITLE}</h1>" in page
    assert f"<title>{SPANISH_TITLE}:" in page
    assert ENGLISH_TITLE not in page and 'lang="en"' not in page.split("<main", 1)[1]


def test_an_english_reader_of_the_live_page_sees_the_english_title(client, db_session, spanish_hall):
    live = start(db_session, spanish_hall)
    page = read_in(client, "en", f"/live/{live.code}")
    assert f"<h1>{ENGLISH_TITLE}</h1>" in page and f"<title>{ENGLISH_TITLE}: live questions" in page
    assert SPANISH_TITLE not in page


def test_a_spanish_reader_of_a_hall_with_no_spanish_title_sees_the_english_marked(client, db_session,
                                                                                  english_only_hall):
    live = start(db_session, english_only_hall)
    page = read_in(client, "es", f"/live/{live.code}")
    assert '<h1><span lang="en">Pay and hours</span></h1>' in page
    assert "<title>Pay and hours:" in page  # plain text: no markup in the title


def test_the_feed_a_spanish_reader_polls_holds_no_english_title(client, db_session, spanish_hall):
    """The feed shows no title (the page's heading stays), so nothing in it is in the wrong language."""
    live = start(db_session, spanish_hall)
    feed = read_in(client, "es", f"/live/{live.code}/feed")
    assert ENGLISH_TITLE not in feed and 'lang="en"' not in feed
    assert ENGLISH_TITLE not in read_in(client, "en", f"/live/{live.code}/feed")


# --- the presenter screen ---

def test_the_presenter_screen_shows_the_title_in_its_readers_language(client, db_session, spanish_hall):
    path = presenter_path(db_session, start(db_session, spanish_hall))
    spanish = read_in(client, "es", path)
    assert f'<h1 class="presenter-title">{SPANISH_TITLE}</h1>' in spanish and f"<title>{SPANISH_TITLE}:" in spanish
    assert ENGLISH_TITLE not in spanish
    english = read_in(client, "en", path)
    assert f'<h1 class="presenter-title">{ENGLISH_TITLE}</h1>' in english
    assert f"<title>{ENGLISH_TITLE}: presenter screen" in english and SPANISH_TITLE not in english
    assert ENGLISH_TITLE not in read_in(client, "es", f"{path}/feed")


def test_the_presenter_screen_of_a_hall_with_no_spanish_title_marks_the_english(client, db_session,
                                                                                 english_only_hall):
    page = read_in(client, "es", presenter_path(db_session, start(db_session, english_only_hall)))
    assert '<h1 class="presenter-title"><span lang="en">Pay and hours</span></h1>' in page
    assert "<title>Pay and hours:" in page


# --- the receipt-issued page ---

def issued_page(client, language: str, slug: str) -> str:
    client.set_cookie("lang", language)
    response = send_concern(client, slug)
    assert response.status_code == 200, response.status_code
    return text(response)


def test_the_receipt_names_the_town_hall_in_the_readers_language(client, spanish_hall):
    spanish = issued_page(client, "es", spanish_hall.slug)
    assert f"<strong>{SPANISH_TITLE}</strong>" in spanish and ENGLISH_TITLE not in spanish
    english = issued_page(client, "en", spanish_hall.slug)
    assert f"<strong>{ENGLISH_TITLE}</strong>" in english and SPANISH_TITLE not in english


def test_the_receipt_of_a_hall_with_no_spanish_title_marks_the_english(client, english_only_hall):
    page = issued_page(client, "es", english_only_hall.slug)
    assert '<strong><span lang="en">Pay and hours</span></strong>' in page


def test_a_retried_post_gets_the_receipt_with_the_spanish_title_again(client, spanish_hall):
    client.set_cookie("lang", "es")
    data = {"comment": "The call schedule is unfair.", "identity_choice": "anonymous",
            **submission_form(client, spanish_hall.slug)}
    first, again = (text(client.post(f"/t/{spanish_hall.slug}", data=data)) for _ in range(2))
    assert f"<strong>{SPANISH_TITLE}</strong>" in first and f"<strong>{SPANISH_TITLE}</strong>" in again


def test_a_question_asked_in_the_room_gets_its_receipt_with_the_spanish_title(client, db_session, spanish_hall):
    live = start(db_session, spanish_hall)
    client.set_cookie("lang", "es")
    response = ask(client, live.code)
    assert response.status_code == 200
    assert f"<strong>{SPANISH_TITLE}</strong>" in text(response)


def test_the_receipt_page_keeps_its_padded_size_whichever_title_it_shows(client, spanish_hall, english_only_hall):
    sizes = set()
    for language in ("es", "en"):
        for slug in (spanish_hall.slug, english_only_hall.slug):
            client.set_cookie("lang", language)
            sizes.add(len(send_concern(client, slug).get_data()))
    assert len(sizes) == 1
