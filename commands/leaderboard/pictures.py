"""The weekly recap picture: top members as bars, and tiles for streaks, reviews and mocks.

Geometry is public so that tests can find the bars: `bar_box(row, fraction)`.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont

if TYPE_CHECKING:
    from commands.leaderboard.recap import RecapData

WIDTH = 720
HEIGHT = 360
BARS = 5
BAR_X = 170
BAR_MAX = 260
BAR_TOP = 78
BAR_HEIGHT = 30
BAR_STEP = 50
TILE_X = 470

BACKGROUND = (250, 250, 252)
BAR = (88, 101, 242)
INK = (33, 37, 41)
MUTED = (108, 117, 125)
TILE = (233, 236, 239)


def bar_box(row: int, fraction: float) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the bar in `row` (0 = first place) for a share of the top."""
    top = BAR_TOP + row * BAR_STEP
    width = max(4, round(BAR_MAX * max(0.0, min(1.0, fraction))))
    return BAR_X, top, BAR_X + width - 1, top + BAR_HEIGHT - 1


def _fit(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def recap_png(data: RecapData) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    title = ImageFont.load_default(size=22)
    body = ImageFont.load_default(size=15)
    small = ImageFont.load_default(size=13)
    draw.text((24, 18), f"Weekly recap: {data.title}", fill=INK, font=title)
    draw.text((24, 54), "Top members", fill=MUTED, font=small)
    best = max((p for _, p in data.top[:BARS]), default=0)
    for row, (name, points) in enumerate(data.top[:BARS]):
        box = bar_box(row, points / best if best > 0 else 0.0)
        draw.text((24, box[1] + 6), f"{row + 1}. {_fit(name, 16)}", fill=INK, font=body)
        draw.rectangle(box, fill=BAR)
        draw.text((box[2] + 8, box[1] + 6), str(points), fill=INK, font=body)
    if not data.top:
        draw.text((24, BAR_TOP + 6), "No points this week.", fill=MUTED, font=body)
    tiles = [
        ("Longest streak", f"{_fit(data.streaks[0][0], 18)}: {data.streaks[0][1]} days"
         if data.streaks else "none yet"),
        ("Most helpful reviewer", _fit(data.reviewers[0][0], 24) if data.reviewers else "none"),
        ("Mock interviews done", str(data.mock_interviews)),
        ("Most-missed question", _fit(data.missed[0][0], 26) if data.missed else "none"),
    ]
    for i, (label, value) in enumerate(tiles):
        top = 54 + i * 72
        draw.rounded_rectangle((TILE_X, top, WIDTH - 24, top + 60), radius=8, fill=TILE)
        draw.text((TILE_X + 12, top + 8), label, fill=MUTED, font=small)
        draw.text((TILE_X + 12, top + 30), value, fill=INK, font=body)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
