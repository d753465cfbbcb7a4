"""The administrator's command line (``python main.py <command>``).

For IT staff and scripts. Every expected failure prints one line on stderr
and exits non-zero; no traceback. Passwords are read from the terminal
without echo, or one per line from standard input with ``--password-stdin``.
"""

from __future__ import annotations

import argparse
import getpass
import locale
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from shelter import __version__, cli_cases, cli_documents
from shelter.errors import ShelterError, ValidationError
from shelter.i18n import LANGUAGES, _, normalise_language, set_language
from shelter.security.permissions import Role
from shelter.storage.paths import ENV_DATA_DIR, default_data_dir
from shelter.store import SignedIn, Store

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_DAMAGED = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, as argparse does, without the usage dump
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="shelter", description=_("Shelter: case management for anti-trafficking shelters."))
    p.add_argument("--version", action="version", version=f"Shelter {__version__}")
    p.add_argument("--data-dir", type=Path, default=None,
                   help=_("folder of the store (default: ${env} or the platform's data folder)").format(
                       env=ENV_DATA_DIR))
    p.add_argument("--lang", choices=LANGUAGES, default=None, help=_("language of messages"))
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    init = sub.add_parser("init", help=_("create a new store and its first administrator"))
    init.add_argument("--shelter", required=True, help=_("the shelter's name"))
    init.add_argument("--code", required=True, help=_("the shelter's short code, e.g. RBT1"))
    init.add_argument("--city", default="")
    init.add_argument("--admin", required=True, help=_("the administrator's username"))
    init.add_argument("--admin-name", default=None, help=_("the administrator's full name"))
    init.add_argument("--password-stdin", action="store_true", help=_("read the password from standard input"))

    verify = sub.add_parser("verify", help=_("check the database, its encryption and the audit log"))
    _signin_args(verify)

    add = sub.add_parser("add-user", help=_("create a staff account (an administrator signs in)"))
    _signin_args(add)
    add.add_argument("--username", required=True)
    add.add_argument("--name", required=True, help=_("the person's full name"))
    add.add_argument("--role", action="append", required=True, choices=[r.value for r in Role])

    passwd = sub.add_parser("passwd", help=_("change your password"))
    _signin_args(passwd)

    rotate = sub.add_parser("rotate-key", help=_("re-encrypt the database under a new key"))
    _signin_args(rotate)

    recover = sub.add_parser("recover", help=_("set a new administrator password with the recovery code"))
    recover.add_argument("--user", required=True, help=_("the administrator's username"))
    recover.add_argument("--password-stdin", action="store_true",
                         help=_("read the recovery code, then the new password, from standard input"))
    cli_documents.add_parsers(sub)
    cli_cases.add_parsers(sub)
    return p


def _signin_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", default=None, help=_("your username"))
    p.add_argument("--password-stdin", action="store_true", help=_("read passwords from standard input"))


class Secrets:
    """Where passwords come from: standard input (one per line) or the terminal."""

    def __init__(self, from_stdin: bool, stdin: TextIO) -> None:
        self.from_stdin = from_stdin
        self.stdin = stdin

    def read(self, prompt: str, confirm: bool = False) -> str:
        if self.from_stdin:
            line = self.stdin.readline()
            if not line:
                raise ValidationError(_("Standard input ended before the password was read."))
            return line.rstrip("\r\n")
        if not sys.stdin.isatty():
            raise ValidationError(_("No terminal to ask for the password: use --password-stdin."))
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass(_("Repeat: ")) != first:
            raise ValidationError(_("The two passwords differ."))
        return first


def _store(args: argparse.Namespace) -> Store:
    return Store(args.data_dir or default_data_dir())


def _username(args: argparse.Namespace, store: Store) -> str:
    store.load_keyring()  # a missing or damaged store is reported before any prompt
    if args.user:
        return args.user
    if not args.password_stdin and sys.stdin.isatty():
        return input(_("Username: ")).strip()
    raise ValidationError(_("Name your account with --user."))


