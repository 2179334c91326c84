"""Two bidders in a timed session see each other's bids live, then the winner sees the result and the deal
confirmation. The site is served by uvicorn (ASGI, WebSockets) in a thread of the test process, on the test
database; the chronograph step that ends the sale runs on the server's event loop, as the worker would."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time

import pytest
from asgiref.sync import sync_to_async

from tests.browser import login, shot
from yangguang.core.chronograph import chronograph_run
from yangguang.core.dbclock import db_now

from .. import services
from ..models import Lot
from .factories import bidder, live_land_lot
from .liveclient import free_port

pytestmark = [pytest.mark.browser]


@pytest.fixture
def asgi_server(live_server):
    import uvicorn

    from yangguang.asgi import application

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning",
                                           ws="websockets", lifespan="off"))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=lambda: loop.run_until_complete(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", loop
    server.should_exit = True
    thread.join(timeout=10)


def test_two_bidders_see_each_others_bids_and_the_winner_sees_the_result(demo, page, browser, asgi_server):
    base, loop = asgi_server
    a = bidder(name="丽水瓯江置业有限公司", username="bidder_a")
    b = bidder(name="丽水括苍房地产开发有限公司", username="bidder_b")
    lot, (reg_a, reg_b) = live_land_lot([a, b], countdown=120)

    login(page, base, "bidder_a", "yangguang-demo")
    other = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})  # a phone
    page_b = other.new_page()
    page_b.set_default_timeout(15000)
    login(page_b, base, "bidder_b", "yangguang-demo")
    for p in (page, page_b):
        p.goto(f"{base}/auctions/lots/{lot.pk}/room/")
        p.wait_for_selector("#bid-panel:not([hidden])")
        p.wait_for_function("document.getElementById('offset').textContent !== '—'")
    assert page.inner_text("#my-number") == reg_a.bidding_number

    page.fill("#amount", "10100000")
    page.click("#bid-button")
    page.wait_for_selector("#bid-message.success")
    page_b.wait_for_selector("#history tr[data-seq='1']")
    assert reg_a.bidding_number in page_b.inner_text("#history")
    assert "10,100,000.00" in page_b.inner_text("#price")

    page_b.fill("#amount", "10150000")  # below the increment: refused, clearly, and nothing changes
    page_b.click("#bid-button")
    page_b.wait_for_selector("#bid-message.error")
    assert "出价被拒绝" in page_b.inner_text("#bid-message")

    page_b.fill("#amount", "10600000")
    page_b.click("#bid-button")
    page.wait_for_selector("#history tr[data-seq='2']")
    assert reg_b.bidding_number in page.inner_text("#history")
    assert "10,600,000.00" in page.inner_text("#price")
    shot(page, "auctions-room-bidder-a")
    shot(page_b, "auctions-room-bidder-b-phone")
    assert "丽水括苍" not in page.content()  # names stay hidden in the room

    # The countdown runs out (moved to just past its end); the worker's step ends the sale on the server.
    ended = db_now() - services.settle_delay() - dt.timedelta(milliseconds=10)
    Lot.objects.filter(pk=lot.pk).update(countdown_ends_at=ended, next_check_at=ended)
    asyncio.run_coroutine_threadsafe(sync_to_async(chronograph_run)(), loop).result(timeout=30)
    for p in (page, page_b):
        p.wait_for_selector("#outcome:not([hidden])")
        assert reg_b.bidding_number in p.inner_text("#outcome-text")
    shot(page, "auctions-room-ended")

    page_b.click("#result-link")
    page_b.wait_for_selector("#winner-name")
    assert page_b.inner_text("#winner-name") == "丽水括苍房地产开发有限公司"
    shot(page_b, "auctions-result-winner")
    page_b.goto(f"{base}/auctions/lots/{lot.pk}/confirmation/")
    assert "壹仟零陆拾万元整" in page_b.inner_text("#confirmation")
    shot(page_b, "auctions-deal-confirmation")
    other.close()
