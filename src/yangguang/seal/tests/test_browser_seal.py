"""seal.js in Chromium (WebCrypto) against the Python library: what one side seals, wraps or signs, the
other side opens, unwraps or verifies — byte for byte the same envelope format."""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from yangguang.seal import (
    BidderKeys,
    Tampered,
    bid_aad,
    canonical_json,
    content_key_new,
    envelope_header,
    open_stream,
    opening_key_create,
    opening_key_recover,
    seal_stream,
    unwrap_key,
    verify_message,
    wrap_key,
)

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "bidding" / "static" / "bidding"
AAD_FIELDS: dict[str, Any] = {"tender": "ZJ-2026-011", "lot": 1, "bidder": "91330000MA2CCCCC3X", "version": 1,
                              "part": "files", "suite": "INTL-1"}
CANARY = b"YANGGUANG-SEALED-CANARY"


class _Quiet(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def seal_page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(STATIC)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60000)
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        page.evaluate("async () => { window.S = await import('./seal.js'); }")
        yield page
    finally:
        context.close()
        server.shutdown()
        server.server_close()


def _payload(size: int) -> bytes:
    block = bytes((i * 7) % 251 for i in range(4096))
    data = (block * (size // len(block) + 1))[:size - len(CANARY)]
    return data + CANARY


def test_browser_seal_opens_in_python(seal_page) -> None:  # type: ignore[no-untyped-def]
    ceremony = opening_key_create(tender=AAD_FIELDS["tender"], suite="INTL-1", k=2, n=3)
    size = 2 * (1 << 20) + 12345  # three default-size segments
    result = seal_page.evaluate(
        """async ([aadFields, openingKey, size, canary]) => {
            const S = window.S;
            const block = new Uint8Array(4096);
            for (let i = 0; i < 4096; i++) block[i] = (i * 7) % 251;
            const data = new Uint8Array(size);
            for (let off = 0; off < size; off += 4096) data.set(block.subarray(0, Math.min(4096, size - off)), off);
            data.set(new TextEncoder().encode(canary), size - canary.length);
            const keys = await S.generateBidderKeys();
            const bundle = await S.publicBundle(keys);
            const aad = S.bidAad(aadFields);
            const dek = S.contentKeyNew();
            const sealed = await S.sealBlob(dek, new Blob([data]), { aad, hashPlaintext: true });
            const quick = await S.sealBlob(dek, new Blob([data.subarray(0, 1000)]), { aad });
            const envelope = new Uint8Array(await sealed.blob.arrayBuffer());
            const manifest = { ciphertext_sha256: sealed.sha256, size: sealed.size,
                               wrapped_bidder: await S.wrapKey(dek, bundle.enc, { aad }),
                               wrapped_opening: await S.wrapKey(dek, openingKey, { aad }) };
            const signature = await S.signMessage(S.canonicalJson(manifest), keys.signPrivate);
            const keyFile = await S.exportKeyFile(keys, "浏览器 passphrase", { iterations: 100000 });
            const back = await S.importKeyFile(keyFile, "浏览器 passphrase");
            const again = await S.unwrapKey(manifest.wrapped_bidder, back.encPrivate, back.encPublic, { aad });
            return { envelope: S.b64encode(envelope), manifest, signature, keyFile, bundle,
                     plaintextSha256: sealed.plaintextSha256, webcryptoSha256: S.hex(await S.sha256(data)),
                     roundTrip: S.hex(again) === S.hex(dek), quickPlain: quick.plaintextSha256,
                     canonicalAad: S.b64encode(aad) };
        }""",
        [AAD_FIELDS, ceremony.public_key_b64, size, CANARY.decode()])
    expected = _payload(size)
    aad = bid_aad(**AAD_FIELDS)
    assert base64.b64decode(result["canonicalAad"]) == aad
    envelope = base64.b64decode(result["envelope"])
    assert CANARY not in envelope
    manifest = result["manifest"]
    assert hashlib.sha256(envelope).hexdigest() == manifest["ciphertext_sha256"]
    assert len(envelope) == manifest["size"]
    assert result["plaintextSha256"] == result["webcryptoSha256"] == hashlib.sha256(expected).hexdigest()
    assert result["roundTrip"] and result["quickPlain"] is None
    assert envelope_header(io.BytesIO(envelope))["segment_size"] == 1 << 20

    # normal path: the bidder's key file, written by the browser (PBKDF2), loads in Python
    keys = BidderKeys.load(result["keyFile"].encode(), "浏览器 passphrase")
    assert keys.public_bundle() == result["bundle"]
    dek = unwrap_key(manifest["wrapped_bidder"], keys.enc_private, aad=aad)
    out = io.BytesIO()
    info = open_stream(dek, io.BytesIO(envelope), out, aad=aad)
    assert out.getvalue() == expected and info.plaintext_sha256 == result["plaintextSha256"]
    # remedy path: two of three shares
    private = opening_key_recover(tender=ceremony.tender, suite="INTL-1", encrypted_private=ceremony.encrypted_private,
                                  shares=ceremony.shares[1:], commitments=ceremony.commitments)
    assert unwrap_key(manifest["wrapped_opening"], private, aad=aad) == dek
    # the browser's Ed25519 signature verifies in Python, and only over the same bytes
    assert verify_message(canonical_json(manifest), result["signature"], result["bundle"]["sign"])
    assert not verify_message(canonical_json(dict(manifest, size=1)), result["signature"], result["bundle"]["sign"])
    # a flipped bit in what the browser sealed is caught by Python
    bad = bytearray(envelope)
    bad[len(bad) // 2] ^= 4
    with pytest.raises(Tampered):
        open_stream(dek, io.BytesIO(bytes(bad)), io.BytesIO(), aad=aad)


def test_python_seal_opens_in_browser(seal_page) -> None:  # type: ignore[no-untyped-def]
    bundle = seal_page.evaluate("""async () => {
        window.K = await window.S.generateBidderKeys();
        return await window.S.publicBundle(window.K); }""")
    aad = bid_aad(**AAD_FIELDS)
    data = _payload(70_000)
    dek = content_key_new("INTL-1")
    env = io.BytesIO()
    info = seal_stream(dek, io.BytesIO(data), env, suite="INTL-1", aad=aad, segment_size=16384)
    wrapped = wrap_key(dek, bundle["enc"], suite="INTL-1", aad=aad)
    sig_keys = BidderKeys.generate()
    from yangguang.seal import sign_message

    signature = sign_message(b"receipt", sig_keys.sign_private)
    result = seal_page.evaluate(
        """async ([envB64, wrapped, aadFields, signature, signPublic]) => {
            const S = window.S;
            const aad = S.bidAad(aadFields);
            const dek = await S.unwrapKey(wrapped, window.K.encPrivate, window.K.encPublic, { aad });
            const env = S.b64decode(envB64);
            const opened = await S.openBlob(dek, new Blob([env]), { aad });
            const bad = env.slice(); bad[100] ^= 1;
            let tampered = "";
            try { await S.openBlob(dek, new Blob([bad]), { aad }); } catch (e) { tampered = e.constructor.name; }
            let wrongAad = "";
            try { await S.openBlob(dek, new Blob([env]), { aad: S.bidAad({...aadFields, version: 2}) }); }
            catch (e) { wrongAad = e.constructor.name; }
            let gm = "";
            try { S.bidAad({...aadFields, suite: "GM-1"}); } catch (e) { gm = e.constructor.name; }
            let wrongWrap = "";
            try { await S.unwrapKey({...wrapped, ct: wrapped.ct.replace(/^./, wrapped.ct[0] === "A" ? "B" : "A")},
                                    window.K.encPrivate, window.K.encPublic, { aad }); }
            catch (e) { wrongWrap = e.constructor.name; }
            const text = new Uint8Array(await opened.blob.arrayBuffer());
            return { sha: opened.plaintextSha256, size: opened.size, tail: new TextDecoder().decode(text.slice(-23)),
                     tampered, wrongAad, wrongWrap, gm, header: S.parseHeader(env.subarray(0, 83)),
                     sig: await S.verifyMessage(new TextEncoder().encode("receipt"), signature, signPublic),
                     sigBad: await S.verifyMessage(new TextEncoder().encode("receipt!"), signature, signPublic) };
        }""",
        [base64.b64encode(env.getvalue()).decode(), wrapped, AAD_FIELDS, signature,
         sig_keys.public_bundle()["sign"]])
    assert result["sha"] == info.plaintext_sha256 == hashlib.sha256(data).hexdigest()
    assert result["size"] == len(data) and result["tail"] == CANARY.decode()
    assert result["tampered"] == result["wrongAad"] == result["wrongWrap"] == "Tampered"
    assert result["gm"] == "SealError"
    assert result["header"]["segmentSize"] == 16384
    assert result["header"]["aadHash"] == envelope_header(io.BytesIO(env.getvalue()))["aad_hash"]
    assert result["header"]["keyCommitment"] == envelope_header(io.BytesIO(env.getvalue()))["key_commitment"]
    assert result["sig"] is True and result["sigBad"] is False


def test_canonical_json_and_sha256_agree(seal_page) -> None:  # type: ignore[no-untyped-def]
    obj = {"z": [1, -2, None, True], "中文": "招标\n\"q\"\t\u0001", "a": {"é": "x", "𝄞": "clef", "\uffff": 0},
           "": ""}
    lengths = [0, 1, 55, 56, 57, 63, 64, 65, 127, 128, 1000, 100_003]
    result = seal_page.evaluate(
        """([obj, lengths]) => {
            const S = window.S;
            const hashes = lengths.map((n) => {
                const d = new Uint8Array(n); for (let i = 0; i < n; i++) d[i] = (i * 31) & 255;
                const h = new S.Sha256(); h.update(d.subarray(0, n >> 1)); h.update(d.subarray(n >> 1));
                return h.hexdigest();
            });
            return { json: S.b64encode(S.canonicalJson(obj)), hashes };
        }""", [obj, lengths])
    assert base64.b64decode(result["json"]) == canonical_json(obj)
    for n, digest in zip(lengths, result["hashes"], strict=True):
        assert digest == hashlib.sha256(bytes((i * 31) & 255 for i in range(n))).hexdigest(), n


def test_key_file_json_is_canonical(seal_page) -> None:  # type: ignore[no-untyped-def]
    text = seal_page.evaluate("""async () => {
        const k = await window.S.generateBidderKeys();
        return await window.S.exportKeyFile(k, "pw-12345678", { iterations: 100000 }); }""")
    assert canonical_json(json.loads(text)) + b"\n" == text.encode()
    with pytest.raises(Tampered):
        BidderKeys.load(text.encode(), "wrong")
    python_file = BidderKeys.generate().export("pw-12345678").decode()
    errors = seal_page.evaluate("""async ([text, pyText]) => {
        const out = [];
        for (const [t, pw] of [[text, "wrong"], [pyText, "pw-12345678"]]) {
            try { await window.S.importKeyFile(t, pw); out.push("ok"); } catch (e) { out.push(e.constructor.name); }
        }
        return out; }""", [text, python_file])
    assert errors == ["Tampered", "SealError"]
