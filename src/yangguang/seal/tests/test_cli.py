"""The bidder command-line tool, run as a separate process the way a bidder runs it."""

# ruff: noqa: S106, S107, S603 - test passphrases; the tool is run as a bidder runs it

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from yangguang.seal import opening_key_create, opening_key_recover, unwrap_key
from yangguang.seal.envelope import bid_aad

SRC = Path(__file__).resolve().parents[3]
AAD_ARGS = ["--tender", "ZJ-2026-009", "--lot", "2", "--bidder", "91330000MA2BBBBB2X", "--version", "1",
            "--part", "files"]


def run(*args: str, passphrase: str = "bidder passphrase", check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(SRC), YANGGUANG_SEAL_PASSPHRASE=passphrase)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    proc = subprocess.run([sys.executable, "-m", "yangguang.seal.cli", *args], env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.mark.parametrize("suite", ["INTL-1", "GM-1"])
def test_keygen_seal_unwrap_open_verify(tmp_path: Path, suite: str) -> None:
    key = tmp_path / "me.key"
    out = json.loads(run("keygen", "--out", str(key)).stdout)
    assert key.stat().st_mode & 0o777 == 0o600
    assert set(out["public"]) == {"enc", "sign"}
    assert run("keygen", "--out", str(key), check=False).returncode == 1  # no silent overwrite

    ceremony = opening_key_create(tender="ZJ-2026-009", suite=suite, k=2, n=3)
    plain = tmp_path / "bid.zip"
    plain.write_bytes(os.urandom(300_000) + b"YANGGUANG-SEALED-CANARY")
    sealed = tmp_path / "bid.zip.sealed"
    manifest = json.loads(run("seal", "--key", str(key), *AAD_ARGS, "--suite", suite, "--segment-size", "65536",
                              "--opening-key", ceremony.public_key_b64, str(plain), str(sealed)).stdout)
    assert manifest["size"] == sealed.stat().st_size
    assert b"YANGGUANG-SEALED-CANARY" not in sealed.read_bytes()
    assert {"wrapped_bidder", "wrapped_opening", "ciphertext_sha256", "signature"} <= set(manifest)
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))

    header = json.loads(run("verify", str(sealed)).stdout)
    assert header["suite"] == suite and header["ciphertext_sha256"] == manifest["ciphertext_sha256"]

    dek = json.loads(run("unwrap", "--key", str(key), "--wrapped", str(tmp_path / "manifest.json"),
                         *AAD_ARGS).stdout)["dek"]
    # the remedy path gives the same key
    aad = bid_aad(tender="ZJ-2026-009", lot=2, bidder="91330000MA2BBBBB2X", version=1, part="files", suite=suite)
    private = opening_key_recover(tender="ZJ-2026-009", suite=suite, encrypted_private=ceremony.encrypted_private,
                                  shares=ceremony.shares[:2], commitments=ceremony.commitments)
    assert unwrap_key(manifest["wrapped_opening"], private, aad=aad).hex() == dek

    back = tmp_path / "back.zip"
    opened = json.loads(run("open", "--dek", dek, *AAD_ARGS, str(sealed), str(back)).stdout)
    assert back.read_bytes() == plain.read_bytes()
    assert opened["plaintext_sha256"] == manifest["plaintext_sha256"]


def test_errors_are_reported_not_raised(tmp_path: Path) -> None:
    key = tmp_path / "me.key"
    run("keygen", "--out", str(key))
    bad = run("unwrap", "--key", str(key), "--wrapped", str(key), *AAD_ARGS, check=False)
    assert bad.returncode == 1 and "error:" in bad.stderr
    wrong = run("sign", "--key", str(key), "--message", "x", passphrase="not the passphrase", check=False)
    assert wrong.returncode == 1 and "passphrase" in wrong.stderr
    junk = tmp_path / "junk"
    junk.write_bytes(b"not an envelope at all, long enough for a header......")
    assert run("verify", str(junk), check=False).returncode == 1
    plain = tmp_path / "p"
    plain.write_bytes(b"data")
    sealed = tmp_path / "s"
    ceremony = opening_key_create(tender="ZJ-2026-009", suite="INTL-1", k=2, n=3)
    manifest = json.loads(run("seal", "--key", str(key), *AAD_ARGS, "--opening-key", ceremony.public_key_b64,
                              str(plain), str(sealed)).stdout)
    (tmp_path / "m.json").write_text(json.dumps(manifest))
    dek = json.loads(run("unwrap", "--key", str(key), "--wrapped", str(tmp_path / "m.json"), *AAD_ARGS).stdout)["dek"]
    other_version = [a if a != "1" else "2" for a in AAD_ARGS]
    tampered = run("open", "--dek", dek, *other_version, str(sealed), str(tmp_path / "o"), check=False)
    assert tampered.returncode == 1 and "associated data" in tampered.stderr


def test_cli_does_not_import_django(tmp_path: Path) -> None:
    code = "import sys, yangguang.seal.cli; print('django' in sys.modules)"
    env = dict(os.environ, PYTHONPATH=str(SRC))
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "False"
