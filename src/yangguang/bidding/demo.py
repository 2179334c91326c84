"""Demo sealed bids (runs after the tendering demo):

- 门诊楼改扩建工程施工总承包 (published, before its deadline): three of its registered bidders seal and submit
  bids whose plaintext holds the marker ``YANGGUANG-SEALED-CANARY`` — only ciphertext reaches the platform;
- 门诊楼配套工程施工（开标演示）: a second tender whose deadline the demo moves to now (demo only), three bidders
  with electronic bid guarantees and sealed bids decrypted by their bidders in the opening, confirmed, and the
  record closed (PDF in the log) — bidding's ``opened_bids`` then gives the evaluation demo its bids.

The bidders' key files (private keys encrypted under the demo password) are written to
``var/demo-keys/<username>.json`` so the demo accounts can decrypt in the browser, and the officials' opening-key
shares to ``var/demo-keys/share-*.txt`` (demo only: in production each holder downloads its own share once, and
nobody keeps them on the server). Idempotent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from yangguang.accounts.models import User

CANARY_TEXT = "YANGGUANG-SEALED-CANARY"


def _bidder_users(lot: Any, n: int) -> list[User]:
    from yangguang.accounts.demo import DEMO_PASSWORD
    from yangguang.accounts.services import user_create
    from yangguang.accounts.states import Role
    from yangguang.tendering.models import Registration

    users = []
    for registration in Registration.objects.filter(lot=lot).select_related("organisation").order_by("pk")[:n]:
        user = User.objects.filter(organisation_id=registration.organisation_id, role=Role.SUPPLIER,
                                   is_active=True).order_by("pk").first()
        if user is None:  # a demo account for the bidder (password: the demo password)
            user = user_create(actor="system", username=f"bidder_{registration.organisation.credit_code[-6:]}",
                               password=DEMO_PASSWORD, organisation=registration.organisation, role=Role.SUPPLIER,
                               display_name="投标联系人")
        users.append(user)
    return users


def _keys(user: User) -> Any:
    from yangguang import seal
    from yangguang.accounts.demo import DEMO_PASSWORD

    from .services import active_key, bidder_key_register

    folder = Path(settings.VAR_DIR) / "demo-keys"
    path = folder / f"{user.username}.json"
    if path.exists() and active_key(user) is not None:
        keys = seal.BidderKeys.load(path.read_bytes(), DEMO_PASSWORD)
        if keys.public_bundle()["enc"] == active_key(user).enc_public:  # type: ignore[union-attr]
            return keys
    keys = seal.BidderKeys.generate()
    folder.mkdir(parents=True, exist_ok=True)
    path.write_bytes(keys.export(DEMO_PASSWORD))
    bundle = keys.public_bundle()
    bidder_key_register(actor=user, enc_public=bundle["enc"], sign_public=bundle["sign"])
    return keys


def _hand_out_shares(procedure: Any) -> None:
    """The holders take their shares (bids are accepted only then). Demo only: the share files are written to
    ``var/demo-keys/`` so the demo officials can present them at an opening."""
    from .models import KeyHolder
    from .services import share_download

    folder = Path(settings.VAR_DIR) / "demo-keys"
    folder.mkdir(parents=True, exist_ok=True)
    for holder in KeyHolder.objects.filter(opening_key__procedure=procedure).exclude(pending_share=""):
        text = share_download(actor=holder.user, holder=holder)
        (folder / f"share-{procedure.code}-{holder.index}-{holder.user.username}.txt").write_text(text)


def _seal_three(lot: Any, prices: list[str]) -> list[tuple[User, Any, Any]]:
    from .bidder import price_sheet, submit
    from .models import Bid

    _hand_out_shares(lot.procedure)
    done = []
    for user, price in zip(_bidder_users(lot, 3), prices, strict=False):
        if Bid.objects.filter(lot=lot, organisation_id=int(user.organisation_id or 0)).exists():
            continue
        keys = _keys(user)
        technical = f"技术标（演示）{CANARY_TEXT} {user.organisation.name}".encode()  # type: ignore[union-attr]
        bid, _sealed = submit(user, keys, lot, parts={"price.json": price_sheet(price), "technical.pdf": technical})
        done.append((user, keys, bid))
    return done


def load() -> str:
    from yangguang.projects.models import Project
    from yangguang.tendering.models import Procedure

    agency = User.objects.filter(username="agency").first()
    if agency is None:
        return "bidding: accounts demo not loaded"
    sealed = opened = 0
    published = Procedure.objects.filter(title="门诊楼改扩建工程施工总承包", status="published").first()
    if published is not None:
        sealed = len(_seal_three(published.lots.get(), ["44800000.00", "45200000.00", "43950000.00"]))
    project = Project.objects.filter(name="丽水市第一人民医院门诊楼改扩建工程").first()
    title = "门诊楼配套工程施工（开标演示）"
    if project is not None and published is not None and not Procedure.objects.filter(title=title).exists():
        opened = _opened_example(agency, project, published, title)
    return f"bidding: {sealed} sealed bids before the deadline, {opened} opening(s) concluded"


def _opened_example(agency: User, project: Any, model: Any, title: str) -> int:
    import datetime as dt

    from yangguang.core.chronograph import chronograph_run
    from yangguang.core.dbclock import db_now
    from yangguang.tendering import services as tendering
    from yangguang.tendering.models import Procedure, Registration
    from yangguang.tendering.services.securities import security_guarantee_record

    from . import services
    from .bidder import content_key
    from .models import Opening, OpeningKey

    data = tendering.ProcedureData(
        title=title, method="works_open", qualification_requirements=model.qualification_requirements,
        evaluation_method=model.evaluation_method, evaluation_criteria=model.evaluation_criteria,
        lots=[tendering.LotData("配套工程", "8000000.00", "7800000.00", "150000.00")], document_days=5, bid_days=20,
        place=model.place, description="门诊楼室外配套及道路工程")
    procedure = tendering.procedure_create(actor=agency, project=project, data=data)
    from django.core.files.base import ContentFile

    tendering.document_upload(actor=agency, procedure=procedure,
                              upload=ContentFile(f"{title} 招标文件（演示）".encode(), name="招标文件.pdf"))
    procedure, _warnings = tendering.procedure_publish(actor=agency, procedure=procedure)
    lot = procedure.lots.get()
    for registration in Registration.objects.filter(lot=model.lots.get()).order_by("pk")[:3]:
        tendering.registration_create(actor="system", lot=lot, organisation=registration.organisation)
    # Each bidder records its electronic bid guarantee (电子保函), so the opening and the evaluation see it.
    for user in _bidder_users(lot, 3):
        security_guarantee_record(actor=user, lot=lot, issuer="丽水演示银行", amount=lot.bid_security,
                                  guarantee_number=f"DEMO-BH-{lot.pk}-{user.organisation_id}")
    bids = _seal_three(lot, ["7650000.00", "7720000.00", "7580000.00"])
    # Demo only: the deadline is moved to now so the opening can be shown (the legal timeline is unchanged).
    now = db_now() - dt.timedelta(seconds=1)
    Procedure.objects.filter(pk=procedure.pk).update(effective_bid_deadline=now, effective_documents_until=now,
                                                     effective_notice_until=now, next_check_at=now)
    OpeningKey.objects.filter(procedure=procedure).update(next_check_at=now)
    chronograph_run()
    chronograph_run()
    opening = Opening.objects.filter(lot=lot).first()
    if opening is None:
        return 0
    for user, keys, bid in bids:
        bid.refresh_from_db()
        services.bid_decrypt(actor=user, bid=bid, content_key_b64=content_key(keys, bid))
        services.opening_respond(actor=user, opening=opening, confirmed=True)
    services.opening_conclude(actor=agency, opening=opening)
    return 1
