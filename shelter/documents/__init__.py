"""Printed documents: read models and a language in, PDF bytes out.

ReportLab draws the pages; ``text`` shapes and orders Arabic mixed with
Latin; ``builder`` adds the furniture every page shares and writes into
memory only. Imports no Qt: the GUI previews and prints the bytes.
"""

from shelter.documents.builder import DocumentContext, PageFurniture, build_pdf
from shelter.documents.recovery_sheet import RecoverySheet, recovery_sheet
from shelter.documents.text import BidiParagraph, TextStyle

__all__ = ["BidiParagraph", "DocumentContext", "PageFurniture", "RecoverySheet", "TextStyle", "build_pdf",
           "recovery_sheet"]
