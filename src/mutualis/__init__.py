"""Mutualis: software for mutual health societies (mutuelles de santé)."""

__version__ = "0.1.0"
