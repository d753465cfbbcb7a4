"""Counselling sessions on screen: the week calendar of a counsellor or a
room (``ui.sessions.page``, ``ui.sessions.calendar``), planning and the
session's own dialogs (``ui.sessions.dialogs``), the resident file's
Sessions tab (``ui.sessions.file_tab``) and the notes (``ui.sessions.notes``)."""
