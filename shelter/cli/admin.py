"""The commands that make and look after a store and its accounts:
``init``, ``verify``, ``add-user``, ``passwd``, ``rotate-key``, ``recover``
(``python main.py <command> --help`` lists each one's options)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from shelter.cli.command import EXIT_DAMAGED, EXIT_OK, SecretSource, sign_in, signin_args, store_for, username_for
from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.security.permissions import Role
from shelter.store import Store


def add_parsers(subparsers: Any) -> None:
    """Add the store's and the accounts' commands to the command line's sub-parsers."""
    init = subparsers.add_parser("init", help=_("create a new store and its first administrator"))
    init.add_argument("--shelter", required=True, help=_("the shelter's name"))
    init.add_argument("--code", required=True, help=_("the shelter's short code, e.g. RBT1"))
    init.add_argument("--city", default="")
    init.add_argument("--admin", required=True, help=_("the administrator's username"))
    init.add_argument("--admin-name", default=None, help=_("the administrator's full name"))
    init.add_argument("--password-stdin", action="store_true", help=_("read the password from standard input"))

    verify = subparsers.add_parser("verify", help=_("check the database, its encryption and the audit log"))
    signin_args(verify)

    add = subparsers.add_parser("add-user", help=_("create a staff account (an administrator signs in)"))
    signin_args(add)
    add.add_argument("--username", required=True)
    add.add_argument("--name", required=True, help=_("the person's full name"))
    add.add_argument("--role", action="append", required=True, choices=[r.value for r in Role])

    passwd = subparsers.add_parser("passwd", help=_("change your password"))
    signin_args(passwd)

    rotate = subparsers.add_parser("rotate-key", help=_("re-encrypt the database under a new key"))
    signin_args(rotate)

    recover = subparsers.add_parser("recover", help=_("set a new administrator password with the recovery code"))
    recover.add_argument("--user", required=True, help=_("the administrator's username"))
    recover.add_argument("--password-stdin", action="store_true",
                         help=_("read the recovery code, then the new password, from standard input"))


def cmd_init(args: argparse.Namespace, secrets: SecretSource, out: TextIO) -> int:
    from shelter.security import passwords

    store = store_for(args)
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


def cmd_verify(args: argparse.Namespace, secrets: SecretSource, out: TextIO) -> int:
    from shelter.services.maintenance import verify

    who = sign_in(args, secrets)
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


def cmd_add_user(args: argparse.Namespace, secrets: SecretSource, out: TextIO) -> int:
    from shelter.services.accounts import create_account

    who = sign_in(args, secrets)
    try:
        password = secrets.read(_("Temporary password for {user}: ").format(user=args.username), confirm=True)
        account = create_account(who, args.username, args.name, args.role, password)
    finally:
        who.lock("sign_out")
    print(_("Account {user} created; the password must be changed at first sign-in.").format(user=account.username),
          file=out)
    return EXIT_OK


def cmd_passwd(args: argparse.Namespace, secrets: SecretSource, out: TextIO) -> int:
    from shelter.services.accounts import change_password

    store = store_for(args)
    username = username_for(args, store)
    current = secrets.read(_("Current password for {user}: ").format(user=username))
    who = store.sign_in(username, current)
    try:
        change_password(who, current, secrets.read(_("New password: "), confirm=True))
    finally:
        who.lock("sign_out")
    print(_("Password changed."), file=out)
    return EXIT_OK


def cmd_rotate_key(args: argparse.Namespace, secrets: SecretSource, out: TextIO) -> int:
    from shelter.services.maintenance import rotate_key

    who = sign_in(args, secrets)
    try:
        generation = rotate_key(who)
    finally:
        who.lock("sign_out")
    print(_("Database re-encrypted under a new key (generation {n}). Older copies of the keyring no longer open it.").format(
        n=generation), file=out)
    return EXIT_OK


def cmd_recover(args: argparse.Namespace, secrets: SecretSource, out: TextIO) -> int:
    store = store_for(args)
    code = secrets.read(_("Recovery code: "))
    password = secrets.read(_("New password for {user}: ").format(user=args.user), confirm=True)
    who = store.recover(code, args.user, password)
    who.lock("sign_out")
    print(_("New password set for {user}.").format(user=args.user), file=out)
    return EXIT_OK
