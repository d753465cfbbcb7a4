"""The ``document`` command of the command line: a printed document written
to a PDF file, for IT staff and scripts.

    python main.py [--data-dir DIR] document recovery-sheet --out FILE.pdf --lang ar|fr|en
                   [--new-code] [--user U] [--password-stdin]

With ``--password-stdin`` the password is read from the first line of
standard input and the recovery code (unless ``--new-code``) from the next.
The file is the one copy the person asked for: it is written atomically,
readable by its owner only, and the command says that it is not encrypted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TextIO

from shelter.atomic import write_atomic
from shelter.errors import ValidationError
from shelter.i18n import LANGUAGES, _

EXIT_OK = 0


class SecretSource(Protocol):
    """Where passwords and codes come from (``shelter.cli.Secrets``)."""

    def read(self, prompt: str, confirm: bool = False) -> str: ...


Handler = Callable[[argparse.Namespace, SecretSource, TextIO], int]


def add_parsers(subparsers: Any) -> None:
    """Add ``document`` and its sub-commands to the command line's
    sub-parsers (the object ``ArgumentParser.add_subparsers`` returns)."""
    document = subparsers.add_parser("document", help=_("write a printed document to a PDF file"))
    kinds = document.add_subparsers(dest="document", metavar="DOCUMENT", parser_class=type(document))
    kinds.required = True
    sheet = kinds.add_parser("recovery-sheet", help=_("the recovery sheet, to keep in the shelter's safe"))
    sheet.add_argument("--out", type=Path, required=True, metavar="FILE.pdf", help=_("the PDF file to write"))
    # Not "lang": the main --lang is the language of the command's messages.
    sheet.add_argument("--lang", dest="document_language", choices=LANGUAGES, required=True,
                       help=_("language of the document"))
    sheet.add_argument("--new-code", action="store_true",
                       help=_("issue a new recovery code and print it (the old code stops working)"))
    sheet.add_argument("--user", default=None, help=_("your username"))
    sheet.add_argument("--password-stdin", action="store_true",
                       help=_("read the password, then the recovery code, from standard input"))


def cmd_document(args: argparse.Namespace, secrets: SecretSource, out: TextIO) -> int:
    """Run ``document <kind>``."""
    return DOCUMENTS[args.document](args, secrets, out)


def _check_target(path: Path) -> Path:
    """Refuse a target that cannot be written before anything is changed
    (a new recovery code must not be issued into a file that fails)."""
    target = path.expanduser()
    if target.is_dir():
        raise ValidationError(_("{path} is a folder: name the PDF file to write.").format(path=target), field="out")
    if not target.parent.is_dir():
        raise ValidationError(_("The folder {folder} does not exist.").format(folder=target.parent), field="out")
    return target


def cmd_recovery_sheet(args: argparse.Namespace, secrets: SecretSource, out: TextIO) -> int:
    """Sign in, check (or issue) the recovery code, write the sheet."""
    from shelter.cli import _sign_in
    from shelter.services.documents import new_recovery_code, record_output, recovery_sheet

    target = _check_target(args.out)
    lang = args.document_language
    who = _sign_in(args, secrets)
    try:
        code = new_recovery_code(who) if args.new_code else secrets.read(_("Recovery code: "))
        try:
            write_atomic(target, recovery_sheet(who, lang, code))
        except Exception:
            if args.new_code:
                # The old code no longer works: this one must not be lost.
                print(_("The file could not be written. The NEW recovery code is:"), file=out)
                print(f"    {code}", file=out)
            raise
        record_output(who, "recovery_sheet", "save", lang)
    finally:
        who.lock("sign_out")
    if args.new_code:
        print(_("A new recovery code was issued: the code on any older sheet no longer works."), file=out)
    print(_("Recovery sheet written to {path}.").format(path=target), file=out)
    print(_("This file is not encrypted and holds the recovery code: print it, put the paper in the safe, "
            "then delete the file."), file=sys.stderr)
    return EXIT_OK


DOCUMENTS: dict[str, Handler] = {
    "recovery-sheet": cmd_recovery_sheet,
}
