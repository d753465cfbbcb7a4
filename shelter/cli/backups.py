"""Backups on the command line: ``backup [--to DIR]``, ``backup verify DIR``,
``backup list``, ``backup drill`` and ``restore --from DIR``. Every run is
audited; every failure is one line and a non-zero exit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from shelter.cli.command import EXIT_DAMAGED, EXIT_ERROR, EXIT_OK, SecretSource, sign_in, signin_args, store_for
from shelter.errors import ValidationError
from shelter.i18n import _, ngettext


def add_parsers(subparsers: Any) -> None:
    backup = subparsers.add_parser("backup", help=_("make, verify, list or practise restoring backups"))
    signin_args(backup)
    backup.add_argument("action", nargs="?", default="make", choices=["make", "verify", "list", "drill"],
                        help=_("make (the default), verify DIR, list, or drill"))
    backup.add_argument("folder", nargs="?", default=None, help=_("for verify: the backup folder"))
    backup.add_argument("--to", default=None, help=_("also copy the backup into this folder"))

    restore = subparsers.add_parser("restore", help=_("put a backup in place of the store of --data-dir"))
    signin_args(restore)
    restore.add_argument("--from", dest="source", required=True, help=_("the backup folder"))
    restore.add_argument("--force", action="store_true", help=_("replace the existing store without asking"))


def _when(info) -> str:  # noqa: ANN001
    return info.created_at.astimezone().strftime("%Y-%m-%d %H:%M")


STATES = {"verified": "verified", "failed": "FAILED", "unverified": "not verified"}


def cmd_backup(args: argparse.Namespace, secrets: SecretSource, out: TextIO) -> int:
    from shelter.services import backups

    if args.action != "verify" and args.folder:
        raise ValidationError(_("Only 'backup verify' takes a folder."))
    who = sign_in(args, secrets)
    try:
        if args.action == "make":
            result = backups.back_up(who, to=Path(args.to) if args.to else None)
            if not result.ok:
                print(_("The backup {name} was made but does not verify: {problem}").format(
                    name=result.info.name, problem=result.check.problems[0]), file=sys.stderr)
                return EXIT_DAMAGED
            print(_("Backup made and verified: {folder}").format(folder=result.info.folder), file=out)
            if result.mirrored_to is not None:
                print(_("Copied to {folder}.").format(folder=result.mirrored_to), file=out)
            if result.mirror_problem:
                print(_("The copy to the second place failed: {problem}").format(problem=result.mirror_problem),
                      file=sys.stderr)
                return EXIT_ERROR
            return EXIT_OK
        if args.action == "verify":
            if not args.folder:
                raise ValidationError(_("Name the backup folder to verify: backup verify DIR."))
            check = backups.verify_backup(who, Path(args.folder))
            if check.ok:
                print(_("The backup verifies: every file, the database, its encryption and its audit log."),
                      file=out)
                return EXIT_OK
            print(_("The backup does not verify: {problem}").format(problem=check.problems[0]), file=sys.stderr)
            for line in check.problems[1:10]:
                print(f"  {line}", file=sys.stderr)
            return EXIT_DAMAGED
        if args.action == "list":
            items = backups.backups(who)
            if not items:
                print(_("No backup yet."), file=out)
            for b in items:
                print(f"{b.name}  {_when(b)}  {STATES.get(b.state, b.state)}  {b.size // 1024} KiB", file=out)
            return EXIT_OK
        report = backups.drill(who)
        if not report.ok:
            print(_("The drill failed: the newest backup does not verify: {problem}").format(
                problem=report.check.problems[0]), file=sys.stderr)
            return EXIT_DAMAGED
        diff = report.comparison.differences
        print(_("Drill passed: the backup {name} restores and verifies.").format(name=report.source.name), file=out)
        if diff:
            print(ngettext("{n} table differs from the live store (written since the backup):",
                           "{n} tables differ from the live store (written since the backup):", len(diff)).format(
                               n=len(diff)), file=out)
            for d in diff:
                print(_("  {table}: {backup} in the backup, {live} now").format(
                    table=d.table, backup=d.backup_rows, live=d.live_rows), file=out)
        else:
            print(_("The backup holds exactly what the live store holds."), file=out)
        return EXIT_OK
    finally:
        who.lock("sign_out")


def cmd_restore(args: argparse.Namespace, secrets: SecretSource, out: TextIO) -> int:
    from shelter.services import backups

    store = store_for(args)
    source = Path(args.source)
    if args.user:
        username = args.user
    elif not args.password_stdin and sys.stdin.isatty():
        username = input(_("Username: ")).strip()
    else:
        raise ValidationError(_("Name your account with --user."))
    password = secrets.read(_("Password for {user}: ").format(user=username))
    plan, scratch = backups.plan_restore(source, store.folder, username, password)
    try:
        for line in backups.restore_summary(plan):
            print(line, file=out)
        if not plan.check.ok:
            return EXIT_DAMAGED
        if plan.replaces and not args.force:
            if args.password_stdin or not sys.stdin.isatty():
                raise ValidationError(_("A store exists in {folder}: add --force to replace it.").format(
                    folder=store.folder))
            answer = input(_("Replace the current store with this backup? Type yes to go on: ")).strip().lower()
            if answer not in ("yes", _("yes")):
                print(_("Nothing was changed."), file=out)
                return EXIT_ERROR
        who = backups.restore(plan, scratch, store.folder, username, password)
        who.lock("sign_out")
        scratch = None
        print(_("Restored from {name}.").format(name=plan.source.name), file=out)
        return EXIT_OK
    finally:
        if scratch is not None:
            backups.discard(scratch)
