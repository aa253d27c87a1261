"""The similarity index: MinHash signatures of each submission's words, split into LSH bands (SimilarityBucket).

Near-duplicates and "similar to N already tagged" suggestions ask the index for candidates (submissions
sharing enough bands with a text) and then check each candidate with the exact similarity.jaccard, so
they never read the whole town hall and never list anything today's scan would not (precision is the
same). What the index can cost is recall: a pair at Jaccard J shares a band (ROWS minhash values) with
probability p = J**ROWS, and a candidate must share at least k of the BANDS bands, so it is found with
probability P(Binomial(BANDS, p) >= k). With 256 permutations, 128 bands of 2:

- near-duplicates (DUPLICATE_AT 0.5) ask for k = DUPLICATE_BANDS = 8: found with probability 1 - 1e-9 at
  J = 0.5 (0.99976 at 0.4), and only 0.005% of pairs at J = 0.1 are candidates to check;
- suggestions (RELATED_AT 0.3) ask for k = RELATED_BANDS = 3: 0.99947 at J = 0.3, 0.99999 at 0.35, 1 - 1e-7
  at 0.4; 14% of pairs at J = 0.1 are candidates (among the tagged submissions only; about 2% of a
  town hall on bench/scale_bench.py's text, whose pairs average J = 0.03).

Rows of 3 would miss 3% of pairs at 0.3 even with k = 1 and 128 bands; rows of 1 make nearly every pair
sharing a common word a candidate (the lookup would read most of the table). 96 bands of 2 (k = 2) keep
a quarter fewer rows but find 0.9988 at 0.3 and make twice as many candidates to check; 160 bands gain
0.0005 at 0.3 for a quarter more rows. tests/services/themes/test_similarity_quality.py measures recall
and precision against the old scan on a labelled set and on the demo.

The submission page looks up once (look_up at RELATED_BANDS, with how many bands each candidate
shares) for both: the near-duplicates panel keeps the candidates sharing DUPLICATE_BANDS, exactly the set
a look-up at DUPLICATE_BANDS returns, so the figures above hold for both.

The bucket of a band is its two 32-bit minhash values side by side in one signed 64-bit integer: equal
buckets mean equal minhashes, and the value is the same in every process (datasketch's sha1-based word
hash and a fixed seed; Python's salted hash() is never used). A text without words (stopwords only) gets
no buckets: its Jaccard with anything is 0.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import cast

import datasketch
import numpy as np
import sqlalchemy as sa
from sqlalchemy import orm

from feedback.db import writing
from feedback.models import SimilarityBucket, Submission
from feedback.services.themes import similarity

NUM_PERM = 256
ROWS = 2  # minhash values per band
BANDS = NUM_PERM // ROWS
SEED = 14  # fixed: a bucket must mean the same thing in every process and after every restart
DUPLICATE_BANDS = 8  # bands a candidate near-duplicate (J >= DUPLICATE_AT) shares at least
RELATED_BANDS = 3  # bands a candidate similar submission (J >= RELATED_AT) shares at least
REBUILD_BATCH = 2000  # submissions read and written at once by rebuild

# The permutations depend only on NUM_PERM and SEED: made once, not for every text.
_PERMUTATIONS = datasketch.MinHash(num_perm=NUM_PERM, seed=SEED).permutations
_INSERT = sa.insert(cast(sa.Table, SimilarityBucket.__table__))
# On PostgreSQL one statement for all the rows: an executemany sends one INSERT per row (128 per submission).
_INSERT_UNNESTED = sa.text(
    "INSERT INTO similarity_bucket (town_hall_id, band, bucket, submission_id) "
    "SELECT * FROM unnest(CAST(:town_hall_ids AS integer[]), CAST(:bands AS smallint[]), "
    "CAST(:buckets AS bigint[]), CAST(:submission_ids AS uuid[]))")


def buckets(body: str) -> list[tuple[int, int]]:
    """The (band, bucket) pairs of a text's signature; none for a text without words."""
    words = similarity.words(body)
    if not words:
        return []
    signature = datasketch.MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_PERMUTATIONS)
    signature.update_batch([word.encode("utf-8") for word in sorted(words)])
    pairs = signature.hashvalues.astype(np.uint64).reshape(BANDS, ROWS)
    values = ((pairs[:, 0] << np.uint64(32)) | pairs[:, 1]).view(np.int64)
    return [(band, int(value)) for band, value in enumerate(values)]


