"""The similarity index: kept with each submission at intake, gone with it, and read instead of the town hall."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
from sqlalchemy import event, orm

from feedback import crypto
from feedback.models import SimilarityBucket, Submission
from feedback.services.intake import submitting
from feedback.services.privacy import erasure
from feedback.services.themes import duplicates, similarity_index, suggestions
from tests.desk_helpers import add
from tests.factories import make_submission, make_theme, make_town_hall, tag, today
from tests.plan_rows import make_action

SAME = "The handover runs late every day and nobody is paid for the extra hour."
ALMOST = "Handover runs late every single day, and nobody is paid for that extra hour."
RELATED = "Nobody is paid when the handover runs late: the extra hour is unpaid, every day."
OTHER = "The car park has no lights at night."


def buckets_of(db_session, submission_id) -> set[tuple[int, int, int]]:
    db_session.rollback()
    query = sa.select(SimilarityBucket.town_hall_id, SimilarityBucket.band, SimilarityBucket.bucket).where(
        SimilarityBucket.submission_id == submission_id)
    return {(hall_id, band, bucket) for hall_id, band, bucket in db_session.execute(query)}


def unrelated(i: int) -> str:
    """A text sharing no word with the others (nor with any other unrelated text)."""
    return " ".join(f"w{i}x{j}" for j in range(8)) + "."


# --- kept up to date ---

def test_a_submission_is_indexed_in_its_town_hall_when_it_is_stored(db_session, ring, hall):
    submission = add(db_session, ring, hall, SAME)
    assert buckets_of(db_session, submission) == {(hall.id, band, bucket)
                                                  for band, bucket in similarity_index.buckets(SAME)}
    assert len(buckets_of(db_session, submission)) == similarity_index.BANDS


def test_a_retried_post_stores_one_set_of_buckets(db_session, ring, hall):
    token = crypto.new_form_token()
    first = make_submission(db_session, ring, hall, SAME, token=token)
    again = make_submission(db_session, ring, hall, SAME, token=token)
    assert again.repeated and again.submission_id == first.submission_id
    assert db_session.scalar(sa.select(sa.func.count()).select_from(SimilarityBucket)) == similarity_index.BANDS


def test_feedback_on_an_action_is_indexed_like_any_submission(db_session, ring, hall):
    action = make_action(db_session, "Pay the extra hour", halls=[hall])
    new = submitting.NewSubmission(body=SAME, action_id=action.id)
    receipt = submitting.submit(db_session, ring, hall.slug, crypto.new_form_token(), new, today())
    assert len(buckets_of(db_session, receipt.submission_id)) == similarity_index.BANDS


def test_a_text_of_stopwords_only_gets_no_buckets(db_session, ring, hall):
    assert buckets_of(db_session, add(db_session, ring, hall, "The and of it.")) == set()


def test_buckets_are_the_same_in_another_process_whatever_its_hash_seed():
    code = ("from feedback.services.themes import similarity_index as s; "
            f"print(s.buckets({SAME!r}))")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert runs == {f"{similarity_index.buckets(SAME)}\n"}


def test_a_withdrawal_removes_the_submissions_buckets(db_session, ring, hall):
    receipt = make_submission(db_session, ring, hall, SAME)
    kept = add(db_session, ring, hall, ALMOST)
    assert erasure.withdraw(db_session, ring, receipt.code)
    assert buckets_of(db_session, receipt.submission_id) == set()
    assert len(buckets_of(db_session, kept)) == similarity_index.BANDS
    assert db_session.scalar(sa.select(sa.func.count()).select_from(SimilarityBucket)) == similarity_index.BANDS


def test_deleting_a_submission_removes_its_buckets_only(db_session, ring, hall):
    one, two = add(db_session, ring, hall, SAME), add(db_session, ring, make_town_hall(db_session, "Other"), SAME)
    db_session.execute(sa.delete(Submission).where(Submission.id == one))
    db_session.commit()
    assert buckets_of(db_session, one) == set() and len(buckets_of(db_session, two)) == similarity_index.BANDS


def test_rebuild_indexes_submissions_stored_before_the_index(facilitator, db_session, ring, hall):
    submission, near = add(db_session, ring, hall, SAME), add(db_session, ring, hall, ALMOST)
    elsewhere = add(db_session, ring, make_town_hall(db_session, "Other"), SAME)
    db_session.execute(sa.delete(SimilarityBucket))
    db_session.commit()
    assert f'value="{near}"' not in facilitator.get(f"/facilitate/s/{submission}").get_data(as_text=True)
    assert similarity_index.rebuild(db_session, hall.id) == 2
    assert buckets_of(db_session, elsewhere) == set()  # another town hall: left alone
    assert f'value="{near}"' in facilitator.get(f"/facilitate/s/{submission}").get_data(as_text=True)
    assert similarity_index.rebuild(db_session) == 3
    assert len(buckets_of(db_session, elsewhere)) == similarity_index.BANDS
    assert db_session.scalar(sa.select(sa.func.count()).select_from(SimilarityBucket)) == 3 * similarity_index.BANDS


# --- candidates ---

def test_near_duplicates_are_candidates_and_unrelated_text_is_not(db_session, ring, hall):
    submission, near, far = (add(db_session, ring, hall, body) for body in (SAME, ALMOST, OTHER))
    elsewhere = add(db_session, ring, make_town_hall(db_session, "Another"), ALMOST)
    found = set(similarity_index.candidates(db_session, hall.id, SAME, at_least=similarity_index.DUPLICATE_BANDS,
                                            leaving_out=submission))
    assert near in found and far not in found and elsewhere not in found and submission not in found


def test_the_pages_look_up_keeps_untagged_candidates_only_when_they_could_be_near_duplicates(db_session, ring,
                                                                                          hall):
    # A text sharing 4 of the 128 bands with SAME: a candidate for suggestions, far from a near-duplicate.
    loose = "The handover is slow; nurses stay late and the rota is unfair."
    related_untagged, related_tagged, near = (add(db_session, ring, hall, body) for body in (loose, loose, ALMOST))
    tag(db_session, related_tagged, make_theme(db_session, "Unpaid hours"))
    db_session.commit()
    bands = similarity_index.look_up(db_session, hall.id, SAME, at_least=similarity_index.RELATED_BANDS).bands
    assert similarity_index.RELATED_BANDS <= bands[related_untagged] < similarity_index.DUPLICATE_BANDS <= bands[near]
    db_session.rollback()
    page = similarity_index.look_up(db_session, hall.id, SAME, at_least=similarity_index.RELATED_BANDS,
                                    untagged_at_least=similarity_index.DUPLICATE_BANDS)
    assert set(page.bands) == {related_tagged, near} and set(page.tagged) == {related_tagged}


def test_text_without_words_has_no_candidates(db_session, ring, hall):
    add(db_session, ring, hall, "The and of it.")
    assert similarity_index.candidates(db_session, hall.id, "The and of.", at_least=1) == []


# --- the panel and the suggestions read the index, not the town hall ---

class RowsRead:
    """Counts the rows every statement run through a session returns."""

    def __init__(self, session: orm.Session) -> None:
        self.rows = 0
        event.listen(session, "do_orm_execute", self._count)

    def _count(self, state: orm.ORMExecuteState):
        if not state.is_select:
            return None
        frozen = state.invoke_statement().freeze()
        self.rows += len(frozen().all())
        return frozen()


def rows_read(app, read) -> int:
    session = app.extensions["feedback_db"]()
    try:
        counter = RowsRead(session)
        read(session)
        return counter.rows
    finally:
        session.close()


@pytest.mark.parametrize("read", [
    lambda session, submission: duplicates.panel(session, submission).similar,
    lambda session, submission: suggestions.for_submission(session, submission),
], ids=["near-duplicates panel", "suggestions"])
def test_the_rows_read_do_not_grow_with_the_town_hall(app, db_session, ring, hall, read):
    pay = make_theme(db_session, "Pay")
    submission = add(db_session, ring, hall, SAME)
    for body in (ALMOST, RELATED):
        tag(db_session, add(db_session, ring, hall, body), pay)

    def page(session):
        found = read(session, session.get_one(Submission, submission))
        assert found  # something similar is found at both sizes

    small = rows_read(app, page)
    for i in range(60):
        tag(db_session, add(db_session, ring, hall, unrelated(i)), pay)
    assert rows_read(app, page) == small


def test_the_submission_page_looks_the_index_up_once_for_both_panels(app, facilitator, db_session, ring, hall):
    pay = make_theme(db_session, "Pay")
    submission = add(db_session, ring, hall, SAME)
    add(db_session, ring, hall, ALMOST)
    tag(db_session, add(db_session, ring, hall, RELATED), pay)
    look_ups: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if "similarity_bucket" in statement:
            look_ups.append(statement)

    engine = app.extensions["feedback_engine"]
    event.listen(engine, "before_cursor_execute", count)
    try:
        page = facilitator.get(f"/facilitate/s/{submission}").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert "similar to 1 submission already tagged with it" in page and "Handover runs late every single day" in page
    assert len(look_ups) == 1
