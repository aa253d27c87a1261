"""Rows as a past revision stored them, written and read with plain Core statements (not the models, which are head)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import command

from feedback.db import migrating, upgrade_schema

Rows = Mapping[str, list[dict[str, Any]]]

# Python value -> column type, so both dialects store and read a value alike (SQLite keeps a UUID as 32 hex
# digits and a date as text; PostgreSQL has types of its own).
_TYPES: list[tuple[type, sa.types.TypeEngine]] = [
    (uuid.UUID, sa.Uuid()),
    (bool, sa.Boolean()),
    (datetime, sa.DateTime()),
    (date, sa.Date()),
    (bytes, sa.LargeBinary()),
]


def _table(name: str, rows: list[dict[str, Any]]) -> sa.TableClause:
    """A lightweight table with the columns of rows, each typed by the first value it has that is not None."""
    columns = []
    for column in rows[0]:
        value = next((row[column] for row in rows if row[column] is not None), None)
        type_ = next((type_ for python, type_ in _TYPES if isinstance(value, python)), None)
        columns.append(sa.column(column, type_))
    return sa.table(name, *columns)


def insert(connection: sa.Connection, rows: Rows) -> None:
    """Insert the rows of each table, tables in the order given (parents first)."""
    for name, table_rows in rows.items():
        connection.execute(sa.insert(_table(name, table_rows)), table_rows)


def stored(connection: sa.Connection, name: str, like: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every row of a table, reading the columns of like with like's types, in a stable order."""
    return _sorted(dict(row) for row in connection.execute(sa.select(_table(name, like))).mappings())


def assert_kept(connection: sa.Connection, rows: Rows) -> None:
    """Each table holds exactly the rows given, every value unchanged."""
    for name, table_rows in rows.items():
        assert stored(connection, name, table_rows) == _sorted(table_rows), name


def upgraded_holding(engine: sa.Engine, before: str, after: str, *row_sets: Rows) -> sa.Engine:
    """Upgrade an empty database to revision before, store row_sets there, then upgrade it to after."""
    upgrade_schema(engine, before)
    with engine.begin() as connection:
        for rows in row_sets:
            insert(connection, rows)
    upgrade_schema(engine, after)
    return engine


def tables(engine: sa.Engine) -> set[str]:
    """The tables the database has now, apart from Alembic's own."""
    return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}


def downgrade(engine: sa.Engine, revision: str) -> None:
    """Undo migrations down to revision, with the lock and safeguards upgrade_schema uses."""
    with migrating(engine) as config:
        command.downgrade(config, revision)


def _sorted(rows) -> list[dict[str, Any]]:
    return sorted(rows, key=repr)
