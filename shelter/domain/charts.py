"""What the screen and the PDF draw alike for a chart (``report_model.Chart``):
the scale, its ticks and the series' colours. The Reports screen paints with
Qt and the PDF with ReportLab; both take their geometry from here, so a
chart looks the same in both.
"""

from __future__ import annotations

import math

# One colour per series (a table's column), in order; chosen to stay apart
# for the common colour-vision deficiencies (Okabe and Ito's palette) and on
# grey paper.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
HIDDEN_FILL = "#D0D0D0"  # where a hidden value would be: hatched or grey, with its "<5" or "x"
GRID = "#C8C8C8"


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def nice_ticks(high: float, most: int = 5) -> list[float]:
    """Ticks from 0 to at least ``high``, at a round step (1, 2 or 5 × 10^n), at most ``most`` + 1 of them."""
    if high <= 0:
        return [0.0, 1.0]
    raw = high / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    count = math.ceil(high / step - 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]


def tick_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
