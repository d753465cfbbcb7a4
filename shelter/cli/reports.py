"""The ``report`` command of the command line: the standard reports for a
period, released (small counts hidden) and written to a PDF, XLSX or CSV.

    python main.py [--data-dir DIR] report (--period 2026-11 | --from YYYY-MM-DD --to YYYY-MM-DD)
                   [--shelter CODE] --lang ar|fr|en --format pdf|xlsx|csv --out FILE
                   [--user U] [--password-stdin]

``--period`` takes a month (2026-11), a quarter (2026-Q4) or a year (2026).
The file is written atomically between two audit entries ("report.export").
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from shelter.cli.command import EXIT_OK, SecretSource, sign_in
from shelter.domain.report_model import Period
from shelter.errors import ValidationError
from shelter.i18n import LANGUAGES, _


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("give a date as YYYY-MM-DD")) from None


def add_parsers(subparsers: Any) -> None:
    report = subparsers.add_parser("report", help=_("write the standard reports for a period to a file"))
    when = report.add_mutually_exclusive_group(required=True)
    when.add_argument("--period", help=_("a month (2026-11), a quarter (2026-Q4) or a year (2026)"))
    when.add_argument("--from", dest="start", type=_day, metavar="YYYY-MM-DD", help=_("the first day of a range"))
    report.add_argument("--to", dest="end", type=_day, metavar="YYYY-MM-DD", help=_("the last day of a range"))
    report.add_argument("--shelter", metavar="CODE", help=_("one shelter's code (default: every shelter)"))
    # Not "lang": the main --lang is the language of the command's messages.
    report.add_argument("--lang", dest="document_language", choices=LANGUAGES, required=True,
                        help=_("language of the report"))
    report.add_argument("--format", choices=("pdf", "xlsx", "csv"), required=True, help=_("the kind of file"))
    report.add_argument("--out", type=Path, required=True, metavar="FILE", help=_("the file to write"))
    report.add_argument("--user", default=None, help=_("your username"))
    report.add_argument("--password-stdin", action="store_true", help=_("read the password from standard input"))


def _period(args: argparse.Namespace) -> Period:
    if args.period:
        if args.end is not None:
            raise ValidationError(_("Give either --period or --from and --to."), field="period")
        return Period.parse(args.period)
    if args.end is None:
        raise ValidationError(_("Give the last day of the range with --to."), field="period")
    return Period(args.start, args.end)


def cmd_report(args: argparse.Namespace, secrets: SecretSource, out: TextIO) -> int:
    from shelter.services import reports
    from shelter.services.outputs import check_target
    from shelter.services.shelters import list_shelters

    period = _period(args)  # a bad period or target is refused before any prompt
    target = check_target(args.out)
    who = sign_in(args, secrets)
    try:
        shelter_id = None
        if args.shelter:
            wanted = args.shelter.strip().upper()
            shelter_id = next((s.id for s in list_shelters(who) if s.code.upper() == wanted), None)
            if shelter_id is None:
                raise ValidationError(_("No shelter has the code {code}.").format(code=args.shelter),
                                      field="shelter")
        report = reports.make_report(who, period, shelter_id)
        path = reports.export_report(who, report, args.format, args.document_language, target)
    finally:
        who.lock("sign_out")
    print(_("Report for {period} written to {path}.").format(period=period.label(), path=path), file=out)
    print(_("Counts below the threshold are hidden in it; the file is not encrypted: keep it where the "
            "shelter's figures may be kept."), file=sys.stderr)
    return EXIT_OK
