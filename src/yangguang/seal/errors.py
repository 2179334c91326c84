"""Exceptions of the sealed-bid library."""

from __future__ import annotations


class SealError(Exception):
    """Anything that stops a seal, an opening or a key operation (bad input, wrong key, too few shares)."""


class Tampered(SealError):
    """An authentication check failed: the envelope, a wrapped key or the associated data was changed,
    truncated, reordered or extended, or the key is not the one it was sealed with."""


class BadShare(SealError):
    """A key share does not match its commitment (or cannot be read); ``index`` names it."""

    def __init__(self, index: int, message: str | None = None) -> None:
        self.index = index
        super().__init__(message or f"share {index} does not match its commitment")
