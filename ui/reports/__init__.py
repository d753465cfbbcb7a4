"""The Reports section: the standard reports on screen (tables and charts),
their PDF, spreadsheet and CSV copies, and the referrals not admitted."""
