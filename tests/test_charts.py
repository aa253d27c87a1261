"""Chart geometry: round ticks, bars to scale, outlines for hidden cells, gaps in lines."""

from __future__ import annotations

from datetime import date

import pytest

from feedback import charts
from feedback.services.summary.counts import Cell, HallRef, ThemeRef, ThemeRow
from feedback.services.themes import codebook_values


def theme(name: str, colour: str = "#123456") -> ThemeRef:
    return ThemeRef(id=hash(name), name=name, colour=colour, parent_name=None)


def row(name: str, cell: Cell) -> ThemeRow:
    return ThemeRow(theme=theme(name), count=cell, share=None, previous=None, change=None, by_affiliation=[],
                    quotes=[])


@pytest.mark.parametrize(("maximum", "expected"), [
    (0, [0, 1]), (3, [0, 1, 2, 3]), (7, [0, 2, 4, 6, 8]), (23, [0, 5, 10, 15, 20, 25]), (180, [0, 50, 100, 150, 200]),
])
def test_ticks_are_round_and_reach_the_largest_value(maximum, expected):
    assert charts.ticks(maximum) == expected


def test_bars_are_to_scale_and_hidden_cells_are_outlines_that_say_nothing_more():
    chart = charts.bar_chart([row("A", Cell(20)), row("B", Cell(10)), row("C", Cell(None, "small")),
                              row("D", Cell(None, "protect"))], k=5)

    a, b, small, protected = chart.bars
    assert a.length == chart.plot_width and b.length == chart.plot_width / 2
    assert small.length == chart.plot_width / 4  # an outline up to k: "fewer than 5"
    assert protected.length == charts.PROTECTED_LENGTH  # the same size whatever it hides
    assert [t.value for t in chart.ticks] == [0, 5, 10, 15, 20]


def test_a_theme_colour_that_is_not_plain_hex_is_replaced():
    assert charts.colour("#a1B2c3") == "#a1B2c3"
    assert charts.colour('red" onload="x') == codebook_values.DEFAULT_COLOUR


def test_a_hidden_value_breaks_the_line():
    halls = [HallRef(f"h{i}", f"Hall {i}", date(2025, i + 1, 1)) for i in range(4)]
    over_time = [(halls[0], [Cell(10)]), (halls[1], [Cell(12)]), (halls[2], [Cell(None, "small")]),
                 (halls[3], [Cell(8)])]

    chart = charts.line_chart([theme("A")], over_time, k=5)

    [line] = chart.lines
    assert len(line.points) == 3 and len(line.runs) == 1  # the lone last point is drawn as a dot only
    assert line.runs[0].count(",") == 2
    assert [x for _hall, x in chart.halls] == sorted(x for _hall, x in chart.halls)
