"""The administrator's command line (``python main.py <command>``).

For IT staff and scripts. Every expected failure prints one line on stderr
and exits non-zero; no traceback. Passwords are read from the terminal
without echo, or one per line from standard input with ``--password-stdin``.

The commands live in ``admin`` (the store and its accounts), ``documents``
and ``cases``; what they share (exit codes, passwords, signing in) in
``command``. Each imports only downward (``command``, then the core),
never this file.
"""

from __future__ import annotations

import argparse
import locale
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from shelter import __version__
from shelter.cli import admin, backups, cases, documents, reports
from shelter.cli.command import EXIT_DAMAGED, EXIT_ERROR, EXIT_OK, EXIT_USAGE, Handler, Parser, Secrets
from shelter.errors import ShelterError
from shelter.i18n import LANGUAGES, _, normalise_language, set_language
from shelter.storage.paths import ENV_DATA_DIR

__all__ = ["EXIT_DAMAGED", "EXIT_ERROR", "EXIT_OK", "EXIT_USAGE", "COMMANDS", "build_parser",
           "interface_language", "main", "run_command"]


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="shelter", description=_("Shelter: case management for anti-trafficking shelters."))
    p.add_argument("--version", action="version", version=f"Shelter {__version__}")
    p.add_argument("--data-dir", type=Path, default=None,
                   help=_("folder of the store (default: ${env} or the platform's data folder)").format(
                       env=ENV_DATA_DIR))
    p.add_argument("--lang", choices=LANGUAGES, default=None, help=_("language of messages"))
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    admin.add_parsers(sub)
    documents.add_parsers(sub)
    cases.add_parsers(sub)
    backups.add_parsers(sub)
    reports.add_parsers(sub)
    return p


COMMANDS: dict[str, Handler] = {
    "init": admin.cmd_init,
    "verify": admin.cmd_verify,
    "add-user": admin.cmd_add_user,
    "passwd": admin.cmd_passwd,
    "rotate-key": admin.cmd_rotate_key,
    "recover": admin.cmd_recover,
    "document": documents.cmd_document,
    "export": cases.cmd_export,
    "demo": cases.cmd_demo,
    "backup": backups.cmd_backup,
    "restore": backups.cmd_restore,
    "report": reports.cmd_report,
}


def interface_language(args: argparse.Namespace) -> str:
    if getattr(args, "lang", None):
        return args.lang
    env = os.environ.get("SHELTER_LANG") or os.environ.get("LANG") or (locale.getlocale()[0] or "")
    return normalise_language(env)


def run_command(args: argparse.Namespace, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    """Run one sub-command; expected failures become one line on stderr."""
    set_language(interface_language(args))
    secrets = Secrets(getattr(args, "password_stdin", False), stdin or sys.stdin)
    try:
        return COMMANDS[args.command](args, secrets, out or sys.stdout)
    except ShelterError as exc:
        print(f"shelter: {exc.message}", file=sys.stderr)
        return getattr(exc, "exit_code", EXIT_ERROR)
    except KeyboardInterrupt:
        print(f"shelter: {_('Interrupted.')}", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"shelter: {_('File error: {reason}').format(reason=exc.strerror or exc)}", file=sys.stderr)
        return EXIT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.command is None:
        build_parser().print_help()
        return EXIT_USAGE
    return run_command(args)
