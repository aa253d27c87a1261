"""Quality of the similarity index against the scan it replaced: never worse, on a labelled set and on the demo.

The old scan compared every pair of a town hall's submissions (similarity.jaccard >= DUPLICATE_AT for
the near-duplicates panel, >= RELATED_AT for suggestions). The index only checks its candidates, so its
precision is the scan's; what it could lose is recall. Run with -s to see the figures.
"""

from __future__ import annotations

import itertools
import uuid

import pytest

from feedback.demo import content
from feedback.models import Submission, TownHall
from feedback.services.themes import duplicates, similarity, similarity_index
from tests.desk_helpers import add
from tests.factories import make_town_hall

# Each cluster is one concern written by several people: paraphrases, swapped words, additions, cuts.
CLUSTERS = [
    ["The handover runs late every day and nobody is paid for the extra hour.",
     "Handover runs late every single day, and nobody is paid for that extra hour.",
     "Every day the handover runs late and the extra hour is not paid to anybody.",
     "Nobody gets paid for the extra hour when handover runs late, which is every day.",
     "Handovers overrun daily and that unpaid extra hour adds up for all of us."],
    ["The car park behind the library has no working lights at night and I feel unsafe walking to my car.",
     "No working lights at night in the car park behind the library; walking to my car I feel unsafe.",
     "I feel unsafe walking to my car at night because the car park behind the library has no lights.",
     "Please fix the lighting in the library car park, it is pitch dark after the evening shift."],
    ["My supervisor makes comments about my accent in front of patients and it is humiliating.",
     "In front of patients my supervisor makes comments about my accent. It is humiliating.",
     "It is humiliating when my supervisor comments on my accent in front of patients, again and again."],
    ["Night shift nurses cannot get a hot meal because the cafeteria closes at eight.",
     "The cafeteria closes at eight so night shift nurses cannot get a hot meal.",
     "Because the cafeteria closes at 8, nurses on the night shift never get a hot meal.",
     "Nights: no hot food after eight, the canteen shuts and we live on vending machine snacks."],
    ["Promotion criteria are never written down, so decisions feel like favouritism.",
     "Decisions about promotion feel like favouritism because the criteria are never written down.",
     "The promotion criteria are not written down anywhere and the decisions feel like favouritism."],
    ["The lift in the east wing has been broken for three months and wheelchair users cannot reach the clinic.",
     "East wing lift broken for three months: wheelchair users cannot reach the clinic.",
     "Wheelchair users cannot reach the clinic since the east wing lift has been broken for three months."],
    ["Rotas are published two days before the month starts, which makes childcare impossible to arrange.",
     "Publishing rotas just two days before the month starts makes arranging childcare impossible.",
     "Childcare is impossible to arrange when rotas are published two days before the month starts."],
    ["When I reported racist remarks from a consultant, nothing happened and I was moved to another ward.",
     "I reported a consultant's racist remarks; nothing happened, and I was the one moved to another ward.",
     "Nothing happened after I reported racist remarks by a consultant, except that I was moved to another ward."],
    ["Agency staff are paid more than permanent staff for the same shifts and nobody explains why.",
     "For the same shifts agency staff are paid more than permanent staff, and nobody explains why.",
     "Permanent staff are paid less than agency staff for the same shifts. Why does nobody explain it?"],
    ["Prayer room on the third floor is always locked at lunchtime so Muslim staff pray in the stairwell.",
     "The prayer room on the third floor is locked at lunchtime; Muslim staff end up praying in the stairwell.",
     "Muslim staff pray in the stairwell because the third floor prayer room is always locked at lunchtime."],
    ["Exam results for the second-year course were released a month late with no explanation.",
     "Second-year course exam results were released a month late, and there was no explanation.",
     "No explanation was given when exam results for the second-year course came out a month late."],
    ["The survey last year promised changes to parking permits but nothing has changed.",
     "Last year's survey promised changes to parking permits, yet nothing has changed.",
     "Nothing has changed about parking permits even though the survey last year promised changes.",
     "We filled in the survey, were promised new parking permits, and are still waiting a year on."],
]
# Hard negatives: the same topics and many of the same words, but a different concern.
NEGATIVES = [
    "The handover sheet is missing allergies every day and nobody checks it.",
    "Paid parking for staff went up again this year and nobody asked us.",
    "The library closes at night before the late lectures end.",
    "My supervisor is supportive but patients wait hours for an interpreter.",
    "The cafeteria is crowded at lunchtime and the queue takes half the break.",
    "Promotion interviews are held during night shifts, so night staff miss them.",
    "The east wing clinic has no signs and patients get lost looking for it.",
    "Rotas change at short notice and swaps are never approved by the ward manager.",
    "A consultant shouted at a junior nurse on the ward and I reported it to the manager.",
    "Agency staff do not get access to the training system for the first month.",
    "The stairwell on the third floor smells of smoke and the fire door is propped open.",
    "Course fees went up for second-year students with no warning.",
    "Wheelchair users cannot use the car park ramp when it rains because it floods.",
    "The extra hour we work at handover is not recorded anywhere on the system.",
    "The handover runs late every day because the night team has nobody to hand over to.",
    "The car park behind the library has working lights now, but the gate is locked at night.",
]

