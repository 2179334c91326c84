from __future__ import annotations

import pytest


@pytest.fixture
def items(demo):
    from yangguang.projects.tests.factories import catalogue_setup

    return catalogue_setup()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tender(items):
    """A published works tender (opening key 2-of-3) and three registered bidders with keys."""
    from yangguang.tendering import services as tendering
    from yangguang.tendering.tests.factories import procedure_published, supplier_make

    from ..models import KeyHolder
    from ..services import share_download
    from .sealing import keys_for

    procedure = procedure_published()
    # The holders take their shares (bids are accepted only then); the tests keep them to present later.
    procedure.downloaded_shares = {  # type: ignore[attr-defined]
        h.index: share_download(actor=h.user, holder=h)
        for h in KeyHolder.objects.filter(opening_key__procedure=procedure)}
    lot = procedure.lots.get()
    bidders = []
    for _ in range(3):
        user = supplier_make()
        tendering.registration_create(actor=user, lot=lot)
        bidders.append((user, keys_for(user)))
    return procedure, lot, bidders
