"""The ``document`` command of the command line: a printed document written
to a PDF file, for IT staff and scripts.

    python main.py [--data-dir DIR] document recovery-sheet --out FILE.pdf --lang ar|fr|en
                   [--new-code] [--user U] [--password-stdin]
    python main.py [--data-dir DIR] document handover --case CASE_NUMBER --to "RECEIVER"
                   --lang ar|fr|en --out FILE.pdf [--reason transfer|referral|discharge]
                   [--person NAME] [--contact TEXT] [--date YYYY-MM-DD] [--item TEXT]...
                   [--section S --override-reason TEXT] [--user U] [--password-stdin]
    python main.py [--data-dir DIR] document care-plan --case CASE_NUMBER --lang ar|fr|en --out FILE.pdf
                   [--draft] [--version N] [--user U] [--password-stdin]
    python main.py [--data-dir DIR] document reintegration-plan --case CASE_NUMBER --lang ar|fr|en --out FILE.pdf
                   [--for resident|partner] [--partner NAME] [--section S]... [--override-reason TEXT]
                   [--user U] [--password-stdin]

With ``--password-stdin`` the password is read from the first line of
standard input and the recovery code (unless ``--new-code``) from the next.
The file is the one copy the person asked for: it is written atomically,
readable by its owner only, and the command says that it is not encrypted.
It is audited before it exists ("document.save", outcome "started"), then
when the write ended ("ok" or "failed"): see ``shelter.services.outputs``.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from shelter.cli.command import EXIT_OK, Handler, SecretSource, sign_in
from shelter.domain.vocabulary import HANDOVER_REASON, HANDOVER_SECTION
from shelter.errors import ShelterError, ValidationError
from shelter.i18n import LANGUAGES, _

if TYPE_CHECKING:
    from shelter.store import SignedIn


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

    hand = kinds.add_parser("handover", help=_("a handover document for a resident's transfer, referral or discharge"))
    hand.add_argument("--case", required=True, metavar="CASE_NUMBER", help=_("the resident's case number"))
    hand.add_argument("--to", required=True, metavar="RECEIVER", help=_("the receiving organisation"))
    hand.add_argument("--out", type=Path, required=True, metavar="FILE.pdf", help=_("the PDF file to write"))
    hand.add_argument("--lang", dest="document_language", choices=LANGUAGES, required=True,
                      help=_("language of the document"))
    hand.add_argument("--reason", choices=HANDOVER_REASON.codes, default="referral", help=_("why the resident is handed over"))
    hand.add_argument("--person", default="", help=_("the person who receives the resident"))
    hand.add_argument("--contact", default=None, help=_("contact at the shelter (default: your name)"))
    hand.add_argument("--date", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                      help=_("date of the handover (default: today)"))
    hand.add_argument("--item", action="append", default=[], metavar="TEXT",
                      help=_("a belonging or document handed over (repeat for each)"))
    hand.add_argument("--section", action="append", choices=HANDOVER_SECTION.codes, default=None,
                      help=_("a section to print (default: those the resident consented to share)"))
    hand.add_argument("--override-reason", default="",
                      help=_("why sections are printed without the resident's consent"))
    hand.add_argument("--user", default=None, help=_("your username"))
    hand.add_argument("--password-stdin", action="store_true", help=_("read the password from standard input"))

    plan = kinds.add_parser("care-plan", help=_("a resident's care plan: the latest agreed version, or the draft"))
    plan.add_argument("--case", required=True, metavar="CASE_NUMBER", help=_("the resident's case number"))
    plan.add_argument("--out", type=Path, required=True, metavar="FILE.pdf", help=_("the PDF file to write"))
    plan.add_argument("--lang", dest="document_language", choices=LANGUAGES, required=True,
                      help=_("the language the resident reads"))
    plan.add_argument("--version", type=int, default=None, metavar="N", help=_("an earlier agreed version"))
    plan.add_argument("--draft", action="store_true", help=_("the draft of the next version, marked as a draft"))
    plan.add_argument("--user", default=None, help=_("your username"))
    plan.add_argument("--password-stdin", action="store_true", help=_("read the password from standard input"))

    road = kinds.add_parser("reintegration-plan",
                            help=_("a resident's reintegration plan, for her or him or for a receiving partner"))
    road.add_argument("--case", "--resident", dest="case", required=True, metavar="CASE_NUMBER",
                      help=_("the resident's case number"))
    road.add_argument("--out", type=Path, required=True, metavar="FILE.pdf", help=_("the PDF file to write"))
    road.add_argument("--lang", dest="document_language", choices=LANGUAGES, required=True,
                      help=_("language of the document"))
    road.add_argument("--for", dest="audience", choices=("resident", "partner"), default="resident",
                      help=_("who the copy is for (default: the resident)"))
    road.add_argument("--partner", default=None, metavar="NAME",
                      help=_("the receiving partner, as named in the directory (with --for partner)"))
    road.add_argument("--section", action="append", choices=HANDOVER_SECTION.codes, default=None,
                      help=_("a section of the file to print (default: for a partner, those the resident "
                             "consented to share)"))
    road.add_argument("--override-reason", default="",
                      help=_("why the partner's copy is printed without the resident's consent"))
    road.add_argument("--user", default=None, help=_("your username"))
    road.add_argument("--password-stdin", action="store_true", help=_("read the password from standard input"))


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


def _save(who: SignedIn, target: Path, pdf: bytes, document: str, lang: str,
          record_type: str | None = None, record_id: str | None = None) -> None:
    """Write ``pdf`` to ``target`` between its audit entries: "started"
    (committed before the file exists; if it cannot be, nothing is
    written), then "ok" or "failed"."""
    from shelter.services.documents import record_output
    from shelter.services.outputs import write_recorded

    def record(outcome: str, extra: dict[str, Any]) -> None:
        record_output(who, document, "save", lang, record_type, record_id, outcome=outcome,
                      error=extra.get("error"))

    write_recorded(target, pdf, record)


def cmd_recovery_sheet(args: argparse.Namespace, secrets: SecretSource, out: TextIO) -> int:
    """Sign in, check (or issue) the recovery code, write the sheet."""
    from shelter.services.documents import confirm_recovery_code, new_recovery_code, recovery_sheet

    target = _check_target(args.out)
    lang = args.document_language
    who = sign_in(args, secrets)
    try:
        code = new_recovery_code(who) if args.new_code else secrets.read(_("Recovery code: "))
        try:
            _save(who, target, recovery_sheet(who, lang, code), "recovery_sheet", lang)
        except Exception:
            if args.new_code:
                # Both codes work until the new one is confirmed; it is shown
                # here so that it is not lost, and then replaces the old one.
                print(_("The file could not be written. The NEW recovery code is:"), file=out)
                print(f"    {code}", file=out)
                out.flush()
                with contextlib.suppress(ShelterError):  # the first failure is the one to report
                    confirm_recovery_code(who, code)
            raise
        if args.new_code:
            confirm_recovery_code(who, code)
    finally:
        who.lock("sign_out")
    if args.new_code:
        print(_("A new recovery code was issued: the code on any older sheet no longer works."), file=out)
    print(_("Recovery sheet written to {path}.").format(path=target), file=out)
    print(_("This file is not encrypted and holds the recovery code: print it, put the paper in the safe, "
            "then delete the file."), file=sys.stderr)
    return EXIT_OK


def cmd_handover(args: argparse.Namespace, secrets: SecretSource, out: TextIO) -> int:
    """Sign in, issue the handover document, write it."""
    from shelter.services.handover import HandoverRequest, issue_handover, resident_by_case

    target = _check_target(args.out)
    lang = args.document_language
    who = sign_in(args, secrets)
    try:
        request = HandoverRequest(
            resident_id=resident_by_case(who, args.case), reason=args.reason, receiver_organisation=args.to,
            receiver_person=args.person, handover_on=args.date or date.today(),
            shelter_contact=args.contact if args.contact is not None else who.actor.display_name,
            belongings=tuple((item, True) for item in args.item),
            sections=tuple(args.section) if args.section else None, override_reason=args.override_reason)
        issued = issue_handover(who, request, lang)
        _save(who, target, issued.pdf, "handover", lang, "document", issued.reference)
    finally:
        who.lock("sign_out")
    print(_("Handover document {reference} written to {path}.").format(reference=issued.reference, path=target),
          file=out)
    print(_("Verification code: {code}").format(code=issued.verification_code), file=out)
    print(_("This file is not encrypted: print it, then delete the file."), file=sys.stderr)
    return EXIT_OK


def cmd_care_plan(args: argparse.Namespace, secrets: SecretSource, out: TextIO) -> int:
    """Sign in, print the latest agreed version of the care plan (or the
    one asked for), else the draft marked as a draft, write it."""
    from shelter.services.care_plans import print_care_plan
    from shelter.services.handover import resident_by_case

    target = _check_target(args.out)
    lang = args.document_language
    who = sign_in(args, secrets)
    try:
        resident_id = resident_by_case(who, args.case)
        printed = print_care_plan(who, resident_id, lang, version=args.version, draft=args.draft)
        _save(who, target, printed.pdf, "care_plan", lang, "resident", str(resident_id))
    finally:
        who.lock("sign_out")
    if printed.draft:
        print(_("Draft of version {n} of the care plan written to {path}. It is not valid for signature.").format(
            n=printed.number, path=target), file=out)
    else:
        print(_("Care plan {reference} written to {path}.").format(reference=printed.reference, path=target),
              file=out)
    print(_("This file is not encrypted: print it, then delete the file."), file=sys.stderr)
    return EXIT_OK


def cmd_reintegration_plan(args: argparse.Namespace, secrets: SecretSource, out: TextIO) -> int:
    """Sign in, issue the reintegration plan for the resident or a partner, write it."""
    from shelter.services.handover import resident_by_case
    from shelter.services.outputs import write_recorded
    from shelter.services.reintegration_document import (
        partner_named,
        print_reintegration_plan,
        record_reintegration_output,
    )

    target = _check_target(args.out)
    lang = args.document_language
    if args.audience == "partner" and not (args.partner or "").strip():
        raise ValidationError(_("Name the partner the copy is for (--partner)."), field="partner")
    if args.audience == "resident" and args.partner:
        raise ValidationError(_("--partner is for a partner's copy: add --for partner."), field="partner")
    who = sign_in(args, secrets)
    try:
        resident_id = resident_by_case(who, args.case)
        partner_id = partner_named(who, args.partner) if args.audience == "partner" else None
        issued = print_reintegration_plan(who, resident_id, lang, args.audience, partner_id,
                                          tuple(args.section) if args.section else None, args.override_reason)

        def record(outcome: str, extra: dict[str, Any]) -> None:
            record_reintegration_output(who, issued.reference, "save", lang, outcome=outcome,
                                        error=extra.get("error"))

        write_recorded(target, issued.pdf, record)
    finally:
        who.lock("sign_out")
    print(_("Reintegration plan {reference} written to {path}.").format(reference=issued.reference, path=target),
          file=out)
    print(_("Verification code: {code}").format(code=issued.code), file=out)
    print(_("This file is not encrypted: print it, then delete the file."), file=sys.stderr)
    return EXIT_OK


DOCUMENTS: dict[str, Handler] = {
    "recovery-sheet": cmd_recovery_sheet,
    "handover": cmd_handover,
    "care-plan": cmd_care_plan,
    "reintegration-plan": cmd_reintegration_plan,
}
