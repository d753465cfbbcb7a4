"""The document engine, read back from the PDF it makes: Arabic shaped and
in logical order over several lines with French words and numbers kept in
their own direction, fonts embedded as subsets, the furniture on every page
(mirrored in Arabic), the language of the document independent of the
interface's, and nothing written to disk while building."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime

import pytest
from reportlab.platypus import PageBreak

from shelter.documents import BidiParagraph, PageFurniture, TextStyle, build_pdf
from shelter.documents.builder import PAGE_SIZE
from shelter.documents.text import keep_numbers_whole, layout, shape
from shelter.i18n import set_language, translator
from tests.documents.pdftext import drawn_lines, fonts, normalise, page_lines, page_texts, pieces

# A note as a social worker would write it: Arabic with a French hospital
# department, a doctor's name, a date, a case number and a count.
ARABIC_NOTE = (
    "نقلت المقيمة إلى مستشفى ابن سينا في الرباط يوم 2026-11-22 لإجراء فحص طبي، "
    "ويتابع ملفها رقم RBT-2026-0042 الطبيب Jean-Pierre Dubois من قسم médecine interne، "
    "وعدد الأدوية الموصوفة 3 أدوية صباحا ومساء حتى نهاية الشهر. "
    "يرجى الاتصال بالمأوى على الرقم 05 37 12 34 56 قبل أي زيارة، "
    "ولا يجوز إعطاء عنوان المأوى لأي شخص."
)
FURNITURE = PageFurniture(
    shelter_name="Dar Al Amane",
    title="Note de transfert",
    printed_by="Amina Benali",
    printed_at=datetime(2026, 11, 24, 9, 30),
    reference="RBT-2026-0042",
)


def one_paragraph(text: str, lang: str = "ar") -> bytes:
    return build_pdf(lang, FURNITURE, lambda ctx: [ctx.paragraph(text)])


def test_arabic_paragraph_over_several_lines_reads_back_in_logical_order():
    pdf = one_paragraph(ARABIC_NOTE)
    note = normalise(ARABIC_NOTE)
    assert note in page_texts(pdf)[0]
    # Wrapped in logical order: the paragraph takes several lines, the first
    # holds the first words, and the lines follow each other in order.
    lines = [line for line in page_lines(pdf) if line in note]
    assert len(lines) >= 3
    assert lines[0].startswith("نقلت المقيمة إلى مستشفى")
    assert lines[-1].endswith("لأي شخص.")
    assert " ".join(lines) == note


def test_arabic_letters_are_drawn_joined():
    """The PDF holds contextual forms (initial, medial, final), not the
    isolated letters a plain string would give."""
    pdf = one_paragraph("مستشفى")
    from tests.documents.pdftext import reader

    raw = reader(pdf).pages[0].extract_text()
    assert "\ufee3\ufeb4\ufe98\ufeb8\ufed4\ufef0" in raw  # mim initial, sin/ta/shin/fa medial, alef maksura final
    assert "مستشفى" not in raw


def test_numbers_dates_and_case_numbers_keep_their_direction_inside_arabic():
    line = layout("يوم 2026-11-22 رقم RBT-2026-0042 هاتف 05 37 12 34 56 و 3 أدوية", 2000, size=10,
                  direction="rtl")[0]
    visual = normalise(line.visual_text)
    assert "2026-11-22" in visual
    assert "22-11-2026" not in visual
    assert "RBT-2026-0042" in visual
    assert "05 37 12 34 56" in visual
    # Right to left: the first word read is the rightmost one (reversed,
    # as it is drawn left to right).
    assert visual.endswith("يوم"[::-1])


def test_plain_uax9_would_turn_a_date_round_so_it_is_embedded():
    """Why keep_numbers_whole exists: digits after Arabic letters resolve as
    Arabic numbers, and the date would print as 22-11-2026."""
    from bidi.algorithm import get_display

    assert "22-11-2026" in get_display(shape("يوم 2026-11-22"), base_dir="R")
    embedded = keep_numbers_whole(shape("يوم 2026-11-22، و (RBT-1)"))
    assert "\u202a2026-11-22\u202c،" in embedded
    assert "(\u202aRBT-1\u202c)" in embedded


def test_brackets_are_mirrored_inside_arabic():
    line = layout("أدوية (صباحا ومساء) فقط", 2000, size=10, direction="rtl")[0]
    visual = line.visual_text
    # Drawn left to right: the closing word's bracket must open towards the text.
    assert visual.index("(") < visual.index(")")


def test_french_document_with_an_arabic_name_keeps_the_name_readable():
    pdf = one_paragraph("Résidente : فاطمة الزهراء, née le 1999-04-12, dossier RBT-2026-0042.", "fr")
    text = page_texts(pdf)[0]
    # (pypdf files the comma after the Arabic name with the Arabic run: its
    # reading of the drawn line, not the line itself, so it is left out.)
    assert "Résidente : فاطمة الزهراء" in text
    assert "née le 1999-04-12, dossier RBT-2026-0042." in text


@pytest.mark.parametrize("lang, sentence", [
    ("ar", "قبلت {name} يوم 2026-11-22 في الملف {case}."),
    ("fr", "Admise : {name}, le 2026-11-22, dossier {case}."),
])
@pytest.mark.parametrize("name", ["فاطمة الزهراء", "Fatima Zahra Benali"])
def test_a_name_isolated_inside_a_sentence_prints_as_written(lang, sentence, name):
    """The interface isolates a name or a value inside a sentence (FSI…PDI)
    so that its direction cannot disturb the words around it; the same
    translated sentence reaches the PDF and must print, not fail."""
    from shelter.i18n import isolate

    isolated = sentence.format(name=isolate(name), case=isolate("RBT-2026-0042"))
    plain = sentence.format(name=name, case="RBT-2026-0042")
    assert any(char in isolated for char in "\u2066\u2067\u2068")
    direction = "rtl" if lang == "ar" else "ltr"
    assert [line.visual_text for line in layout(isolated, 2000, size=10, direction=direction)] == \
        [line.visual_text for line in layout(plain, 2000, size=10, direction=direction)]
    text = page_texts(one_paragraph(isolated, lang))[0]
    assert normalise(name) in text and "RBT-2026-0042" in text and "2026-11-22" in text
    assert not any(char in text for char in "\u2066\u2067\u2068\u2069\u202a\u202b\u202c")


def test_fonts_are_embedded_as_subsets():
    pdf = one_paragraph(ARABIC_NOTE)
    found = fonts(pdf)
    assert {f.name.split("+")[1] for f in found} >= {"NotoNaskhArabic-Regular", "NotoSans-Regular", "NotoSans-Bold"}
    assert all(f.embedded and f.subset for f in found), found
    # The four bundled font files weigh 1.3 MB; subsets keep a page small.
    assert len(pdf) < 120_000


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_every_page_says_page_x_of_y(lang):
    story = lambda ctx: [ctx.paragraph("1"), PageBreak(), ctx.paragraph("2"), PageBreak(), ctx.paragraph("3")]  # noqa: E731
    pdf = build_pdf(lang, FURNITURE, story)
    texts = page_texts(pdf)
    assert len(texts) == 3
    label = translator(lang).gettext("Page {page} of {pages}")
    for number, text in enumerate(texts, start=1):
        assert normalise(label.format(page=number, pages=3)) in text
        assert "Amina Benali" in text and "2026-11-24" in text and "09:30" in text
        assert "RBT-2026-0042" in text and "Note de transfert" in text
        assert normalise(translator(lang).gettext("Confidential").upper()) in text


def _x_of(pdf: bytes, needle: str) -> float:
    return next(p.x for p in pieces(pdf) if needle in p.text)


def test_furniture_is_mirrored_in_arabic():
    middle = PAGE_SIZE[0] / 2
    english = one_paragraph("Text", "en")
    arabic = one_paragraph("نص", "ar")
    ar = translator("ar")
    # Shelter name at the start side: left in English, right in Arabic.
    assert _x_of(english, "Dar Al Amane") < middle < _x_of(arabic, "Dar Al Amane")
    # Page number at the end side: right in English, left in Arabic.
    page_ar = normalise(ar.gettext("Page {page} of {pages}").format(page=1, pages=1)).split()[0]
    assert _x_of(english, "Page 1 of 1") > middle > _x_of(arabic, page_ar)


def test_arabic_lines_are_right_aligned_and_french_left_aligned():
    margin = 20 * 72 / 25.4
    top, bottom = PAGE_SIZE[1] - 30 * 72 / 25.4, 22 * 72 / 25.4

    def body(pdf: bytes) -> list:
        return [line for line in drawn_lines(pdf) if bottom < line.y < top]

    arabic = body(one_paragraph(ARABIC_NOTE, "ar"))
    assert len(arabic) >= 3
    assert all(abs(line.right - (PAGE_SIZE[0] - margin)) < 0.5 for line in arabic), arabic
    assert arabic[-1].left > margin + 50  # the short last line is ragged on the left
    french = body(one_paragraph("Le texte est long. " * 40, "fr"))
    assert len(french) >= 3
    assert all(abs(line.left - margin) < 0.5 for line in french), french


def test_document_language_does_not_follow_the_interface_language():
    set_language("ar")
    pdf = build_pdf("en", FURNITURE, lambda ctx: [ctx.paragraph(ctx.tr.gettext("Confidential"))])
    assert "Page 1 of 1" in page_texts(pdf)[0]
    assert "Confidential" in page_texts(pdf)[0]


def test_a_long_paragraph_splits_across_pages_without_losing_a_line():
    sentences = [f"Ligne {n} : la résidente est suivie par l'équipe." for n in range(1, 121)]
    pdf = build_pdf("fr", FURNITURE, lambda ctx: [BidiParagraph("\n".join(sentences), TextStyle(size=10), "ltr")])
    texts = page_texts(pdf)
    assert len(texts) >= 2
    whole = " ".join(texts)
    for n in (1, 60, 120):
        assert f"Ligne {n} :" in whole
    assert whole.count("Ligne ") == 120


def test_building_writes_no_file(tmp_path, monkeypatch):
    """PDF bytes come from memory only: no temporary file, no file at all."""
    from shelter.documents.fonts import register_fonts

    register_fonts()  # reading the bundled fonts is allowed; do it first
    system_temp = tempfile.gettempdir()
    before = sorted(os.listdir(system_temp))
    empty_temp = tmp_path / "temp"
    empty_temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(empty_temp))
    monkeypatch.setattr(tempfile, "tempdir", str(empty_temp))

    def refuse(*args, **kwargs):
        raise AssertionError("a temporary file was asked for")

    for name in ("mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryFile", "SpooledTemporaryFile",
                 "TemporaryDirectory"):
        monkeypatch.setattr(tempfile, name, refuse)
    real_open = open
    real_os_open = os.open

    def read_only_open(file, mode="r", *args, **kwargs):  # noqa: ANN001
        if any(flag in mode for flag in "wax+"):
            raise AssertionError(f"a file was opened for writing: {file}")
        return real_open(file, mode, *args, **kwargs)

    def read_only_os_open(path, flags, *args, **kwargs):  # noqa: ANN001
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise AssertionError(f"a file was opened for writing: {path}")
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr("builtins.open", read_only_open)
    monkeypatch.setattr(os, "open", read_only_os_open)
    for lang in ("ar", "fr", "en"):
        assert one_paragraph(ARABIC_NOTE, lang).startswith(b"%PDF-")
    monkeypatch.undo()
    assert list(empty_temp.iterdir()) == []
    assert sorted(os.listdir(system_temp)) == before


def test_the_footer_of_an_arabic_page_reads_the_date_before_the_time():
    """Read right to left, the footer says the date first: the date stands to
    the right of the time (run together they made one left-to-right number
    read time first)."""
    pdf = one_paragraph("نص", "ar")
    assert _x_of(pdf, "2026-11-24") > _x_of(pdf, "09:30")

