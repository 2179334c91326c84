"""Sealed bids: chunked AEAD envelopes, key wrapping, bidder signatures and the k-of-n opening key.

Pure Python on ``cryptography`` and ``pycryptodome`` — no Django, so the bidder command-line tool
(``python -m yangguang.seal.cli``) runs on its own. Format and threat notes: ``docs/sealed-bids.md``.
"""

from .envelope import (
    DEFAULT_SEGMENT,
    OpenInfo,
    SealInfo,
    aad_hash,
    bid_aad,
    content_key_check,
    envelope_header,
    open_stream,
    seal_stream,
)
from .errors import BadShare, SealError, Tampered
from .keys import (
    BidderKeys,
    canonical_json,
    content_key_new,
    key_id,
    sign_message,
    unwrap_key,
    verify_message,
    wrap_key,
)
from .opening import (
    OpeningCeremony,
    Share,
    opening_key_create,
    opening_key_info,
    opening_key_recover,
    share_commitment,
    share_export,
    share_import,
    share_verify,
)
from .suites import SUITES

__all__ = [
    "DEFAULT_SEGMENT", "SUITES", "BadShare", "BidderKeys", "OpenInfo", "OpeningCeremony", "SealError",
    "SealInfo", "Share", "Tampered", "aad_hash", "bid_aad", "canonical_json", "content_key_check", "content_key_new",
    "envelope_header", "key_id", "open_stream", "opening_key_create", "opening_key_info",
    "opening_key_recover", "seal_stream", "share_commitment", "share_export", "share_import",
    "share_verify", "sign_message", "unwrap_key", "verify_message", "wrap_key",
]
