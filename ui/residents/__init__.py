"""The Residents section: the list and search (``page``), the resident's file and discharge."""
