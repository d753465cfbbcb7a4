"""The recovery code, shown once at set-up: large, grouped, and impossible to
select or copy (no selection, no context menu, no clipboard). It is meant to be
written down on paper and kept in the shelter's safe."""

from __future__ import annotations

from ui.qt import QFont, QFontDatabase, QLabel, Qt, QWidget


class RecoveryCodeView(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("recoveryCode")
        self.setAlignment(Qt.AlignCenter)
        self.setTextFormat(Qt.PlainText)
        self.setTextInteractionFlags(Qt.NoTextInteraction)
        self.setContextMenuPolicy(Qt.NoContextMenu)
        self.setFocusPolicy(Qt.NoFocus)
        # The code reads left to right in every interface language.
        self.setLayoutDirection(Qt.LeftToRight)
        font = QFontDatabase.systemFont(QFontDatabase.FixedFont)
        font.setPointSize(max(20, font.pointSize() * 2))
        font.setWeight(QFont.DemiBold)
        font.setLetterSpacing(QFont.AbsoluteSpacing, 2)
        self.setFont(font)
        self._code = ""

    def set_code(self, code: str) -> None:
        """``code`` as given by the core (groups of five joined by dashes):
        three groups per line, so it is easy to copy by hand."""
        self._code = code
        groups = [g for g in code.replace(" ", "-").split("-") if g]
        lines = ["   ".join(groups[i : i + 3]) for i in range(0, len(groups), 3)]
        self.setText("\n".join(lines))

    def code(self) -> str:
        return self._code