LABELLED = [(i, text) for i, cluster in enumerate(CLUSTERS) for text in cluster] + \
    [(len(CLUSTERS) + j, text) for j, text in enumerate(NEGATIVES)]


def pairs_at(texts: dict[uuid.UUID, str], threshold: float) -> set[frozenset[uuid.UUID]]:
    """What the old scan found: every pair of the town hall at least this similar."""
    words = {sid: similarity.words(text) for sid, text in texts.items()}
    return {frozenset((a, b)) for a, b in itertools.combinations(words, 2)
            if similarity.jaccard(words[a], words[b]) >= threshold}


def index_pairs_at(db_session, hall_id: int, texts: dict[uuid.UUID, str], threshold: float,
                   at_least: int) -> set[frozenset[uuid.UUID]]:
    """What the index finds: each submission's candidates, checked with the exact similarity."""
    found = set()
    for sid, text in texts.items():
        ids = similarity_index.candidates(db_session, hall_id, text, at_least=at_least, leaving_out=sid)
        found |= {frozenset((sid, other)) for other in ids
                  if similarity.jaccard(similarity.words(text), similarity.words(texts[other])) >= threshold}
    return found


def panel_pairs(db_session, texts: dict[uuid.UUID, str]) -> set[frozenset[uuid.UUID]]:
    """What the near-duplicates panel lists, for every submission."""
    return {frozenset((sid, related.id)) for sid in texts
            for related in duplicates.panel(db_session, db_session.get_one(Submission, sid)).similar}


def recall_precision(found: set, truth: set) -> tuple[float, float]:
    hits = len(found & truth)
    return hits / len(truth), (hits / len(found) if found else 1.0)


def test_the_index_finds_the_labelled_near_duplicates_the_scan_found_and_no_more(db_session, ring, hall):
    ids = {add(db_session, ring, hall, text): (label, text) for label, text in LABELLED}
    texts = {sid: text for sid, (_label, text) in ids.items()}
    truth = {frozenset((a, b)) for a, b in itertools.combinations(ids, 2) if ids[a][0] == ids[b][0]}
    old = pairs_at(texts, similarity.DUPLICATE_AT)
    new = panel_pairs(db_session, texts)
    old_recall, old_precision = recall_precision(old, truth)
    new_recall, new_precision = recall_precision(new, truth)
    print(f"\nlabelled set: {len(texts)} texts, {len(truth)} near-duplicate pairs; "
          f"old scan recall {old_recall:.3f} precision {old_precision:.3f}; "
          f"index recall {new_recall:.3f} precision {new_precision:.3f}")
    assert new_recall >= old_recall and new_precision >= old_precision
    assert new == old  # the same pairs exactly
    related_old = pairs_at(texts, similarity.RELATED_AT)
    related_new = index_pairs_at(db_session, hall.id, texts, similarity.RELATED_AT, similarity_index.RELATED_BANDS)
    print(f"at RELATED_AT: old scan {len(related_old)} pairs, index {len(related_new & related_old)} of them")
    assert related_new == related_old


@pytest.fixture
def demo_halls(db_session, ring):
    """The demo's submissions, each in its town hall (through intake, so indexed)."""
    halls: dict[str, int] = {}
    texts: dict[int, dict[uuid.UUID, str]] = {}
    for item in [*content.SUBMISSIONS, *content.generated_submissions()]:
        if item.town_hall not in halls:
            halls[item.town_hall] = make_town_hall(db_session, f"Demo {len(halls) + 1}").id
        hall = db_session.get_one(TownHall, halls[item.town_hall])
        texts.setdefault(hall.id, {})[add(db_session, ring, hall, item.body)] = item.body
    return texts


@pytest.mark.parametrize(("threshold", "at_least"), [
    (similarity.DUPLICATE_AT, similarity_index.DUPLICATE_BANDS),
    (similarity.RELATED_AT, similarity_index.RELATED_BANDS),
], ids=["near-duplicates", "related"])
def test_on_the_demo_the_index_finds_every_pair_the_scan_found(db_session, demo_halls, threshold, at_least):
    old: set = set()
    new: set = set()
    for hall_id, texts in demo_halls.items():
        old |= pairs_at(texts, threshold)
        new |= index_pairs_at(db_session, hall_id, texts, threshold, at_least)
    recall, precision = recall_precision(new, old) if old else (1.0, 1.0)
    print(f"\ndemo, J >= {threshold}: {sum(map(len, demo_halls.values()))} submissions, old scan {len(old)} pairs; "
          f"index recall {recall:.3f} of them, precision {precision:.3f}")
    assert new == old
