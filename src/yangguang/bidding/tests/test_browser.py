"""A bidder registers a key, seals a bid in the browser (seal.js), uploads it in chunks, submits and gets a
verified receipt; the deadline passes; in the remote opening hall the bidder decrypts its own bid with its
key file (the content key is unwrapped in the browser), the record updates live, the bidder confirms and
the agency closes the record: the PDF is saved and its hash logged. Served by uvicorn (ASGI, WebSockets) in
a thread of the test process, like the auction room test."""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time

import pytest
from asgiref.sync import sync_to_async

from tests.browser import login, shot
from yangguang.core.chronograph import chronograph_run
from yangguang.core.models import Event
from yangguang.tendering import services as tendering
from yangguang.tendering.tests.factories import PASSWORD, procedure_published, supplier_make

from .. import services
from ..models import Bid, KeyHolder, Opening
from .sealing import CANARY, content_key, keys_for, set_deadline, submit

pytestmark = [pytest.mark.browser]


@pytest.fixture
def asgi_server(live_server):
    import socket

    import uvicorn

    from yangguang.asgi import application

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
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


def test_seal_in_the_browser_submit_open_in_the_hall_and_close_the_record(items, page, browser, asgi_server,
                                                                          tmp_path, settings):
    base, loop = asgi_server
    procedure = procedure_published()
    for holder in KeyHolder.objects.filter(opening_key__procedure=procedure):
        services.share_download(actor=holder.user, holder=holder)
    lot = procedure.lots.get()
    names = ("丽水市浏览器建设有限公司", "丽水市瓯江建设有限公司", "丽水市括苍建设有限公司")
    users = [supplier_make(name) for name in names]
    for user in users:
        tendering.registration_create(actor=user, lot=lot)
    others = []
    for user in users[1:]:
        keys = keys_for(user)
        others.append((user, keys, submit(user, keys, lot)[0]))

    # 1. The bidder generates its key in the browser and saves the key file.
    login(page, base, users[0].username, PASSWORD)
    page.goto(f"{base}/bidding/keys/")
    page.fill("#passphrase", "browser-pass-2026")
    page.click("#generate")
    page.wait_for_selector("#status.ok", timeout=30000)
    with page.expect_download() as download:
        page.click("#download")
    keyfile = tmp_path / "key.json"
    download.value.save_as(keyfile)
    shot(page, "bidding-key")

    # 2. It seals the price sheet and a file in the browser, uploads, submits: the receipt verifies.
    bidfile = tmp_path / "technical.pdf"
    bidfile.write_bytes(b"%PDF-1.4 " + CANARY + b" browser bid")
    page.goto(f"{base}/bidding/lots/{lot.pk}/")
    page.fill("#total_price", "4321000.00")
    page.fill("#duration_days", "200")
    page.fill("#quality", "合格")
    page.set_input_files("#files", str(bidfile))
    page.set_input_files("#keyfile", str(keyfile))
    page.fill("#passphrase", "browser-pass-2026")
    shot(page, "bidding-seal-form")
    page.click("#submit")
    page.wait_for_selector("#verified.ok", timeout=60000)
    shot(page, "bidding-receipt")
    mine = Bid.objects.get(organisation=users[0].organisation)
    assert mine.status == "submitted"
    for path in settings.MEDIA_ROOT.rglob("*"):
        if path.is_file():
            assert CANARY not in path.read_bytes()  # only ciphertext reached the server

    # 3. The deadline passes; the worker closes bidding and starts the opening.
    set_deadline(procedure, -1)
    asyncio.run_coroutine_threadsafe(sync_to_async(chronograph_run)(), loop).result(timeout=30)
    asyncio.run_coroutine_threadsafe(sync_to_async(chronograph_run)(), loop).result(timeout=30)
    assert Opening.objects.filter(lot=lot).exists()

    # 4. In the hall, the bidder decrypts with its key file; the record updates live.
    page.goto(f"{base}/bidding/openings/{lot.pk}/")
    page.wait_for_selector("#live[data-state=open]")
    for user, keys, bid in others:
        asyncio.run_coroutine_threadsafe(sync_to_async(services.bid_decrypt)(
            actor=user, bid=bid, content_key_b64=content_key(keys, bid)), loop).result(timeout=30)
    page.wait_for_function("document.getElementById('rows').innerText.includes('4500000.00')")
    page.set_input_files("#keyfile", str(keyfile))
    page.fill("#passphrase", "browser-pass-2026")
    page.click("#decrypt")
    page.wait_for_function("document.getElementById('rows').innerText.includes('4321000.00')", timeout=30000)
    mine.refresh_from_db()
    assert mine.status == "opened" and mine.decrypted_by == "bidder"
    part = mine.parts.get(name="technical.pdf")
    assert part.plaintext_sha256 == hashlib.sha256(bidfile.read_bytes()).hexdigest()
    page.click("#confirm")
    page.wait_for_function("document.getElementById('rows').innerText.includes('已确认')")
    shot(page, "bidding-hall-bidder")

    # 5. The agency closes the record; everyone in the hall gets the PDF link.
    agency_context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    agency = agency_context.new_page()
    login(agency, base, "agency", "yangguang-demo")
    agency.goto(f"{base}/bidding/openings/{lot.pk}/")
    agency.wait_for_selector("#live[data-state=open]")
    agency.click("#conclude")
    page.wait_for_selector("#record-link")
    agency.wait_for_selector("#record-link")
    shot(agency, "bidding-hall-concluded")
    # The quoted terms read with their labels, live (hall.js) and as first rendered (the template).
    rows = agency.inner_text("#rows")
    assert "工期（天）: 200" in rows and "质量: " in rows and "duration_days" not in rows
    agency.reload()
    assert "工期（天）: 200" in agency.inner_text("#rows")
    opening = Opening.objects.get(lot=lot)
    assert opening.status == "concluded"
    pdf = (settings.MEDIA_ROOT / opening.record_path).read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == opening.record_sha256
    assert Event.objects.filter(action="bidding.opening.concluded", payload__contains=opening.record_sha256).exists()
    response = agency.request.get(f"{base}/bidding/openings/{lot.pk}/record.pdf")
    assert response.status == 200 and response.body()[:4] == b"%PDF"
    agency_context.close()