def _sign_in(args: argparse.Namespace, secrets: Secrets) -> SignedIn:
    store = _store(args)
    username = _username(args, store)
    return store.sign_in(username, secrets.read(_("Password for {user}: ").format(user=username)))


def cmd_init(args: argparse.Namespace, secrets: Secrets, out: TextIO) -> int:
    from shelter.security import passwords

    store = _store(args)
    if store.exists():
        raise ValidationError(_("A store already exists in {folder}.").format(folder=store.folder))
    password = secrets.read(_("New password for {user}: ").format(user=args.admin), confirm=True)
    passwords.check(password, args.admin)
    who, code = Store.create(
        store.folder, shelter_name=args.shelter, shelter_code=args.code, city=args.city,
        admin_username=args.admin, admin_display_name=args.admin_name, admin_password=password,
        language=args.lang or "en",
    )
    who.lock("sign_out")
    print(_("Store created in {folder}.").format(folder=store.folder), file=out)
    print("", file=out)
    print(_("RECOVERY CODE (shown once, never stored):"), file=out)
    print(f"    {code}", file=out)
    print("", file=out)
    print(_("Write it down or print it now, and keep it in the shelter's safe. Whoever holds it can "
            "open every record; without it, if all administrator passwords are lost, nobody can."), file=out)
    return EXIT_OK


def cmd_verify(args: argparse.Namespace, secrets: Secrets, out: TextIO) -> int:
    from shelter.services.maintenance import verify

    who = _sign_in(args, secrets)
    try:
        report = verify(who)
    finally:
        who.lock("sign_out")
    if report.ok:
        print(report.summary(), file=out)
        return EXIT_OK
    print(report.summary(), file=sys.stderr)
    for line in [*(x for x in report.integrity if x != "ok"), *report.cipher][:20]:
        print(f"  {line}", file=sys.stderr)
    return EXIT_DAMAGED


def cmd_add_user(args: argparse.Namespace, secrets: Secrets, out: TextIO) -> int:
    from shelter.services.accounts import create_account

    who = _sign_in(args, secrets)
    try:
        password = secrets.read(_("Temporary password for {user}: ").format(user=args.username), confirm=True)
        account = create_account(who, args.username, args.name, args.role, password)
    finally:
        who.lock("sign_out")
    print(_("Account {user} created; the password must be changed at first sign-in.").format(user=account.username),
          file=out)
    return EXIT_OK


def cmd_passwd(args: argparse.Namespace, secrets: Secrets, out: TextIO) -> int:
    from shelter.services.accounts import change_password

    store = _store(args)
    username = _username(args, store)
    current = secrets.read(_("Current password for {user}: ").format(user=username))
    who = store.sign_in(username, current)
    try:
        change_password(who, current, secrets.read(_("New password: "), confirm=True))
    finally:
        who.lock("sign_out")
    print(_("Password changed."), file=out)
    return EXIT_OK


def cmd_rotate_key(args: argparse.Namespace, secrets: Secrets, out: TextIO) -> int:
    from shelter.services.maintenance import rotate_key

    who = _sign_in(args, secrets)
    try:
        generation = rotate_key(who)
    finally:
        who.lock("sign_out")
    print(_("Database re-encrypted under a new key (generation {n}). Older copies of the keyring no longer open it.").format(
        n=generation), file=out)
    return EXIT_OK


def cmd_recover(args: argparse.Namespace, secrets: Secrets, out: TextIO) -> int:
    store = _store(args)
    code = secrets.read(_("Recovery code: "))
    password = secrets.read(_("New password for {user}: ").format(user=args.user), confirm=True)
    who = store.recover(code, args.user, password)
    who.lock("sign_out")
    print(_("New password set for {user}.").format(user=args.user), file=out)
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace, Secrets, TextIO], int]] = {
    "init": cmd_init,
    "verify": cmd_verify,
    "add-user": cmd_add_user,
    "passwd": cmd_passwd,
    "rotate-key": cmd_rotate_key,
    "recover": cmd_recover,
    "document": cli_documents.cmd_document,
    "export": cli_cases.cmd_export,
    "demo": cli_cases.cmd_demo,
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
