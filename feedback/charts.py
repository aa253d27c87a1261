"""Geometry for the server-rendered SVG charts: bar lengths, axis ticks and line points.

Templates draw the shapes (templates/leadership/_charts.html); this module only does the arithmetic,
so that it can be tested without a browser. Every cell is a released number (feedback.services.summary.
disclosure): one shown (k or more) gets a bar or a point; one released under k only an outline up to k,
so its length says nothing more than "fewer than k"; one not released nothing at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from feedback.services.summary.counts import Cell, HallRef, ThemeRef, ThemeRow
from feedback.services.themes.codebook_values import safe_colour

WIDTH = 640
# Bar chart: each theme is a row with its name above a bar.
BAR_LEFT, BAR_RIGHT, BAR_ROW, BAR_THICKNESS, BAR_TOP = 8, 120, 44, 16, 28
# Line chart: a plot with a value axis on the left and the town halls along the bottom.
LINE_LEFT, LINE_RIGHT, LINE_TOP, LINE_BOTTOM, LINE_HEIGHT = 48, 24, 16, 40, 280
CHARACTER_WIDTH = 7  # about the width of one character of a 12px axis label
SHORTEST_LABEL = 8  # characters of a town hall's title kept however crowded the axis


colour = safe_colour  # the theme's colour when it is a plain #rrggbb value, the default otherwise


def ticks(maximum: int, most: int = 5) -> list[int]:
    """Round axis values from 0 to at least maximum, in steps of 1, 2 or 5 times a power of ten."""
    if maximum <= 0:
        return [0, 1]
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if math.ceil(maximum / step) <= most:
                return list(range(0, math.ceil(maximum / step) * step + 1, step))
        magnitude *= 10


def _scale_top(cells: list[Cell], k: int) -> int:
    """The largest value the axis must reach: shown values, and k for a "fewer than k" outline."""
    values = [cell.value for cell in cells if cell.shown and cell.value is not None]
    if any(cell.released and not cell.shown for cell in cells):
        values.append(k)
    return max(values, default=0)


@dataclass(frozen=True)
class Tick:
    value: int
    position: float


@dataclass(frozen=True)
class Bar:
    label: str
    cell: Cell
    colour: str
    y: float  # top of the row: the label sits on it, the bar below
    length: float  # the filled bar, the outline up to k of a cell under k, or 0 when not released


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    ticks: list[Tick]
    width: int
    height: int
    left: int
    top: int
    plot_width: int
    thickness: int
    axis_y: float


def bar_chart(rows: list[ThemeRow], k: int) -> BarChart:
    """Horizontal bars of themes by count; "fewer than k" is outlined up to k; not released, no bar."""
    plot_width = WIDTH - BAR_LEFT - BAR_RIGHT
    axis = ticks(_scale_top([row.count for row in rows], k))
    per_unit = plot_width / axis[-1]
    bars = []
    for index, row in enumerate(rows):
        cell = row.count
        if cell.shown and cell.value is not None:
            length = cell.value * per_unit
        else:
            length = k * per_unit if cell.released else 0.0
        bars.append(Bar(row.theme.name, cell, colour(row.theme.colour), BAR_TOP + index * BAR_ROW, length))
    axis_y = BAR_TOP + len(rows) * BAR_ROW
    return BarChart(bars=bars, ticks=[Tick(value, BAR_LEFT + value * per_unit) for value in axis],
                    width=WIDTH, height=int(axis_y) + 28, left=BAR_LEFT, top=BAR_TOP, plot_width=plot_width,
                    thickness=BAR_THICKNESS, axis_y=axis_y)


@dataclass(frozen=True)
class Line:
    theme: ThemeRef
    colour: str
    # Runs of consecutive shown points as "x,y x,y" (a polyline each); a hidden value breaks the line.
    runs: list[str]
    points: list[tuple[float, float]]


@dataclass(frozen=True)
class HallTick:
    hall: HallRef
    label: str  # its title, shortened to fit (the table below the chart has it in full)
    x: float


@dataclass(frozen=True)
class LineChart:
    lines: list[Line]
    ticks: list[Tick]  # value axis: position is the y coordinate
    halls: list[HallTick]  # town halls along the bottom
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: float


def _x_positions(count: int) -> list[float]:
    plot_width = WIDTH - LINE_LEFT - LINE_RIGHT
    if count == 1:
        return [LINE_LEFT + plot_width / 2]
    return [LINE_LEFT + index * plot_width / (count - 1) for index in range(count)]


def shorten(title: str, characters: int) -> str:
    """The title, cut at a word where it can be, with an ellipsis, when it is longer than characters."""
    if len(title) <= characters:
        return title
    cut = title[:characters - 1]
    if " " in cut[characters // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "\u2026"


def _label_room(count: int) -> int:
    spacing = (WIDTH - LINE_LEFT - LINE_RIGHT) / max(count, 1)
    return max(SHORTEST_LABEL, int(spacing // CHARACTER_WIDTH))


def line_chart(themes: list[ThemeRef], over_time: list[tuple[HallRef, list[Cell]]], k: int) -> LineChart:
    """One line per theme across the town halls (held and released), oldest first; a value not shown leaves a gap.

    The town halls are labelled by title, not month: two can fall in one month.
    """
    bottom = LINE_HEIGHT - LINE_BOTTOM
    axis = ticks(_scale_top([cell for _hall, cells in over_time for cell in cells], k))
    per_unit = (bottom - LINE_TOP) / axis[-1]
    xs = _x_positions(len(over_time))
    room = _label_room(len(over_time))
    lines = []
    for column, theme in enumerate(themes):
        runs: list[list[tuple[float, float]]] = [[]]
        points: list[tuple[float, float]] = []
        for x, (_hall, cells) in zip(xs, over_time, strict=True):
            cell = cells[column]
            if not cell.shown or cell.value is None:
                runs.append([])  # a gap: the next shown value starts a new run
                continue
            point = (round(x, 1), round(bottom - cell.value * per_unit, 1))
            runs[-1].append(point)
            points.append(point)
        polylines = [" ".join(f"{x},{y}" for x, y in run) for run in runs if len(run) > 1]
        lines.append(Line(theme, colour(theme.colour), polylines, points))
    return LineChart(lines=lines, ticks=[Tick(value, bottom - value * per_unit) for value in axis],
                     halls=[HallTick(hall, shorten(hall.title, room), x)
                            for (hall, _cells), x in zip(over_time, xs, strict=True)],
                     width=WIDTH, height=LINE_HEIGHT, left=LINE_LEFT, right=WIDTH - LINE_RIGHT, top=LINE_TOP,
                     bottom=bottom)
