"""Shelter: the core (domain, storage, security, documents). Imports no Qt."""

__version__ = "0.1.0"
