"""The bidder's command-line tool: keys, sealing large files, unwrapping the content key at opening.

    python -m yangguang.seal.cli keygen --out me.key
    python -m yangguang.seal.cli seal --key me.key --tender T --lot 1 --bidder USCC --version 1 \\
        --part files --opening-key <base64> bid.zip bid.zip.sealed > bid.zip.sealed.json
    python -m yangguang.seal.cli unwrap --key me.key --wrapped bid.zip.sealed.json --tender T --lot 1 \\
        --bidder USCC --version 1 --part files
    python -m yangguang.seal.cli open --dek <hex> --tender T ... bid.zip.sealed bid.zip
    python -m yangguang.seal.cli verify bid.zip.sealed

The key passphrase comes from the environment variable YANGGUANG_SEAL_PASSPHRASE or is asked for.
Results are printed as JSON on standard output; errors go to standard error with exit status 1.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from .envelope import DEFAULT_SEGMENT, bid_aad, envelope_header, open_stream, seal_stream
from .errors import SealError
from .keys import (
    BidderKeys,
    canonical_json,
    content_key_new,
    enc_public_from_b64,
    key_id,
    sign_message,
    unwrap_key,
    wrap_key,
)
from .suites import SUITES, suite_get

PASSPHRASE_ENV = "YANGGUANG_SEAL_PASSPHRASE"  # noqa: S105 (the variable's name)


def _passphrase(*, confirm: bool = False) -> str:
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value
    if not sys.stdin.isatty():
        raise SealError(f"no passphrase: set {PASSPHRASE_ENV} or run in a terminal")
    first = getpass.getpass("Key passphrase: ")
    if confirm and getpass.getpass("Repeat the passphrase: ") != first:
        raise SealError("the passphrases differ")
    if len(first) < 8:
        raise SealError("the passphrase must have at least 8 characters")
    return first


def _load_keys(path: str) -> BidderKeys:
    return BidderKeys.load(Path(path).read_bytes(), _passphrase())


def _aad(args: argparse.Namespace, suite: str) -> bytes:
    return bid_aad(tender=args.tender, lot=args.lot, bidder=args.bidder, version=args.version, part=args.part,
                   suite=suite)


def _print(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def cmd_keygen(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not args.force:
        raise SealError(f"{out} exists (use --force to replace it)")
    passphrase = _passphrase(confirm=True)
    keys = BidderKeys.generate()
    data = keys.export(passphrase)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    bundle = keys.public_bundle()
    _print({"key_file": str(out), "public": bundle, "kid": key_id(enc_public_from_b64(bundle["enc"]))})
    return 0


def cmd_public(args: argparse.Namespace) -> int:
    obj = json.loads(Path(args.key).read_bytes())
    _print({"public": obj.get("public"), "note": "read from the key file without the passphrase"})
    return 0


def cmd_seal(args: argparse.Namespace) -> int:
    suite_get(args.suite)
    keys = _load_keys(args.key)
    enc_public_from_b64(args.opening_key)
    aad = _aad(args, args.suite)
    dek = content_key_new(args.suite)
    info = seal_stream(dek, args.input, args.output, suite=args.suite, aad=aad, segment_size=args.segment_size)
    manifest = {
        "tender": args.tender, "lot": args.lot, "bidder": args.bidder, "version": args.version,
        "part": args.part, "suite": args.suite,
        "ciphertext_sha256": info.sha256, "size": info.size,
        "plaintext_sha256": info.plaintext_sha256, "plaintext_size": info.plaintext_size,
        "wrapped_bidder": wrap_key(dek, keys.public_bundle()["enc"], suite=args.suite, aad=aad),
        "wrapped_opening": wrap_key(dek, args.opening_key, suite=args.suite, aad=aad),
        "bidder_public": keys.public_bundle(),
    }
    manifest["signature"] = sign_message(canonical_json(manifest), keys.sign_private)
    _print(manifest)
    return 0


def cmd_unwrap(args: argparse.Namespace) -> int:
    obj = json.loads(Path(args.wrapped).read_bytes())
    wrapped = obj.get(args.which, obj) if isinstance(obj, dict) else obj
    if not isinstance(wrapped, dict) or "ct" not in wrapped:
        raise SealError("the --wrapped file holds no wrapped key")
    keys = _load_keys(args.key)
    dek = unwrap_key(wrapped, keys.enc_private, aad=_aad(args, str(wrapped.get("suite"))))
    _print({"dek": dek.hex(), "suite": wrapped.get("suite")})
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    try:
        dek = bytes.fromhex(args.dek)
    except ValueError:
        raise SealError("--dek must be hexadecimal") from None
    suite = envelope_header(args.input)["suite"]
    info = open_stream(dek, args.input, args.output, aad=_aad(args, suite), envelope_hash=True)
    _print({"plaintext_sha256": info.plaintext_sha256, "size": info.size, "suite": info.suite,
            "ciphertext_sha256": info.sha256})
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    header = envelope_header(args.input)
    digest = hashlib.sha256()
    with Path(args.input).open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    header.update({"ciphertext_sha256": digest.hexdigest(), "size": Path(args.input).stat().st_size})
    _print(header)
    return 0


def cmd_sign(args: argparse.Namespace) -> int:
    keys = _load_keys(args.key)
    data = Path(args.file).read_bytes() if args.file else args.message.encode()
    _print({"signature": sign_message(data, keys.sign_private), "sign_public": keys.public_bundle()["sign"]})
    return 0


def _aad_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tender", required=True, help="tender (procedure) reference")
    p.add_argument("--lot", required=True, type=int, help="lot number")
    p.add_argument("--bidder", required=True, help="bidder identifier (unified social credit code)")
    p.add_argument("--version", required=True, type=int, help="bid version (1, then 2 after a replacement …)")
    p.add_argument("--part", required=True, help="part of the bid, e.g. files or price")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="yangguang seal", description="Yangguang sealed-bid tool for bidders.")
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("keygen", help="create a passphrase-protected key file")
    p.add_argument("--out", required=True)
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_keygen)
    p = sub.add_parser("public", help="print the public keys of a key file")
    p.add_argument("--key", required=True)
    p.set_defaults(func=cmd_public)
    p = sub.add_parser("seal", help="encrypt a file for a tender")
    p.add_argument("--key", required=True)
    _aad_options(p)
    p.add_argument("--opening-key", required=True, help="the tender's opening public key (base64)")
    p.add_argument("--suite", default="INTL-1", choices=SUITES)
    p.add_argument("--segment-size", type=int, default=DEFAULT_SEGMENT)
    p.add_argument("input")
    p.add_argument("output")
    p.set_defaults(func=cmd_seal)
    p = sub.add_parser("unwrap", help="recover the content key to hand over at the opening")
    p.add_argument("--key", required=True)
    p.add_argument("--wrapped", required=True, help="JSON file: the seal output or one wrapped key")
    p.add_argument("--which", default="wrapped_bidder", help="key of the wrapped key in the seal output")
    _aad_options(p)
    p.set_defaults(func=cmd_unwrap)
    p = sub.add_parser("open", help="decrypt an envelope with a content key")
    p.add_argument("--dek", required=True, help="content key (hex)")
    _aad_options(p)
    p.add_argument("input")
    p.add_argument("output")
    p.set_defaults(func=cmd_open)
    p = sub.add_parser("verify", help="print an envelope's header and hash without decrypting")
    p.add_argument("input")
    p.set_defaults(func=cmd_verify)
    p = sub.add_parser("sign", help="sign a file or a message with the key file's signing key")
    p.add_argument("--key", required=True)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--file")
    g.add_argument("--message")
    p.set_defaults(func=cmd_sign)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return int(args.func(args))
    except SealError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
