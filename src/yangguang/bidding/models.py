"""Sealed bids: bidder keys, the per-procedure opening key and its holders, chunked uploads of ciphertext,
bids and their parts, receipts, and the opening of each lot with its record.

Secrecy before the deadline: nothing here holds a plaintext bid or a key that opens one. Ciphertext is
stored under its SHA-256; the content key of a bid exists only wrapped to the bidder's key and to the
procedure's opening key, whose private half is encrypted under a key split k-of-n among named officials.
Which organisation bid for which lot is secret until the deadline: read only through :mod:`.access`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from .states import BidStatus, FailureCause, OpeningStatus, UploadStatus


class BidderKey(models.Model):
    """The public bundle of a user's sealing key pair (X25519 for wrapping, Ed25519 for signing). The
    private half never reaches the platform."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    enc_public = models.CharField(max_length=100)
    sign_public = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64, db_index=True)
    registered_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["user"], condition=models.Q(revoked_at__isnull=True),
                                               name="bidder_key_one_active")]

    def __str__(self) -> str:
        return f"key {self.fingerprint[:16]}"

    @property
    def bundle(self) -> dict[str, str]:
        return {"enc": self.enc_public, "sign": self.sign_public}


class OpeningKey(models.Model):
    """The procedure's opening key (remedy path). Its private half is stored only encrypted under a KEK that
    was split into ``n`` shares, ``k`` of which recover it; the platform keeps no share after download."""

    procedure = models.OneToOneField("tendering.Procedure", on_delete=models.CASCADE, related_name="opening_key")
    suite = models.CharField(max_length=10)
    public_key = models.CharField(max_length=100)
    encrypted_private = models.BinaryField()
    k = models.PositiveSmallIntegerField()
    n = models.PositiveSmallIntegerField()
    commitments = models.JSONField(default=list)
    created_at = models.DateTimeField()
    # The chronograph's index: the bid deadline, when the opening of the procedure's lots starts.
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"opening key {self.procedure_id}"


class KeyHolder(models.Model):
    """A named official holding share ``index`` of an opening key. ``pending_share`` holds the armoured
    share only until its one download; ``presented_share`` holds it only between its presentation at a
    remedy ceremony (after the deadline) and the end of that ceremony."""

    opening_key = models.ForeignKey(OpeningKey, on_delete=models.CASCADE, related_name="holders")
    index = models.PositiveSmallIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    pending_share = models.TextField(blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    presented_share = models.TextField(blank=True)
    presented_at = models.DateTimeField(null=True, blank=True)
    share_rejected = models.BooleanField(default=False)

    class Meta:
        ordering = ["opening_key_id", "index"]
        constraints = [models.UniqueConstraint(fields=["opening_key", "index"], name="key_holder_index_unique")]

    def __str__(self) -> str:
        return f"holder {self.index}"


class Upload(models.Model):
    """A resumable upload of one ciphertext part, in chunks each checked by SHA-256."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lot = models.ForeignKey("tendering.Lot", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    expected_size = models.PositiveBigIntegerField()
    expected_sha256 = models.CharField(max_length=64)
    chunk_size = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=UploadStatus.choices, default=UploadStatus.RECEIVING)
    path = models.CharField(max_length=300, blank=True, help_text="content-addressed path once complete")
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"upload {self.public_id}"

    @property
    def chunk_count(self) -> int:
        return max(1, -(-self.expected_size // self.chunk_size))


class UploadChunk(models.Model):
    upload = models.ForeignKey(Upload, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["upload_id", "index"]
        constraints = [models.UniqueConstraint(fields=["upload", "index"], name="upload_chunk_unique")]

    def __str__(self) -> str:
        return f"chunk {self.index}"


class Bid(models.Model):
    """One version of one organisation's sealed bid for one lot. SECRET before the deadline."""

    lot = models.ForeignKey("tendering.Lot", on_delete=models.PROTECT, related_name="sealed_bids")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=BidStatus.choices, default=BidStatus.DRAFT, db_index=True)
    suite = models.CharField(max_length=10)
    key = models.ForeignKey(BidderKey, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    manifest = models.TextField(help_text="canonical JSON the bidder signed")
    manifest_sha256 = models.CharField(max_length=64)
    signature = models.CharField(max_length=120)
    wrapped_bidder = models.JSONField(default=dict)
    wrapped_opening = models.JSONField(default=dict)
    price_part = models.CharField(max_length=120)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="withdrawn or replaced at")
    idempotency_key = models.CharField(max_length=80, blank=True)
    # The public log names neither bidder nor lot: a token and a salted commitment.
    token = models.CharField(max_length=32, unique=True)
    salt = models.CharField(max_length=32)
    event_seq = models.BigIntegerField(null=True, blank=True)
    # Opening.
    decrypted_by = models.CharField(max_length=10, blank=True)  # "bidder" | "remedy"
    decrypted_at = models.DateTimeField(null=True, blank=True)
    failure_cause = models.CharField(max_length=12, choices=FailureCause.choices, blank=True)
    failure_note = models.TextField(blank=True)
    total_price = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    enterprise_size = models.CharField(max_length=10, blank=True)
    terms = models.JSONField(default=dict, blank=True)
    price_lines = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["lot", "organisation", "version"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "organisation", "version"], name="bid_version_unique"),
            models.UniqueConstraint(fields=["organisation", "idempotency_key"], condition=~models.Q(idempotency_key=""),
                                    name="bid_idempotency_unique"),
        ]

    def __str__(self) -> str:
        return f"bid {self.token}"


class BidPart(models.Model):
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="parts")
    name = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64, help_text="of the ciphertext envelope")
    size = models.PositiveBigIntegerField()
    path = models.CharField(max_length=300)
    plaintext_sha256 = models.CharField(max_length=64, blank=True)
    plaintext_size = models.PositiveBigIntegerField(null=True, blank=True)
    plaintext_path = models.CharField(max_length=300, blank=True)

    class Meta:
        # By the column, not the relation: "bid" orders by the bid's own ordering, a join over five tables
        # on every read of a bid's parts (the same for the chunks and key holders below and above).
        ordering = ["bid_id", "name"]
        constraints = [models.UniqueConstraint(fields=["bid", "name"], name="bid_part_unique")]

    def __str__(self) -> str:
        return self.name


class Opening(models.Model):
    """The opening of one lot: closing log head, the decryption window, the record and its PDF."""

    lot = models.OneToOneField("tendering.Lot", on_delete=models.CASCADE, related_name="opening")
    status = models.CharField(max_length=12, choices=OpeningStatus.choices, default=OpeningStatus.OPEN)
    started_at = models.DateTimeField()
    window_ends_at = models.DateTimeField()
    bid_count = models.PositiveIntegerField(default=0)
    closing_size = models.BigIntegerField(null=True, blank=True)
    closing_root = models.CharField(max_length=64, blank=True)
    record_path = models.CharField(max_length=300, blank=True)
    record_sha256 = models.CharField(max_length=64, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    # The chronograph's index: the end of the decryption window.
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"opening {self.lot_id}"


class OpeningResponse(models.Model):
    """A bidder's confirmation of, or objection to, the opening record (当场确认 / 提出异议)."""

    opening = models.ForeignKey(Opening, on_delete=models.CASCADE, related_name="responses")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed = models.BooleanField()
    objection = models.TextField(blank=True)
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["opening", "organisation"], name="opening_response_unique")]

    def __str__(self) -> str:
        return f"response {self.pk}"
