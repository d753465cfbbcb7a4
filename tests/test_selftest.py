"""``main.py --self-test`` checks a real installation and leaves nothing
behind; a broken resource makes it fail and name the check."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_self_test_passes_and_leaves_nothing_behind(tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = dict(os.environ, TMPDIR=str(tmp), TEMP=str(tmp), TMP=str(tmp))
    env.pop("QT_QPA_PLATFORM", None)  # the self-test must choose offscreen itself
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "--self-test"], capture_output=True,
                            text=True, env=env, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test passed" in result.stdout
    for check in ("translations", "fonts", "encrypted store", "main window in every language", "clean-up"):
        assert f"ok    {check}" in result.stdout
    assert list(tmp.iterdir()) == []


@pytest.fixture(autouse=True)
def fresh_translators():
    """The translators read while a test hides the catalogues would stay
    cached, empty, for every test after it (an Arabic screen in English)."""
    from shelter.i18n import translator

    translator.cache_clear()
    yield
    translator.cache_clear()


def test_a_missing_catalogue_fails_and_names_the_check(qapp, monkeypatch, tmp_path):
    from ui import selftest

    monkeypatch.setattr("shelter.i18n.catalogue_path", lambda lang: tmp_path / f"{lang}.po")
    out = io.StringIO()
    assert selftest.run(out) == 1
    text = out.getvalue()
    assert "FAIL  translations" in text and "self-test FAILED: translations" in text
    assert "ok    clean-up" in text


def test_a_bundle_without_its_resources_fails_each_resource_check(qapp, monkeypatch, tmp_path):
    """What a spec that forgot resources/ would produce: the report names
    every check that lost its files, and the temporary store still goes."""
    import tempfile

    from ui import selftest
    from ui.app import make_application

    empty = tmp_path / "bundle"
    (empty / "resources").mkdir(parents=True)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr("shelter.resources.root", lambda: empty)
    out = io.StringIO()
    try:
        code = selftest.run(out)
    finally:
        monkeypatch.undo()
        make_application()  # the shared application gets its stylesheet back
    text = out.getvalue()
    assert code == 1
    for check in ("translations", "fonts", "icons and stylesheet", "licences"):
        assert f"FAIL  {check}" in text
    assert "ok    clean-up" in text
    assert list(scratch.iterdir()) == []
