"""What every command of the command line shares: its exit codes, where
passwords come from, signing in, and the arguments for it.

The command modules (``admin``, ``documents``, ``cases``) import this one;
it imports none of them.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from typing import Protocol, TextIO

from shelter.errors import ValidationError
from shelter.i18n import _
from shelter.storage.paths import default_data_dir
from shelter.store import SignedIn, Store

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_DAMAGED = 0, 1, 2, 3


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, as argparse does, without the usage dump
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def signin_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", default=None, help=_("your username"))
    p.add_argument("--password-stdin", action="store_true", help=_("read passwords from standard input"))


class SecretSource(Protocol):
    """Where passwords and codes come from (``Secrets``, or a test's own)."""

    def read(self, prompt: str, confirm: bool = False) -> str: ...


Handler = Callable[[argparse.Namespace, SecretSource, TextIO], int]


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


def store_for(args: argparse.Namespace) -> Store:
    """The store in ``--data-dir``, or in the default data folder."""
    return Store(args.data_dir or default_data_dir())


def username_for(args: argparse.Namespace, store: Store) -> str:
    store.load_keyring()  # a missing or damaged store is reported before any prompt
    if args.user:
        return args.user
    if not args.password_stdin and sys.stdin.isatty():
        return input(_("Username: ")).strip()
    raise ValidationError(_("Name your account with --user."))


def sign_in(args: argparse.Namespace, secrets: SecretSource) -> SignedIn:
    store = store_for(args)
    username = username_for(args, store)
    return store.sign_in(username, secrets.read(_("Password for {user}: ").format(user=username)))
