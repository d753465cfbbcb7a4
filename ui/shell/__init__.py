"""The application shell: first-run set-up, sign-in and recovery, the main
window with its sections, locking, and switching the interface language."""

from ui.shell.shell import Shell

__all__ = ["Shell"]
