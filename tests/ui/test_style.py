"""The stylesheet keeps lists readable: a drop-down shows all its entries
(up to ten) in full, not three and half a fourth."""

from __future__ import annotations

from ui.app import load_stylesheet
from ui.qt import QComboBox


def test_a_drop_down_shows_every_entry_in_full(qtbot):
    combo = QComboBox()
    # The application's stylesheet on this widget alone: setting it on the
    # whole application mid-run would restyle every widget earlier tests left.
    combo.setStyleSheet(load_stylesheet())
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
