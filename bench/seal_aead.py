"""Sealed-bid crypto throughput: raw AEAD vs the envelope (seal_stream / open_stream), and raw disk writes.

    .venv/bin/python bench/seal_aead.py [--buffer-mb 256] [--bids 50] [--bid-mb 10] [--disk-mb 512] [--json]
                                        [--browser 64]

Measures, on the same bytes and in the same run:
  * raw AES-256-GCM and SM4-GCM, one shot over one big buffer (encrypt and decrypt), and SHA-256 / SM3;
  * seal_stream / open_stream (1 MiB segments) from memory to a null sink, per suite;
  * the opening case: N bids of 10 MB read from files — raw one-shot AES-GCM decryption of each bid vs
    open_stream (with and without the plaintext SHA-256);
  * raw sequential disk write: a --disk-mb file written in 1 MiB blocks, then fsync.
Other benchmarks import ``raw_decrypt_seconds`` and ``disk_write_mbps`` to compare against the same baseline.
No Django, no database. Every figure is the best of --repeat runs (the machine is shared); the opening
case interleaves its four variants in each repetition.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

from yangguang.seal import bid_aad, content_key_new, open_stream, seal_stream  # noqa: E402

MB = 1_000_000  # figures are in MB/s (10^6 bytes); sizes of buffers are in MiB


class NullSink(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        return len(b)


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def sm4_gcm_encrypt(key: bytes, nonce: bytes, data: bytes) -> tuple[bytes, bytes]:
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    out = enc.update(data) + enc.finalize()
    return out, enc.tag


def sm4_gcm_decrypt(key: bytes, nonce: bytes, data: bytes, tag: bytes) -> bytes:
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    return dec.update(data) + dec.finalize()


def raw_decrypt_seconds(ciphertexts: list[tuple[bytes, bytes]], key: bytes) -> float:
    """Seconds to decrypt each (nonce, ciphertext‖tag) one shot with AES-256-GCM: the opening baseline."""
    aead = AESGCM(key)
    t = time.perf_counter()
    for nonce, ct in ciphertexts:
        aead.decrypt(nonce, ct, None)
    return time.perf_counter() - t


def disk_write_mbps(directory: Path, megabytes: int) -> float:
    """Sequential write of ``megabytes`` MiB in 1 MiB blocks, then fsync; MB/s (10^6 bytes per second)."""
    block = os.urandom(1 << 20)
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="seal-disk-", dir=directory)
    try:
        t = time.perf_counter()
        with os.fdopen(fd, "wb", buffering=0) as fh:
            for _ in range(megabytes):
                fh.write(block)
            os.fsync(fh.fileno())
        elapsed = time.perf_counter() - t
    finally:
        os.unlink(name)
    return megabytes * (1 << 20) / elapsed / MB


def _envelope_rows(suite: str, data: bytes, r: int) -> list[tuple[str, float]]:
    dek = content_key_new(suite)
    aad = bid_aad(tender="BENCH", lot=1, bidder="B", version=1, part="files", suite=suite)
    env = io.BytesIO()
    seal_stream(dek, io.BytesIO(data), env, suite=suite, aad=aad)
    envelope = env.getvalue()
    return [
        (f"{suite} seal_stream (memory → null)",
         best(lambda: seal_stream(dek, io.BytesIO(data), NullSink(), suite=suite, aad=aad), r)),
        (f"{suite} open_stream + plaintext SHA-256",
         best(lambda: open_stream(dek, io.BytesIO(envelope), NullSink(), aad=aad), r)),
        (f"{suite} open_stream, no hash",
         best(lambda: open_stream(dek, io.BytesIO(envelope), NullSink(), aad=aad, plaintext_hash=False), r)),
    ]


def run(args: argparse.Namespace) -> dict[str, Any]:
    size = args.buffer_mb << 20
    data = os.urandom(size)
    r = args.repeat
    rows: list[tuple[str, float]] = []

    def mbps(seconds: float, nbytes: int = size) -> float:
        return nbytes / seconds / MB

    k32, k16, nonce = os.urandom(32), os.urandom(16), os.urandom(12)
    ct = AESGCM(k32).encrypt(nonce, data, None)
    rows.append(("AES-256-GCM encrypt, one shot", mbps(best(lambda: AESGCM(k32).encrypt(nonce, data, None), r))))
    rows.append(("AES-256-GCM decrypt, one shot", mbps(best(lambda: AESGCM(k32).decrypt(nonce, ct, None), r))))
    sct, tag = sm4_gcm_encrypt(k16, nonce, data)
    rows.append(("SM4-GCM encrypt, one shot", mbps(best(lambda: sm4_gcm_encrypt(k16, nonce, data), r))))
    rows.append(("SM4-GCM decrypt, one shot", mbps(best(lambda: sm4_gcm_decrypt(k16, nonce, sct, tag), r))))
    ct = sct = b""
    rows.append(("SHA-256 (hashlib)", mbps(best(lambda: hashlib.sha256(data).digest(), r))))

    def sm3() -> bytes:
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize()

    rows.append(("SM3 (cryptography)", mbps(best(sm3, r))))
    for suite in ("INTL-1", "GM-1"):
        rows.extend((name, mbps(seconds)) for name, seconds in _envelope_rows(suite, data, r))

    # The opening case: N bids of bid_mb MiB, envelopes on disk (page cache), vs raw one-shot decryption of
    # the same bytes. Both read from the same files.
    opening: dict[str, Any] = {}
    work = Path(args.dir)
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="seal-open-", dir=work) as tmp:
        bid = os.urandom(args.bid_mb << 20)
        dek = content_key_new("INTL-1")
        aad = bid_aad(tender="BENCH", lot=1, bidder="B", version=1, part="files", suite="INTL-1")
        raw_files, env_files = [], []
        for i in range(args.bids):
            rf, ef = Path(tmp) / f"raw{i}", Path(tmp) / f"env{i}"
            rf.write_bytes(nonce + AESGCM(dek).encrypt(nonce, bid, None))
            seal_stream(dek, io.BytesIO(bid), ef, suite="INTL-1", aad=aad)
            raw_files.append(rf)
            env_files.append(ef)

        def raw_all() -> None:
            aead = AESGCM(dek)
            for rf in raw_files:
                blob = memoryview(rf.read_bytes())
                aead.decrypt(blob[:12], blob[12:], None)

        def raw_all_hash() -> None:
            aead = AESGCM(dek)
            for rf in raw_files:
                blob = memoryview(rf.read_bytes())
                hashlib.sha256(aead.decrypt(blob[:12], blob[12:], None)).digest()

        def env_all(plaintext_hash: bool) -> Callable[[], None]:
            def go() -> None:
                for ef in env_files:
                    open_stream(dek, ef, NullSink(), aad=aad, plaintext_hash=plaintext_hash)
            return go

        # interleaved: each repetition times all four, so a load spike hits them alike; best of r each
        runs: dict[str, list[float]] = {"raw": [], "raw_hash": [], "env": [], "env_nohash": []}
        for _ in range(r):
            for name, fn in (("raw", raw_all), ("raw_hash", raw_all_hash), ("env", env_all(True)),
                             ("env_nohash", env_all(False))):
                runs[name].append(best(fn, 1))
        t_raw, t_raw_hash, t_env, t_env_nohash = (min(runs[k]) for k in ("raw", "raw_hash", "env", "env_nohash"))
        total = args.bids * (args.bid_mb << 20)
        opening = {"bids": args.bids, "bid_mib": args.bid_mb,
                   "raw_decrypt_s": t_raw, "raw_decrypt_sha256_s": t_raw_hash,
                   "open_stream_s": t_env, "open_stream_nohash_s": t_env_nohash,
                   "ratio_open_vs_raw": t_env / t_raw, "ratio_open_nohash_vs_raw": t_env_nohash / t_raw,
                   "ratio_open_vs_raw_plus_sha256": t_env / t_raw_hash}
        rows.append((f"opening {args.bids}×{args.bid_mb} MiB: raw AES-GCM decrypt (files)", mbps(t_raw, total)))
        rows.append((f"opening {args.bids}×{args.bid_mb} MiB: raw decrypt + SHA-256", mbps(t_raw_hash, total)))
        rows.append((f"opening {args.bids}×{args.bid_mb} MiB: open_stream + SHA-256", mbps(t_env, total)))
        rows.append((f"opening {args.bids}×{args.bid_mb} MiB: open_stream, no hash", mbps(t_env_nohash, total)))

    disk = disk_write_mbps(work, args.disk_mb)
    rows.append((f"disk: sequential write {args.disk_mb} MiB + fsync", disk))
    return {"rows": rows, "opening": opening, "disk_write_mbps": disk, "buffer_mib": args.buffer_mb,
            "load_before": args.load_before, "load_after": os.getloadavg(), "cpus": os.cpu_count()}


_BROWSER_JS = """async (mib) => {
  const S = await import('./seal.js');
  const n = mib << 20; const d = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(d.subarray(i, i + 65536));
  const aad = S.bidAad({tender: "BENCH", lot: 1, bidder: "B", version: 1, part: "files"});
  const dek = S.contentKeyNew(); const mb = n / 1e6; const out = {};
  let t = performance.now(); new S.Sha256().update(d).hexdigest();
  out["JS SHA-256"] = mb / (performance.now() - t) * 1e3;
  t = performance.now(); const s = await S.sealBlob(dek, new Blob([d]), { aad });
  out["sealBlob"] = mb / (performance.now() - t) * 1e3;
  t = performance.now(); await S.sealBlob(dek, new Blob([d]), { aad, hashPlaintext: true });
  out["sealBlob, hashPlaintext"] = mb / (performance.now() - t) * 1e3;
  t = performance.now(); await S.openBlob(dek, s.blob, { aad }); out["openBlob"] = mb / (performance.now() - t) * 1e3;
  return out;
}"""


def browser_rows(mib: int) -> list[tuple[str, float]]:
    """seal.js in the system Chromium (Playwright), served by a throwaway local HTTP server."""
    import functools
    import shutil
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from playwright.sync_api import sync_playwright

    class Handler(SimpleHTTPRequestHandler):
        extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}

        def log_message(self, *args: object) -> None:
            pass

    static = ROOT / "src" / "yangguang" / "bidding" / "static" / "bidding"
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(static)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                        headless=True, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.set_default_timeout(600_000)
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
            figures = page.evaluate(_BROWSER_JS, mib)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return [(f"browser ({mib} MiB): {name}", value) for name, value in figures.items()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--buffer-mb", type=int, default=256)
    ap.add_argument("--bids", type=int, default=50)
    ap.add_argument("--bid-mb", type=int, default=10)
    ap.add_argument("--disk-mb", type=int, default=512)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dir", default=str(ROOT / "var" / "bench"))
    ap.add_argument("--json", action="store_true", help="also print the figures as JSON")
    ap.add_argument("--browser", type=int, default=0, metavar="MIB",
                    help="also time seal.js in Chromium on MIB MiB (needs Playwright and chromium)")
    args = ap.parse_args()
    args.load_before = os.getloadavg()
    result = run(args)
    if args.browser:
        result["rows"].extend(browser_rows(args.browser))
    print(f"machine: {result['cpus']} CPUs; load average before {args.load_before[0]:.2f}, "
          f"after {result['load_after'][0]:.2f}")
    width = max(len(name) for name, _ in result["rows"])
    print(f"{'measurement'.ljust(width)}  MB/s")
    for name, value in result["rows"]:
        print(f"{name.ljust(width)}  {value:8.0f}")
    o = result["opening"]
    print(f"opening ratio: open_stream/raw = {o['ratio_open_vs_raw']:.2f}, without hash "
          f"{o['ratio_open_nohash_vs_raw']:.2f}, vs raw+SHA-256 {o['ratio_open_vs_raw_plus_sha256']:.2f}")
    if args.json:
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
