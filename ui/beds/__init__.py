"""The Beds section: the bed board, admissions and moves."""

from ui.beds.board import BedBoardPage

__all__ = ["BedBoardPage"]
