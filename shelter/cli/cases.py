"""The ``export`` and ``demo`` commands of the command line.

    python main.py [--data-dir DIR] export --out FILE.json [--user U] [--password-stdin]
    python main.py [--data-dir DIR] export --anonymised [--k 11] --out FILE.csv [--user U] [--password-stdin]
    python main.py [--data-dir DIR] demo [--residents N] [--years Y] [--shelters S] [--seed N]

``export`` writes every record the person may see (``docs/export-format.md``)
and says that the file is not encrypted; with ``--anonymised``, the
k-anonymous case-level CSV (``docs/anonymised-export.md``), and how many
rows were written, left out for want of consent, and suppressed to keep k.
``demo`` creates a demonstration store of synthetic people in an empty data
folder and prints how to open it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from shelter.cli.command import EXIT_OK, SecretSource, sign_in, store_for
from shelter.errors import ValidationError
from shelter.i18n import _, list_text, ngettext
from shelter.security.permissions import Role


def add_parsers(subparsers: Any) -> None:
    """Add ``export`` and ``demo`` to the command line's sub-parsers."""
    export = subparsers.add_parser("export", help=_("write every record you may see to a JSON file, or the "
                                                    "anonymised case-level data to a CSV file"))
    export.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help=_("the file to write: JSON, or CSV with --anonymised"))
    export.add_argument("--anonymised", action="store_true",
                        help=_("one row per stay, no one can be singled out (docs/anonymised-export.md)"))
    export.add_argument("--k", type=int, default=None, metavar="N",
                        help=_("with --anonymised: every combination shared by at least N people "
                               "(default: the setting, 11)"))
    export.add_argument("--user", default=None, help=_("your username"))
    export.add_argument("--password-stdin", action="store_true", help=_("read the password from standard input"))

    demo = subparsers.add_parser("demo", help=_("create a demonstration store of fictional people, for training"))
    demo.add_argument("--residents", type=int, default=300, metavar="N", help=_("how many residents (default 300)"))
    demo.add_argument("--years", type=float, default=3, metavar="Y",
                      help=_("how many years of stays (default 3)"))
    demo.add_argument("--shelters", type=int, default=None, metavar="S",
                      help=_("how many shelters of 60 beds (default: enough for the residents)"))
    demo.add_argument("--seed", type=int, default=2026, help=_("the same seed makes the same people"))


def cmd_export(args: argparse.Namespace, secrets: SecretSource, out: TextIO) -> int:
    if getattr(args, "anonymised", False):
        return _export_anonymised(args, secrets, out)
    if getattr(args, "k", None) is not None:
        raise ValidationError(_("--k goes with --anonymised."), field="k")
    from shelter.services.export import export_to_file

    who = sign_in(args, secrets)
    try:
        summary = export_to_file(who, args.out)
    finally:
        who.lock("sign_out")
    written = sum(summary.counts.values())
    print(ngettext("{n} record written to {path}.", "{n} records written to {path}.", written).format(
        n=written, path=summary.path), file=out)
    print(_("This file is not encrypted and holds residents' personal data: keep it on an encrypted medium "
            "and delete it when it has served."), file=sys.stderr)
    return EXIT_OK


def _export_anonymised(args: argparse.Namespace, secrets: SecretSource, out: TextIO) -> int:
    from shelter.services.anonymised_export import check_k, export_anonymised

    if args.k is not None:
        check_k(args.k)  # said before the password is asked
    who = sign_in(args, secrets)
    try:
        result = export_anonymised(who, args.out, args.k)
    finally:
        who.lock("sign_out")
    rows = len(result.rows)
    print(ngettext("{n} row written to {path} (one per stay).", "{n} rows written to {path} (one per stay).",
                   rows).format(n=rows, path=result.path), file=out)
    print(ngettext("{n} person left out: no consent to be counted without name.",
                   "{n} people left out: no consent to be counted without name.",
                   result.not_consenting).format(n=result.not_consenting), file=out)
    print(ngettext("{n} row suppressed so that every combination is shared by at least {k} people.",
                   "{n} rows suppressed so that every combination is shared by at least {k} people.",
                   result.suppressed).format(n=result.suppressed, k=result.k), file=out)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, secrets: SecretSource, out: TextIO) -> int:
    from shelter.services.demo import build_demo

    folder = store_for(args).folder

    def progress(done: int, wanted: int) -> None:
        print(ngettext("{done} of {wanted} resident…", "{done} of {wanted} residents…", wanted).format(
            done=done, wanted=wanted), file=sys.stderr, flush=True)

    summary = build_demo(folder, args.residents, args.years, args.shelters, seed=args.seed, progress=progress)
    print(_("Demonstration store created in {folder}: {figures}.").format(folder=summary.folder, figures=list_text([
        ngettext("{n} fictional resident", "{n} fictional residents", summary.residents).format(n=summary.residents),
        ngettext("{n} stay", "{n} stays", summary.stays).format(n=summary.stays),
        ngettext("{n} shelter", "{n} shelters", summary.shelters).format(n=summary.shelters),
        ngettext("{n} person in residence today", "{n} people in residence today",
                 summary.in_residence).format(n=summary.in_residence)])), file=out)
    print(_("For training only: every account has the password «{password}».").format(password=summary.password),
          file=out)
    for username, role in summary.accounts:
        print(f"    {username:10} {Role(role).label}", file=out)
    print(_("RECOVERY CODE: {code}").format(code=summary.recovery_code), file=out)
    return EXIT_OK
