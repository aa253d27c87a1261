"""Chart geometry: round ticks, bars to scale, outlines up to k, nothing unreleased, gaps in lines, hall titles."""

from __future__ import annotations

from datetime import date

import pytest

from feedback import charts
from feedback.services.summary.counts import Cell, HallRef, ThemeRef, ThemeRow
from feedback.services.themes import codebook_values

K = 5


def theme(name: str, colour: str = "#123456") -> ThemeRef:
    return ThemeRef(id=hash(name), name=name, colour=colour, parent_name=None)


def row(name: str, value: int | None) -> ThemeRow:
    return ThemeRow(theme=theme(name), count=Cell(value, K), share=None, previous=None, change=None, quotes=[])


def hall(i: int, title: str | None = None) -> HallRef:
    return HallRef(f"h{i}", title or f"Hall {i}", date(2025, i + 1, 1), date(2025, i + 1, 2), 1)


@pytest.mark.parametrize(("maximum", "expected"), [
    (0, [0, 1]), (3, [0, 1, 2, 3]), (7, [0, 2, 4, 6, 8]), (23, [0, 5, 10, 15, 20, 25]), (180, [0, 50, 100, 150, 200]),
])
def test_ticks_are_round_and_reach_the_largest_value(maximum, expected):
    assert charts.ticks(maximum) == expected


def test_bars_are_to_scale_and_a_count_under_k_is_an_outline_up_to_k_whatever_its_value():
    chart = charts.bar_chart([row("A", 20), row("B", 10), row("C", 3), row("D", -2), row("E", None)], k=K)

    a, b, three, negative, unreleased = chart.bars
    assert a.length == chart.plot_width and b.length == chart.plot_width / 2
    assert three.length == negative.length == chart.plot_width / 4  # "fewer than 5", never its noisy value
    assert unreleased.length == 0
    assert [t.value for t in chart.ticks] == [0, 5, 10, 15, 20]


def test_counts_under_k_reach_only_k_on_the_axis():
    chart = charts.bar_chart([row("A", 4), row("B", 1)], k=K)

    assert chart.ticks[-1].value == K and {bar.length for bar in chart.bars} == {chart.plot_width}


def test_a_theme_colour_that_is_not_plain_hex_is_replaced():
    assert charts.colour("#a1B2c3") == "#a1B2c3"
    assert charts.colour('red" onload="x') == codebook_values.DEFAULT_COLOUR


def test_a_value_not_shown_breaks_the_line():
    over_time = [(hall(0), [Cell(10, K)]), (hall(1), [Cell(12, K)]), (hall(2), [Cell(3, K)]), (hall(3), [Cell(8, K)])]

    chart = charts.line_chart([theme("A")], over_time, k=K)

    [line] = chart.lines
    assert len(line.points) == 3 and len(line.runs) == 1  # the lone last point is drawn as a dot only
    assert line.runs[0].count(",") == 2
    assert [tick.x for tick in chart.halls] == sorted(tick.x for tick in chart.halls)


def test_the_town_halls_are_labelled_by_title_shortened_to_fit():
    long_title = "Listening to the night shift on the wards, the clinics and the labs"
    over_time = [(hall(i, long_title if i == 5 else None), [Cell(10, K)]) for i in range(6)]

    chart = charts.line_chart([theme("A")], over_time, k=K)

    labels = [tick.label for tick in chart.halls]
    assert labels[:5] == [f"Hall {i}" for i in range(5)]
    assert labels[5].endswith("\u2026") and long_title.startswith(labels[5][:-1])
    assert len(labels[5]) * charts.CHARACTER_WIDTH <= (charts.WIDTH - charts.LINE_LEFT - charts.LINE_RIGHT) / 6
    assert chart.halls[5].hall.title == long_title


@pytest.mark.parametrize(("title", "room", "expected"), [
    ("Spring listening", 20, "Spring listening"),
    ("Spring listening on the wards", 20, "Spring listening\u2026"),
    ("Supercalifragilisticexpialidocious", 12, "Supercalifr\u2026"),
])
def test_shorten_cuts_at_a_word_where_it_can(title, room, expected):
    assert charts.shorten(title, room) == expected
