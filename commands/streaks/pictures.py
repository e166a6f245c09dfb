"""The 12-week activity heatmap: a contribution calendar, 7 rows (Mon-Sun) by 12 week columns.

Geometry is public so that tests can find each day's cell: `cell_box(column, row)`.
Days after today are not drawn; a day without activity is light grey; active days are green,
darker with more activity.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date, timedelta

from PIL import Image, ImageDraw, ImageFont

from commands.streaks.schedule import show_day

WEEKS = 12
CELL = 14
GAP = 3
LEFT = 34
TOP = 20
RIGHT = 10
BOTTOM = 10
WIDTH = LEFT + WEEKS * CELL + (WEEKS - 1) * GAP + RIGHT
HEIGHT = TOP + 7 * CELL + 6 * GAP + BOTTOM

BACKGROUND = (255, 255, 255)
EMPTY = (235, 237, 240)
LEVELS = ((155, 233, 168), (64, 196, 99), (48, 161, 78), (33, 110, 57))
INK = (87, 96, 106)


def first_day(today: date) -> date:
    """The Monday that starts the 12-week window ending with today's week."""
    return today - timedelta(days=today.weekday() + 7 * (WEEKS - 1))


def cell_box(column: int, row: int) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the cell for week `column` (0 = oldest) and weekday `row`."""
    x = LEFT + column * (CELL + GAP)
    y = TOP + row * (CELL + GAP)
    return x, y, x + CELL - 1, y + CELL - 1


def level(count: int) -> int:
    """0 for none, then 1-4 by how much was done that day."""
    if count <= 0:
        return 0
    if count >= 5:
        return 4
    return min(count, 3)


def heatmap_png(counts: Mapping[date, int], today: date) -> bytes:
    """Render the heatmap of `counts` (things done per local day) for the 12 weeks to today."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    start = first_day(today)
    last_month = None
    for column in range(WEEKS):
        monday = start + timedelta(weeks=column)
        if monday.month != last_month:
            if column < WEEKS - 1:
                draw.text((cell_box(column, 0)[0], 4), monday.strftime("%b"), fill=INK, font=font)
            last_month = monday.month
        for row in range(7):
            day = monday + timedelta(days=row)
            if day > today:
                continue
            n = level(counts.get(day, 0))
            draw.rectangle(cell_box(column, row), fill=LEVELS[n - 1] if n else EMPTY)
    for row, label in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
        draw.text((4, cell_box(0, row)[1] + 1), label, fill=INK, font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def heatmap_text(counts: Mapping[date, int], today: date) -> str:
    """The text version: active days in the window and the busiest day."""
    start = first_day(today)
    days = [start + timedelta(days=i) for i in range((today - start).days + 1)]
    active = [d for d in days if counts.get(d, 0) > 0]
    text = f"Activity over the last 12 weeks: {len(active)} active day"
    text += "" if len(active) == 1 else "s"
    text += f" of {len(days)}"
    if active:
        busiest = max(active, key=lambda d: (counts[d], d))
        text += f"; busiest {show_day(busiest)} ({counts[busiest]})"
    return text + "."