def test_the_buyer_side_starts_an_opening_the_worker_did_not(items, page, live_server):
    """A procedure whose bidding closed without the opening's step (here: published without an opening key,
    as when too few officials could hold a share): the agency's bidding page offers the button, and the
    opening starts (three sealed bids)."""
    from ..models import OpeningKey

    procedure = procedure_published()
    for holder in KeyHolder.objects.filter(opening_key__procedure=procedure):
        services.share_download(actor=holder.user, holder=holder)
    lot = procedure.lots.get()
    for _i in range(3):
        user = supplier_make()
        tendering.registration_create(actor=user, lot=lot)
        submit(user, keys_for(user), lot)
    OpeningKey.objects.filter(procedure=procedure).delete()
    set_deadline(procedure, -1)
    chronograph_run()
    procedure.refresh_from_db()
    assert procedure.status == "ready_for_opening" and not Opening.objects.filter(lot=lot).exists()
    login(page, live_server.url, "agency", "yangguang-demo")
    page.goto(f"{live_server.url}/bidding/")
    button = page.locator(f"button[data-begin='{procedure.pk}']")
    assert button.inner_text() == "开始开标"
    shot(page, "bidding-index-waiting")
    button.click()
    page.wait_for_selector("#status.ok")
    assert "开标已开始" in page.inner_text("#status")
    page.wait_for_selector(f"a[href='/bidding/openings/{lot.pk}/']")
    assert Opening.objects.get(lot=lot).bid_count == 3
