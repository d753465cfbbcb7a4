"""The About dialog's list of bundled components is complete, and every
licence it names has its text in the installation."""

from __future__ import annotations

import re
from importlib import metadata

from packaging.requirements import Requirement

from shelter import about


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_distributions() -> set[str]:
    """Every distribution installed to run Shelter: the requirements of the
    `shelter` package, followed through, for this platform and Python."""
    found: set[str] = set()
    todo = ["shelter"]
    while todo:
        distribution = metadata.distribution(todo.pop())
        for text in distribution.requires or []:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            name = normalised(requirement.name)
            if name not in found:
                found.add(name)
                todo.append(name)
    return found


def test_every_runtime_library_is_listed_with_its_licence():
    listed = {normalised(c.distribution) for c in about.COMPONENTS if c.distribution}
    missing = runtime_distributions() - listed
    assert not missing, f"add to shelter/about.py COMPONENTS: {sorted(missing)}"


def test_every_listed_licence_text_is_present():
    assert about.missing_licence_texts() == []
    qt = next(c for c in about.COMPONENTS if c.distribution == "PySide6-Essentials")
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in about.licence_texts(qt)[0].read_text(encoding="utf-8")


def test_a_component_without_its_licence_text_is_reported(monkeypatch):
    ghost = about.Component("Ghost library", "MIT", "no-such-distribution")
    unwritten = about.Component("Unwritten", "MIT", text=("licences", "no-such-file.txt"))
    monkeypatch.setattr(about, "COMPONENTS", (*about.COMPONENTS, ghost, unwritten))
    assert about.missing_licence_texts() == ["Ghost library", "Unwritten"]


def test_the_about_lines_give_versions_and_licences():
    lines = about.components()
    assert f"SQLAlchemy {metadata.version('SQLAlchemy')}: MIT" in lines
    assert "Noto Sans, Noto Naskh Arabic: SIL Open Font License 1.1" in lines
    assert len(lines) == len(about.COMPONENTS)