def rows(submission_id: uuid.UUID, town_hall_id: int, pairs: Iterable[tuple[int, int]]) -> list[dict]:
    """The SimilarityBucket rows of one submission, for an insert."""
    return [{"town_hall_id": town_hall_id, "band": band, "bucket": bucket, "submission_id": submission_id}
            for band, bucket in pairs]


def store(executor: orm.Session | sa.Connection, bucket_rows: list[dict]) -> None:
    """Insert bucket rows inside the caller's write (intake computes them before taking the write lock)."""
    if not bucket_rows:
        return
    dialect = executor.get_bind().dialect if isinstance(executor, orm.Session) else executor.dialect
    if dialect.name == "postgresql":
        columns = {"town_hall_ids": "town_hall_id", "bands": "band", "buckets": "bucket",
                   "submission_ids": "submission_id"}
        executor.execute(_INSERT_UNNESTED, {name: [row[column] for row in bucket_rows]
                                            for name, column in columns.items()})
    else:
        executor.execute(_INSERT, bucket_rows)


def _batches(session: orm.Session, town_hall_id: int | None) -> Iterator[list[sa.Row]]:
    query = sa.select(Submission.id, Submission.town_hall_id, Submission.body).order_by(Submission.id)
    if town_hall_id is not None:
        query = query.where(Submission.town_hall_id == town_hall_id)
    after: uuid.UUID | None = None
    while True:
        page = list(session.execute((query if after is None else query.where(Submission.id > after))
                                    .limit(REBUILD_BATCH)))
        if not page:
            return
        yield page
        after = page[-1].id


def rebuild(session: orm.Session, town_hall_id: int | None = None) -> int:
    """Index every submission again (of one town hall, or all), in one write; the number of submissions indexed.

    The backfill for submissions stored before the index existed, and a repair after a change of NUM_PERM,
    ROWS or SEED (which changes every bucket) or of how similarity.words reads a text (accents are folded
    since issue 16: an accented submission indexed before then has other buckets). Commits.
    """
    indexed = 0
    with writing(session):
        delete = sa.delete(SimilarityBucket)
        if town_hall_id is not None:
            delete = delete.where(SimilarityBucket.town_hall_id == town_hall_id)
        session.execute(delete)
        for page in _batches(session, town_hall_id):
            store(session, [row for s in page for row in rows(s.id, s.town_hall_id, buckets(s.body))])
            indexed += len(page)
    return indexed


def _candidates_statement() -> sa.TextualSelect:
    """Built once: the town hall's submissions sharing at least :at_least of the text's (band, :bucket_<band>),
    with how many they share, and each one's themes and text if it is tagged (columns submission_id,
    bands, theme_id, body: one row per theme, or one row with theme_id and body NULL for an untagged one);
    untagged ones only if they share at least :untagged_at_least (the submission page wants untagged ones
    only as near-duplicates: at 50,000 submissions they were two thirds of the rows it read and dropped).

    The text's buckets are a VALUES list joined to the key (one seek per band): an OR of the 128 (band,
    bucket) terms made SQLite gather the matches in a temporary table to drop repeats first, about 2.6
    times slower at 50,000 submissions, and no row can match two entries of the list anyway. The tags come
    in the same statement because the suggestions need them for every candidate (a second statement with
    the candidates' ids in an IN list took as long as the look-up itself). Text, because SQLAlchemy
    compiles a VALUES construct again for every execution (it has no cache key).
    """
    wanted = ", ".join(f"({band}, :bucket_{band})" for band in range(BANDS))
    return (sa.text(f"WITH wanted (band, bucket) AS (VALUES {wanted}), "
                    "shared AS (SELECT b.submission_id, count(*) AS bands FROM wanted JOIN similarity_bucket AS b "
                    "ON b.town_hall_id = :town_hall_id AND b.band = wanted.band AND b.bucket = wanted.bucket "
                    "WHERE b.submission_id != :leaving_out GROUP BY b.submission_id HAVING count(*) >= :at_least) "
                    "SELECT shared.submission_id, shared.bands, t.theme_id, s.body FROM shared "
                    "LEFT JOIN tagging AS t ON t.submission_id = shared.submission_id "
                    "LEFT JOIN submission AS s ON s.id = t.submission_id "
                    "WHERE t.theme_id IS NOT NULL OR shared.bands >= :untagged_at_least")
            .bindparams(sa.bindparam("leaving_out", type_=sa.Uuid()),
                        *(sa.bindparam(f"bucket_{band}", type_=sa.BigInteger()) for band in range(BANDS)))
            .columns(submission_id=sa.Uuid(), bands=sa.Integer(), theme_id=sa.Integer(), body=sa.Text()))


