"""Reading generated PDFs back, as a person's PDF reader would: the text in
reading order, where each piece sits, which fonts the file carries."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass

import pypdf


def reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def _is_haraka(char: str) -> bool:
    return "\u064b" <= char <= "\u065f" or char == "\u0670"


def normalise(text: str) -> str:
    """Compatibility forms folded (Arabic presentation forms back to plain
    letters, as search and copy in a PDF reader do), short-vowel marks
    dropped (documents print Arabic without them), whitespace collapsed."""
    folded = "".join(ch for ch in unicodedata.normalize("NFKC", text) if not _is_haraka(ch))
    return " ".join(folded.split())


def page_texts(pdf: bytes) -> list[str]:
    """The extracted text of each page, normalised."""
    return [normalise(page.extract_text()) for page in reader(pdf).pages]


def page_lines(pdf: bytes, page: int = 0) -> list[str]:
    """The extracted lines of one page, each normalised, empty ones dropped."""
    text = reader(pdf).pages[page].extract_text()
    return [line for line in (normalise(raw) for raw in text.splitlines()) if line]


@dataclass(frozen=True)
class Piece:
    """A piece of text as drawn: its (normalised) text and the x, y of its start."""

    text: str
    x: float
    y: float


def pieces(pdf: bytes, page: int = 0) -> list[Piece]:
    found: list[Piece] = []

    def visit(text, cm, tm, font_dict, font_size):  # noqa: ANN001 (pypdf callback)
        if text.strip():
            found.append(Piece(normalise(text), tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    reader(pdf).pages[page].extract_text(visitor_text=visit)
    return found


@dataclass(frozen=True)
class EmbeddedFont:
    name: str
    embedded: bool
    subset: bool


def fonts(pdf: bytes) -> list[EmbeddedFont]:
    """Every font the pages use, with whether its program is in the file
    and whether it is a subset (a name like ``ABCDEF+NotoSans``)."""
    found: dict[str, EmbeddedFont] = {}
    for page in reader(pdf).pages:
        resources = page["/Resources"].get_object()
        for ref in resources.get("/Font", {}).values():
            font = ref.get_object()
            name = str(font["/BaseFont"]).lstrip("/")
            descriptor = font.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            prefix, plus, _rest = name.partition("+")
            found[name] = EmbeddedFont(name, embedded, bool(plus) and len(prefix) == 6 and prefix.isupper())
    return list(found.values())


@dataclass(frozen=True)
class DrawnLine:
    """One text object (a drawn line) as placed on the page: its baseline
    and the left and right edges of its ink advance, in points."""

    y: float
    left: float
    right: float


def _multiply(m: list[float], n: list[float]) -> list[float]:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return [a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2]


def drawn_lines(pdf: bytes, page: int = 0) -> list[DrawnLine]:
    """Where each text object's runs sit, computed from the content stream
    (text matrices, transformation matrices and the fonts' /Widths), so a
    test can tell left from right alignment without rendering."""
    from pypdf.generic import ContentStream

    doc = reader(pdf)
    the_page = doc.pages[page]
    font_resources = the_page["/Resources"].get_object()["/Font"]
    ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    stack: list[list[float]] = []
    lines: list[DrawnLine] = []
    font = None
    size = 0.0
    x = y = 0.0
    edges: list[tuple[float, float]] = []
    for operands, operator in ContentStream(the_page.get_contents(), doc).operations:
        if operator == b"q":
            stack.append(ctm)
        elif operator == b"Q":
            ctm = stack.pop()
        elif operator == b"cm":
            ctm = _multiply([float(v) for v in operands], ctm)
        elif operator == b"BT":
            edges = []
        elif operator == b"Tf":
            font = font_resources[operands[0]].get_object()
            size = float(operands[1])
        elif operator == b"Tm":
            x, y = float(operands[4]), float(operands[5])
        elif operator == b"Tj" and font is not None:
            widths = font["/Widths"]
            first = int(font["/FirstChar"])
            advance = sum(float(widths[code - first]) for code in bytes(operands[0].original_bytes)) * size / 1000
            edges.append((x, x + advance))
            x += advance
        elif operator == b"ET" and edges:
            left = min(e[0] for e in edges) * ctm[0] + ctm[4]
            right = max(e[1] for e in edges) * ctm[0] + ctm[4]
            lines.append(DrawnLine(y * ctm[3] + ctm[5], left, right))
    return lines
