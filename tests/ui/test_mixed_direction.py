"""Names and codes composed into a line keep their place whatever the
script around them: each is isolated, and each line starts in the
interface's direction (an Arabic shelter name in a French line, a Latin
case number in an Arabic one, a date in either)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shelter.i18n import list_text, translator

FSI, PDI, LRI, RLM, LRM = "\u2068", "\u2069", "\u2066", "\u200f", "\u200e"


@pytest.mark.parametrize("lang, mark", [("ar", RLM), ("fr", LRM), ("en", LRM)])
def test_a_value_on_the_file_starts_in_the_interfaces_direction_and_is_isolated(qtbot, interface, lang, mark):
    from ui.residents.file import value_label

    interface.apply(lang)
    label = value_label("CAS1-2026-0001\nدار الأمان")
    assert label.text() == f"{mark}{FSI}CAS1-2026-0001{PDI}\n{mark}{FSI}دار الأمان{PDI}"


def test_a_moment_reads_left_to_right_inside_an_arabic_line(interface):
    from ui.widgets.dates import local_datetime

    interface.apply("ar")
    text = local_datetime(datetime(2026, 12, 1, 8, 30, tzinfo=UTC))
    assert text.startswith(LRI) and text.endswith(PDI) and ":30" in text  # never "30:08"


def test_lists_use_the_languages_separator():
    assert list_text(["أ", "ب"], translator("ar")) == "أ، ب"
    assert list_text(["a", "b"], translator("fr")) == "a, b"


def test_board_headings_isolate_shelter_and_room_names(qtbot, coordinator, interface):
    from ui.beds.board import KIND_ROLE, BedBoardPage
    from ui.qt import Qt

    interface.apply("fr")
    page = BedBoardPage(coordinator)
    qtbot.addWidget(page)
    headings = [page.model.data(page.model.index(r), Qt.DisplayRole) for r in range(page.model.rowCount())
                if page.model.data(page.model.index(r), KIND_ROLE) != "bed"]
    assert headings and all(h.startswith(LRM + FSI) for h in headings)
