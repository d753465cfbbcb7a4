"""The stylesheet keeps lists readable: a drop-down shows all its entries
(up to ten) in full, not three and half a fourth."""

from __future__ import annotations

from ui.app import load_stylesheet
from ui.qt import QApplication, QComboBox


def test_a_drop_down_shows_every_entry_in_full(qtbot):
    app = QApplication.instance()
    previous = app.styleSheet()
    app.setStyleSheet(load_stylesheet())
    try:
        combo = QComboBox()
        combo.addItems(["Family reunification", "Assisted return", "Independent living", "Another shelter",
                        "Hospital", "Left without notice", "Other"])
        qtbot.addWidget(combo)
        combo.resize(240, 32)
        combo.show()
        combo.showPopup()
        view = combo.view()
        qtbot.waitUntil(view.isVisible, timeout=2000)
        last = view.visualRect(view.model().index(combo.count() - 1, 0))
        assert last.isValid() and view.viewport().rect().contains(last), (last, view.viewport().rect())
        combo.hidePopup()
    finally:
        app.setStyleSheet(previous)
