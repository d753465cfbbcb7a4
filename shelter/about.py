"""What the About dialog lists: the version and the licences of everything
bundled with Shelter (the installers ship these components)."""

from __future__ import annotations

from importlib import metadata

from shelter import __version__

# (distribution or component, licence). Versions are read at run time.
COMPONENTS: tuple[tuple[str, str, str | None], ...] = (
    ("Qt / PySide6", "LGPL-3.0", "PySide6-Essentials"),
    ("SQLCipher / sqlcipher3", "BSD-3-Clause / zlib", "sqlcipher3"),
    ("SQLAlchemy", "MIT", "SQLAlchemy"),
    ("Alembic", "MIT", "alembic"),
    ("cryptography", "Apache-2.0 OR BSD-3-Clause", "cryptography"),
    ("ReportLab", "BSD-3-Clause", "reportlab"),
    ("python-bidi", "LGPL-3.0", "python-bidi"),
    ("arabic-reshaper", "MIT", "arabic-reshaper"),
    ("polib", "MIT", "polib"),
    ("platformdirs", "MIT", "platformdirs"),
    ("Noto Sans, Noto Naskh Arabic", "SIL Open Font License 1.1", None),
)


def version() -> str:
    return __version__


def components() -> list[str]:
    """One line per bundled component: name, version when known, licence."""
    lines = []
    for name, licence, dist in COMPONENTS:
        found = ""
        if dist:
            try:
                found = " " + metadata.version(dist)
            except metadata.PackageNotFoundError:
                found = ""
        lines.append(f"{name}{found}: {licence}")
    return lines
