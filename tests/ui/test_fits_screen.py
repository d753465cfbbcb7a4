"""Every section and dialog fits a 1366×768 screen in Arabic, French and
English, with the long names real people and places have: nothing may make
a window wider or taller than the screen (the first-night review found the
bed board at 1532 px in French and the resident file at 1543 px in Arabic)."""

from __future__ import annotations

import pytest

from shelter.security.permissions import Role
from shelter.services import accounts, admissions, beds, shelters
from tests.cases import admission
from tests.ui.conftest import sign_in

SCREEN = (1366, 768)
PASSWORD = "night shift green tea"
LONG_LATIN = ("Fatima Zahra Oumaima Khadija Benali El Idrissi Ait Lahcen Ouchen Bouzid Tazi Alaoui "
              "Mernissi Bennani Chraibi Lahlou Skalli Berrada Kettani")  # about 150 characters
LONG_ARABIC = "فاطمة الزهراء أميمة خديجة بنعلي الإدريسي آيت لحسن أوشن بوزيد التازي العلوي المرنيسي البناني الشرايبي"
LONG_SHELTER = "Centre d'hébergement et d'accompagnement des victimes de la traite Dar Al Amane Casablanca Anfa"


@pytest.fixture
def long_store(admin, store_dir):
    shelter = shelters.list_shelters(admin)[0]
    shelters.update_shelter(admin, shelter.id, LONG_SHELTER, "Casablanca", True, False, True, True)
    shelters.add_room(admin, shelter.id, "غرفة الأمل — Chambre de l'espoir, premier étage, côté jardin", beds=6,
                      women_only=True)
    accounts.create_account(admin, "salma", "Salma Idrissi El Alaoui Bennani", [Role.ADMINISTRATOR,
                            Role.COORDINATOR, Role.SOCIAL_WORKER], PASSWORD, must_change_password=False)
    from shelter.store import Store

    who = Store(store_dir).sign_in("salma", PASSWORD)
    bed = beds.bed_board(who)[0].rooms[0].beds[0].bed_id
    admitted = admissions.admit(who, admission(bed, LONG_LATIN, LONG_ARABIC))
    who.lock("sign_out")
    return admitted


def too_big(widget) -> str:
    hint = widget.minimumSizeHint()
    if hint.width() > SCREEN[0] or hint.height() > SCREEN[1]:
        return f"{type(widget).__name__} needs at least {hint.width()}×{hint.height()}"
    return ""


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_every_section_and_dialog_fits_the_screen(qtbot, make_shell, store_dir, interface, long_store, lang):
    from ui.beds.board import AdmittedDialog, OutOfServiceDialog, ReserveDialog

    interface.apply(lang)
    shell = make_shell(store_dir)
    problems = [f"sign-in: {p}" for p in [too_big(shell.sign_in_window)] if p]
    window = sign_in(qtbot, shell, "salma", PASSWORD)
    for action in window.section_actions:
        action.trigger()
        qtbot.wait(10)
        page = window.stack.currentWidget()
        problems += [f"{action.text()}: {p}" for p in (too_big(window), too_big(page)) if p]

    window.open_section("beds")
    board = window.pages["beds"]
    occupied = next(t for t in board.tiles.values() if t.status == "occupied")
    dialogs = []
    board.select_bed(occupied.bed_id)
    board.move_selected()
    dialogs.append(board.dialog)
    board.open_file(occupied.resident_id)
    dialogs.append(board.file_dialog)
    free = next(t for t in board.tiles.values() if t.status == "free")
    board.select_bed(free.bed_id)
    board.admit()
    dialogs.append(board.dialog)
    dialogs += [ReserveDialog(window), OutOfServiceDialog(window),
                AdmittedDialog(long_store, LONG_SHELTER, window, can_print=True)]
    from ui.documents.handover import HandoverDialog

    dialogs.append(HandoverDialog(shell.who, long_store.resident_id, long_store.case_number, "referral",
                                  LONG_SHELTER, window))
    for dialog in dialogs:
        dialog.show()
        qtbot.wait(10)
        problems += [f"{lang}: {p}" for p in [too_big(dialog)] if p]
        dialog.hide()
    assert problems == []
