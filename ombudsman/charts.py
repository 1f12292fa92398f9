"""Bar charts as SVG geometry, drawn server-side (templates/admin/ombudsman/chart.html): no
chart library, no script, nothing from a CDN, and the CSP stays strict. A chart is a list of
bars with their coordinates and the text to show; the template only places them."""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 640
LABEL_WIDTH = 240  # horizontal bars: the label column
VALUE_WIDTH = 110  # horizontal bars: the value after the longest bar
ROW = 26
COLUMN_AREA_HEIGHT = 180
COLUMN_LABELS = 40


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value_x: float
    value_y: float
    tone: str = "main"


@dataclass
class Chart:
    title: str
    kind: str  # "rows" (horizontal bars) or "columns" (vertical bars)
    width: int = WIDTH
    height: int = 0
    bars: list[Bar] = field(default_factory=list)


def _scale(values: list[int], room: float) -> list[float]:
    top = max(values, default=0)
    return [room * value / top if top else 0.0 for value in values]


def rows(title: str, items: list[tuple[str, int, str]], *, tones: list[str] | None = None):
    """Horizontal bars: items are (label, value, value as shown)."""
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    lengths = _scale([value for _, value, _ in items], room)
    chart = Chart(title, "rows", height=ROW * len(items) + 8)
    for n, ((label, _, shown), length) in enumerate(zip(items, lengths, strict=True)):
        y = 4 + n * ROW
        chart.bars.append(Bar(
            label, shown, x=LABEL_WIDTH, y=y + 3, width=max(length, 1), height=ROW - 8,
            label_x=LABEL_WIDTH - 8, label_y=y + ROW / 2 + 4,
            value_x=LABEL_WIDTH + max(length, 1) + 6, value_y=y + ROW / 2 + 4,
            tone=tones[n] if tones else "main",
        ))  # fmt: skip
    return chart


def columns(title: str, items: list[tuple[str, int, str]]):
    """Vertical bars, one per period: items are (period label, value, value as shown)."""
    step = WIDTH / max(len(items), 1)
    heights = _scale([value for _, value, _ in items], COLUMN_AREA_HEIGHT - 16)
    chart = Chart(title, "columns", height=COLUMN_AREA_HEIGHT + COLUMN_LABELS)
    for n, ((label, _, shown), height) in enumerate(zip(items, heights, strict=True)):
        x = n * step + step * 0.15
        top = COLUMN_AREA_HEIGHT - height
        chart.bars.append(Bar(
            label, shown, x=x, y=top, width=step * 0.7, height=height,
            label_x=x + step * 0.35, label_y=COLUMN_AREA_HEIGHT + 16,
            value_x=x + step * 0.35, value_y=COLUMN_AREA_HEIGHT + 32,
        ))  # fmt: skip
    return chart
