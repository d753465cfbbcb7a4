"""Printed documents on screen: a preview that renders the PDF in memory,
prints it, and saves it only when asked (after a warning)."""

from ui.documents.preview import DocumentPreview

__all__ = ["DocumentPreview"]
