from __future__ import annotations

from yangguang.core.webhooks import body_signature, body_signature_valid, shared_secret


def test_signature_over_the_exact_bytes(monkeypatch) -> None:
    monkeypatch.setenv("YG_TEST_SECRET", "s3cret")
    secret = shared_secret("", "YG_TEST_SECRET")
    assert secret == b"s3cret"
    body = b'{"amount":"20000.00"}'
    header = body_signature(body, secret)
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert body_signature_valid(body, header, secret)
    assert body_signature_valid(body, f"  {header}\n", secret)
    assert not body_signature_valid(body + b" ", header, secret)
    assert not body_signature_valid(body, header, b"other")
    assert not body_signature_valid(body, "", secret)
    # No secret configured: nothing is accepted, whatever the header.
    assert not body_signature_valid(body, header, shared_secret(None, "YG_TEST_UNSET"))
    assert shared_secret("from-settings", "YG_TEST_SECRET") == b"from-settings"
