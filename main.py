"""Shelter: start the application (no command), run an administration
command (``python main.py --help``), or check the installation
(``python main.py --self-test``)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if os.name != "nt":
        # Every file Shelter creates (database, its journal, backups, a
        # document saved on request) is readable by its owner only.
        os.umask(0o077)
    if argv == ["--self-test"]:
        from ui.selftest import run

        return run()
    from shelter import cli
    from shelter.i18n import set_language

    # Messages (and --help) in the chosen language from the first line on.
    if "--lang" in argv[:-1]:
        set_language(argv[argv.index("--lang") + 1])
    else:
        set_language(cli.interface_language(cli.argparse.Namespace(lang=None)))
    args = cli.build_parser().parse_args(argv)
    if args.command is None:
        from ui.app import run_gui

        return run_gui(args)
    return cli.run_command(args)


if __name__ == "__main__":
    sys.exit(main())
