"""Text for labels and cells that must read in the interface's direction."""

from __future__ import annotations

from datetime import date

from shelter.domain.dates import format_date
from shelter.i18n import direction_mark


def line_of(text: str) -> str:
    """A line that starts in the interface's direction whatever its first word."""
    return direction_mark() + text


def lines_of(parts: list[str]) -> str:
    return "\n".join(line_of(p) for p in parts if p)


def day(value: date | None) -> str:
    return format_date(value) if value else ""
