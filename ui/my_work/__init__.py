"""The My work section: what is due in the cases a person holds (or, for a
coordinator, in every case)."""

from ui.my_work.page import MyWorkPage, WorkModel

__all__ = ["MyWorkPage", "WorkModel"]
