"""Shelter: start the application (no command), run an administration
command (``python main.py --help``), or check the installation
(``python main.py --self-test``)."""

from __future__ import annotations

import os
import sys
from types import SimpleNamespace

# The options of the application itself (no command).
APPLICATION_OPTIONS = ("--data-dir", "--lang")


def application_args(argv: list[str]) -> SimpleNamespace | None:
    """The options when ``argv`` starts the application: no command, only
    ``--data-dir`` and ``--lang`` (``--lang fr`` or ``--lang=fr``), read
    without the command line's modules, which import the storage layer that
    the sign-in window does not wait for. None for anything else: the command
    line parses it (and says what is wrong)."""
    from pathlib import Path

    from shelter.i18n import LANGUAGES

    values: dict[str, str] = {}
    rest = list(argv)
    while rest:
        name, equals, value = rest.pop(0).partition("=")
        if name not in APPLICATION_OPTIONS:
            return None
        if not equals:
            if not rest or rest[0].startswith("-"):
                return None
            value = rest.pop(0)
        values[name] = value
    lang = values.get("--lang")
    if lang is not None and lang not in LANGUAGES:
        return None
    data_dir = values.get("--data-dir")
    return SimpleNamespace(command=None, data_dir=None if data_dir is None else Path(data_dir), lang=lang)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if os.name != "nt":
        # Every file Shelter creates (database, its journal, backups, a
        # document saved on request) is readable by its owner only.
        os.umask(0o077)
    if argv == ["--self-test"]:
        from ui.selftest import run

        return run()
    from shelter.i18n import environment_language, set_language

    options = application_args(argv)
    if options is not None:
        set_language(options.lang or environment_language())
        from ui.app import run_gui

        return run_gui(options)
    from shelter import cli

    # Messages (and --help) in the chosen language from the first line on.
    if "--lang" in argv[:-1]:
        set_language(argv[argv.index("--lang") + 1])
    else:
        set_language(environment_language())
    args = cli.build_parser().parse_args(argv)
    if args.command is None:
        from ui.app import run_gui

        return run_gui(args)
    return cli.run_command(args)


if __name__ == "__main__":
    sys.exit(main())
