from __future__ import annotations

import pytest
from django.db import connection

from yangguang.bidding.models import Bid, Opening

pytestmark = pytest.mark.django_db

CANARY = b"YANGGUANG-SEALED-CANARY"


def test_demo_seals_bids_opens_one_tender_and_no_plaintext_of_a_sealed_bid_is_stored(demo, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    from yangguang.catalogue import demo as catalogue_demo
    from yangguang.projects import demo as projects_demo
    from yangguang.suppliers import demo as suppliers_demo
    from yangguang.tendering import demo as tendering_demo

    from .. import demo as bidding_demo

    catalogue_demo.load()
    suppliers_demo.load()
    projects_demo.load()
    tendering_demo.load()
    summary = bidding_demo.load()
    assert "1 opening(s) concluded" in summary, summary
    sealed = Bid.objects.filter(status="submitted", lot__procedure__title="门诊楼改扩建工程施工总承包")
    assert sealed.count() == 3
    assert Opening.objects.get().status == "concluded"
    assert Bid.objects.filter(status="opened").count() == 3
    # The concluded opening is what the evaluation opens on: three valid bids, guarantees received.
    from yangguang.accounts.models import User
    from yangguang.bidding.selectors import opened_bids
    from yangguang.evaluation.services import evaluation_open

    lot = Opening.objects.get().lot
    valid = opened_bids(lot)
    assert len(valid) == 3 and all(b.security_ok for b in valid)
    evaluation = evaluation_open(actor=User.objects.get(username="staff"), lot=lot)
    assert evaluation.tenderers.count() == 3
    # The sealed (unopened) bids' marker is nowhere: not in any stored file of theirs, not in any table.
    for part in [p for b in sealed for p in b.parts.all()]:
        assert CANARY not in (settings.MEDIA_ROOT / part.path).read_bytes()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            for column in columns:
                cursor.execute(f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE %s',  # noqa: S608
                               [f"%{CANARY.decode()}%"])
                assert cursor.fetchone()[0] == 0, f"{table}.{column}"
    assert "0 sealed bids" in bidding_demo.load()
