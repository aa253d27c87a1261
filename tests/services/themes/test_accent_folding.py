"""Accents aside (issue 16): the desk's search and the near-duplicates read "discriminación" as "discriminacion"."""

from __future__ import annotations

from feedback.services import text
from feedback.services.themes import similarity
from tests.browsing import text as page_text
from tests.services.moderation.desk_pages import add, listed

ACCENTED = "La discriminación en la guardia nocturna es constante y nadie de la dirección responde."
PLAIN = "La discriminacion en la guardia nocturna es constante y nadie de la direccion responde."
ELSEWHERE = "El estacionamiento no tiene luces por la noche."


def test_folding_drops_accents_and_case():
    assert text.fold("Café") == text.fold("cafe") == text.fold("CAFÉ") == "cafe"
    assert text.fold("Señal") == "senal"
    assert text.fold("한국어") == "한국어"  # Hangul keeps its syllables


def test_a_search_without_accents_finds_the_text_written_with_them(facilitator, db_session, ring, hall):
    accented = add(db_session, ring, hall, "Hay DISCRIMINACIÓN en el turno de noche.")
    add(db_session, ring, hall, ELSEWHERE)
    assert listed(facilitator, hall.slug, q="discriminacion") == [accented]


def test_a_search_with_accents_finds_the_text_written_without_them(facilitator, db_session, ring, hall):
    plain = add(db_session, ring, hall, "Hay discriminacion en el turno de noche.")
    add(db_session, ring, hall, ELSEWHERE)
    assert listed(facilitator, hall.slug, q="Discriminación") == [plain]


def test_a_search_still_reads_other_scripts_and_symbols_as_written(facilitator, db_session, ring, hall):
    hindi = add(db_session, ring, hall, "रात की पाली में भेदभाव होता है, [सच] में।")
    add(db_session, ring, hall, ELSEWHERE)
    assert listed(facilitator, hall.slug, q="भेदभाव") == [hindi]
    assert listed(facilitator, hall.slug, q="[सच]") == [hindi]
    assert listed(facilitator, hall.slug, q="^$.*") == []


def test_texts_differing_only_in_accents_are_the_same_words():
    assert similarity.words(ACCENTED) == similarity.words(PLAIN)
    assert similarity.jaccard(similarity.words(ACCENTED), similarity.words(PLAIN)) == 1.0


def test_texts_differing_only_in_accents_are_listed_as_near_duplicates(facilitator, db_session, ring, hall):
    accented = add(db_session, ring, hall, ACCENTED)
    plain = add(db_session, ring, hall, PLAIN)
    far = add(db_session, ring, hall, ELSEWHERE)
    page = page_text(facilitator.get(f"/facilitate/s/{accented}"))
    panel = page[page.index("Near-duplicates"):]
    assert f'value="{plain}"' in panel and "100% alike" in panel
    assert f'value="{far}"' not in panel
