"""The demo: a two-level codebook, and submissions moderated and tagged so that summaries have real numbers."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import sqlalchemy as sa

from feedback import audit, clock
from feedback.demo import loader
from feedback.demo.content import GENERATED, SENTENCES, THEMES, TOWN_HALLS
from feedback.models import AuditEvent, Release, ReleasedCount, StaffUser, Submission, Tagging, Theme, TownHall
from feedback.services.themes import codebook_listing
from tests.factories import make_submission, make_town_hall
from tests.staff import log_in, make_staff
from tests.summary_data import tables

K = 5


def whole_words(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, phrase.split())) + r"(?!\w)", re.IGNORECASE)


def test_every_demo_sentence_mentions_a_keyword_of_its_own_theme():
    keywords = {t.name: t.keywords for t in THEMES}
    for theme, sentences in SENTENCES.items():
        for sentence in sentences:
            assert any(whole_words(k).search(sentence) for k in keywords[theme]), sentence
    assert {name for hall in GENERATED for name, _weight in hall.weights} <= set(SENTENCES)


def test_the_demo_is_a_codebook_of_moderated_tagged_and_audited_submissions_with_real_numbers(app, db_session, ring):
    assert loader.load_demo(db_session, ring, clock.today()) == 253
    db_session.rollback()
    all_themes = list(db_session.scalars(sa.select(Theme)))
    by_id = {t.id: t for t in all_themes}
    in_use = [t for t in all_themes if not t.archived]
    assert len(in_use) >= 10 and all(t.keywords for t in all_themes)
    assert all(by_id[t.parent_id].parent_id is None for t in all_themes if t.parent_id)  # two levels
    assert sum(1 for t in in_use if t.parent_id) >= 5
    assert [t.name for t in all_themes if t.archived] == ["Parking and transport"]
    assert "Parking and transport" not in {c.name for c in codebook_listing.choices(db_session)}

    statuses = Counter(db_session.execute(sa.select(Submission.status, Submission.hidden_reason)).all())
    total = sum(statuses.values())
    assert statuses[("published", None)] >= 0.85 * total
    assert statuses[("escalated", None)] == 2
    assert {reason for status, reason in statuses if status == "hidden"} >= {"off-topic", "spam", "abusive"}
    assert 0 < statuses[("pending", None)] < 0.1 * total
    redacted = db_session.scalar(sa.select(sa.func.count()).where(Submission.redacted_body.is_not(None)))
    assert redacted == 2

    published = sa.select(Submission.id).where(Submission.status == "published")
    tagged = set(db_session.scalars(sa.select(Tagging.submission_id).where(Tagging.submission_id.in_(published))))
    assert len(tagged) >= 0.95 * statuses[("published", None)]

    # Per town hall and theme, published and tagged: mostly groups of k or more, and a few small ones.
    cells = db_session.execute(sa.select(Submission.town_hall_id, Tagging.theme_id, sa.func.count())
                               .join(Tagging).where(Submission.status == "published")
                               .group_by(Submission.town_hall_id, Tagging.theme_id)).all()
    assert sum(1 for *_key, n in cells if n >= K) >= 20
    assert sum(1 for *_key, n in cells if n < K) >= 3
    halls = Counter(db_session.scalars(sa.select(Submission.town_hall_id)))
    assert sorted(halls.values())[-3:] >= [60, 60, 60]
    assert db_session.scalar(sa.select(sa.func.count()).select_from(TownHall)) == 4

    # Every change went through the services, so the audit chain tells the story, and holds.
    assert audit.first_broken_link(db_session) is None
    actions = Counter(db_session.scalars(sa.select(AuditEvent.action)))
    assert actions["theme.create"] == len(THEMES) and actions["theme.archive"] == 1
    assert actions["tag"] > 200 and actions["status_changed"] > 200

    # The town halls already held are released once, so leadership has numbers; the upcoming one is not.
    released = dict(db_session.execute(sa.select(TownHall.title, sa.func.count(Release.id))
                                       .outerjoin(Release).group_by(TownHall.title)).all())
    held = {t.title for t in TOWN_HALLS if t.held_days_from_today <= 0}
    assert released == {t.title: 1 if t.title in held else 0 for t in TOWN_HALLS} and len(held) == 3
    assert actions["summary.released"] == 3


def stored_rows(session) -> dict[str, int]:
    return {model.__name__: session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (TownHall, Submission, StaffUser, Theme, AuditEvent)}


def load(app, session, ring, **options) -> loader.DemoLoaded:
    return loader.load(session, ring, app.extensions["feedback_password_hasher"], today=clock.today(),
                       now=clock.now(), **options)


def test_the_demo_is_refused_on_an_instance_with_a_staff_account_of_its_own(app, db_session, ring):
    make_staff(app, "admin", "dean@university.edu")
    before = stored_rows(db_session)

    with pytest.raises(loader.RealInstance) as refused:
        load(app, db_session, ring)

    message = str(refused.value)
    assert "1 staff account (dean@university.edu)" in message
    assert "published password" in message and "flask --app feedback demo --force" in message
    db_session.rollback()
    assert stored_rows(db_session) == before  # nothing written


def test_the_demo_is_refused_on_an_instance_with_submissions_of_its_own(app, db_session, ring):
    hall = make_town_hall(db_session, "Racism on the wards")
    for n in range(2):
        make_submission(db_session, ring, hall, f"Real concern {n}")
    before = stored_rows(db_session)

    with pytest.raises(loader.RealInstance, match=r"1 town hall \(Racism on the wards\); 2 submissions\. "):
        load(app, db_session, ring)

    db_session.rollback()
    assert stored_rows(db_session) == before


def test_force_loads_the_demo_beside_data_of_its_own(app, db_session, ring):
    make_staff(app, "admin", "dean@university.edu")

    loaded = load(app, db_session, ring, force=True)

    assert loaded.submissions == 253
    assert sorted(email for email, _role in loaded.staff) == sorted(email for email, *_ in loader.DEMO_STAFF)
    db_session.rollback()
    assert db_session.scalar(sa.select(StaffUser.id).where(StaffUser.email == "dean@university.edu"))


def test_a_demo_instance_takes_the_demo_again_without_force_and_nothing_changes(app, db_session, ring):
    assert load(app, db_session, ring).submissions == 253
    assert loader.own_data(db_session) == []
    db_session.rollback()
    before = stored_rows(db_session)

    assert load(app, db_session, ring) == loader.DemoLoaded(submissions=0, staff=[])

    db_session.rollback()
    assert stored_rows(db_session) == before


def test_a_demo_instance_people_added_to_takes_the_demo_again_without_force_and_nothing_changes(app, db_session, ring):
    assert load(app, db_session, ring).submissions == 253
    make_staff(app, "admin", "tried.it@university.edu")
    hall = make_town_hall(db_session, "A town hall someone tried")
    make_submission(db_session, ring, hall, "Trying the form")
    before = stored_rows(db_session)

    assert load(app, db_session, ring) == loader.DemoLoaded(submissions=0, staff=[])

    db_session.rollback()
    assert stored_rows(db_session) == before


def test_a_demo_instance_missing_a_demo_account_is_refused_when_it_also_holds_data_of_its_own(app, db_session, ring):
    assert load(app, db_session, ring).submissions == 253
    db_session.execute(sa.delete(StaffUser).where(StaffUser.email == loader.DEMO_STAFF[0][0]))
    db_session.commit()
    make_staff(app, "admin", "dean@university.edu")

    with pytest.raises(loader.RealInstance, match="dean@university.edu"):
        load(app, db_session, ring)


def test_after_flask_demo_a_leader_reads_released_numbers_of_a_held_town_hall(app, runner, db_session):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    leader = app.test_client()
    assert log_in(leader, "leader@example.org", loader.DEMO_PASSWORD).status_code == 302
    held = db_session.scalar(sa.select(TownHall).where(TownHall.held_on <= clock.today())
                             .order_by(TownHall.held_on.desc()).limit(1))
    stored = dict(db_session.execute(sa.select(ReleasedCount.key, ReleasedCount.value).join(Release)
                                     .where(Release.town_hall_id == held.id, ReleasedCount.kind == "status")).all())

    response = leader.get(f"/leadership/{held.slug}")

    assert response.status_code == 200
    rows = {cells[0]: cells[1:] for table in tables(response.get_data(as_text=True)).values() for cells in table
            if cells}
    assert rows["Received"] == [f"about {stored['received']}"]
    assert rows["Published"] == [f"about {stored['published']}"]