CANDIDATES = _candidates_statement()
_REMEMBERED = "similarity_index.look_up"  # session.info key: the last look-up of the session's transaction


@dataclass(frozen=True)
class Candidates:
    """What a look-up found: how many bands each candidate shares, and the tagged ones' text and themes."""

    bands: dict[uuid.UUID, int]
    tagged: dict[uuid.UUID, tuple[str, frozenset[int]]]


def candidate_params(town_hall_id: int, body: str, *, at_least: int, untagged_at_least: int | None = None,
                     leaving_out: uuid.UUID | None = None) -> dict | None:
    """The parameters of CANDIDATES for this text; None for a text without words (nothing is like it)."""
    pairs = buckets(body)
    if not pairs:
        return None
    return {**{f"bucket_{band}": bucket for band, bucket in pairs}, "town_hall_id": town_hall_id,
            "at_least": at_least, "untagged_at_least": max(at_least, untagged_at_least or at_least),
            "leaving_out": leaving_out or uuid.UUID(int=0)}


def look_up(session: orm.Session, town_hall_id: int, body: str, *, at_least: int,
            untagged_at_least: int | None = None, leaving_out: uuid.UUID | None = None) -> Candidates:
    """The town hall's submissions sharing at least `at_least` bands with the text (none for a text without words);
    the untagged ones only if they share `untagged_at_least` (default: `at_least`).

    Remembered until the session's transaction ends: the submission page asks once (tagged ones at
    RELATED_BANDS, untagged ones at DUPLICATE_BANDS) for both the near-duplicates panel (which keeps
    those sharing DUPLICATE_BANDS) and the suggestions (which keep the tagged ones). Candidates only: the
    caller checks each with similarity.jaccard.
    """
    key = (town_hall_id, body, at_least, untagged_at_least, leaving_out)
    transaction = session.get_transaction()
    remembered = session.info.get(_REMEMBERED)
    if transaction is not None and remembered is not None and remembered[0] is transaction and remembered[1] == key:
        return cast(Candidates, remembered[2])
    params = candidate_params(town_hall_id, body, at_least=at_least, untagged_at_least=untagged_at_least,
                              leaving_out=leaving_out)
    bands: dict[uuid.UUID, int] = {}
    themes: dict[uuid.UUID, tuple[str, set[int]]] = {}
    for submission_id, shared, theme_id, text in ([] if params is None else session.execute(CANDIDATES, params)):
        bands[submission_id] = shared
        if theme_id is not None:
            themes.setdefault(submission_id, (text, set()))[1].add(theme_id)
    found = Candidates(bands, {sid: (text, frozenset(ids)) for sid, (text, ids) in themes.items()})
    session.info[_REMEMBERED] = (session.get_transaction(), key, found)  # the look-up itself may have begun it
    return found


def candidates(session: orm.Session, town_hall_id: int, body: str, *, at_least: int,
               leaving_out: uuid.UUID | None = None) -> list[uuid.UUID]:
    """The ids of the town hall's submissions sharing at least `at_least` bands with the text (none without words).

    Candidates only: the caller checks each with similarity.jaccard.
    """
    return list(look_up(session, town_hall_id, body, at_least=at_least, leaving_out=leaving_out).bands)
