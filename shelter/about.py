"""What the About dialog lists: every component shipped inside Shelter's
installers, with its licence.

Redistributing these components obliges us to name them and to pass their
licences on. Each Python library's own licence file travels in its
``*.dist-info`` folder in the bundle; the texts no package carries (Qt's
LGPL, Python's, SQLCipher's, OpenSSL's) are in ``resources/licences/``.
tests/test_about.py fails when a run-time dependency is missing here.
"""

from __future__ import annotations

import platform
import re
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from shelter.resources import resource

# Licence files inside a distribution's metadata folder.
LICENCE_FILE = re.compile(r"(licen[cs]e|copying|notice)", re.IGNORECASE)


@dataclass(frozen=True)
class Component:
    name: str
    licence: str  # SPDX expression
    # The Python distribution that carries it (its version and licence file
    # are found through its metadata), or None for components built into
    # another one.
    distribution: str | None = None
    # Its licence text under resources/ when no distribution carries it.
    text: tuple[str, ...] | None = None


COMPONENTS: tuple[Component, ...] = (
    Component("Python", "PSF-2.0", text=("licences", "Python.txt")),
    Component("Qt / PySide6", "LGPL-3.0-only", "PySide6-Essentials", ("licences", "LGPL-3.0.txt")),
    Component("Shiboken6", "LGPL-3.0-only", "shiboken6", ("licences", "LGPL-3.0.txt")),
    Component("sqlcipher3", "Zlib", "sqlcipher3"),
    Component("SQLCipher", "BSD-3-Clause", text=("licences", "SQLCipher.txt")),
    Component("OpenSSL", "Apache-2.0", text=("licences", "Apache-2.0.txt")),
    Component("SQLAlchemy", "MIT", "SQLAlchemy"),
    Component("typing_extensions", "PSF-2.0", "typing_extensions"),
    Component("Alembic", "MIT", "alembic"),
    Component("Mako", "MIT", "Mako"),
    Component("MarkupSafe", "BSD-3-Clause", "MarkupSafe"),
    Component("cryptography", "Apache-2.0 OR BSD-3-Clause", "cryptography"),
    Component("cffi", "MIT-0", "cffi"),
    Component("pycparser", "BSD-3-Clause", "pycparser"),
    Component("platformdirs", "MIT", "platformdirs"),
    Component("tzdata", "Apache-2.0", "tzdata"),
    Component("polib", "MIT", "polib"),
    Component("ReportLab", "BSD-3-Clause", "reportlab"),
    Component("Pillow", "MIT-CMU", "pillow"),
    Component("charset-normalizer", "MIT", "charset-normalizer"),
    Component("python-bidi", "LGPL-3.0-or-later", "python-bidi"),
    Component("arabic-reshaper", "MIT", "arabic-reshaper"),
    Component("zxcvbn", "MIT", "zxcvbn"),
    Component("openpyxl", "MIT", "openpyxl"),
    Component("et-xmlfile", "MIT", "et-xmlfile"),
    # PDFium and the libraries it is built with (FreeType, ICU, …): their
    # licence texts are in pypdfium2's metadata folder.
    Component("pypdfium2 / PDFium", "(Apache-2.0 OR BSD-3-Clause) AND BSD-3-Clause", "pypdfium2"),
    Component("Noto Sans, Noto Naskh Arabic", "SIL Open Font License 1.1", text=("fonts", "OFL.txt")),
)


def _version(component: Component) -> str | None:
    if component.name == "Python":
        return platform.python_version()
    if component.distribution is None:
        return None
    try:
        return metadata.version(component.distribution)
    except metadata.PackageNotFoundError:
        return None


def components() -> list[str]:
    """One line per bundled component: name, version when known, licence."""
    lines = []
    for component in COMPONENTS:
        version = _version(component)
        lines.append(f"{component.name}{' ' + version if version else ''}: {component.licence}")
    return lines



def licence_texts(component: Component) -> list[Path]:
    """The component's licence files present in this installation."""
    if component.text is not None:
        path = resource(*component.text)
        return [path] if path.is_file() else []
    try:
        distribution = metadata.distribution(component.distribution or "")
    except (metadata.PackageNotFoundError, ValueError):
        return []
    found = []
    for file in distribution.files or []:
        # By path: some packages keep theirs as licenses/<SPDX id>.txt.
        if ".dist-info" in file.parts[0] and LICENCE_FILE.search("/".join(file.parts[1:])):
            path = Path(str(distribution.locate_file(file)))
            if path.is_file():
                found.append(path)
    return found


def missing_licence_texts() -> list[str]:
    """Components whose licence text this installation lacks (the self-test
    fails on any: shipping a component obliges us to ship its licence)."""
    return [component.name for component in COMPONENTS if not licence_texts(component)]
