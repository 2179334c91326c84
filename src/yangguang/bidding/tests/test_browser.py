"""The whole sealed-bid flow in browsers, one context (one signed-in person) each, against uvicorn (ASGI,
WebSockets) in a thread of the test process, like the auction room test.

The three holders of the opening key download their shares once; three bidders each generate a key and
seal a bid in the browser (seal.js), upload it in chunks, submit and get a verified receipt; the deadline
passes and the worker starts the opening; every bidder, the agency and the holders have the opening hall
open, live. Two bidders decrypt with their key files (the content key is unwrapped in the browser); the
third has forgotten its passphrase, the browser refuses, and the bidder declares in the hall that it
cannot decrypt (the failure is recorded, bidder's side). Two holders present their shares in the hall, the
agency runs the remedy path, and every page sees each price arrive without a reload. A bidder confirms, the
agency closes the record: the PDF is saved and its hash logged."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.browser import login, shot
from yangguang.accounts.demo import DEMO_PASSWORD
from yangguang.core.chronograph import chronograph_run
from yangguang.core.dbclock import db_now
from yangguang.core.models import Event
from yangguang.tendering import services as tendering
from yangguang.tendering.tests.factories import PASSWORD, procedure_published, supplier_make

from .. import services
from ..models import Bid, KeyHolder, Opening
from .sealing import CANARY, keys_for, set_deadline, submit

pytestmark = [pytest.mark.browser]

KEY_PASSPHRASE = "browser-pass-2026"  # noqa: S105 - test key file
SHARE_PASSPHRASE = "share-pass-2026"  # noqa: S105 - test share


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


@pytest.fixture
def person(browser, relaxed_log) -> Iterator[Callable[..., Any]]:
    """A new browser context per call (its own cookies: one person signed in), all closed at the end."""
    contexts = []

    def make(locale: str = "zh-CN") -> Any:
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20000)
        return page

    yield make
    for context in contexts:
        context.close()


ROW_WITH = """([price, mark]) => [...document.querySelectorAll('#rows tr')]
    .some((tr) => tr.innerText.includes(price) && tr.innerText.includes(mark))"""


def test_three_bidders_seal_in_the_browser_two_decrypt_the_third_opens_by_the_remedy_path(
        items, person, asgi_server, tmp_path, settings):
    base, _loop = asgi_server
    procedure = procedure_published()
    lot = procedure.lots.get()
    holders = {h.user.username: h for h in KeyHolder.objects.filter(opening_key__procedure=procedure)
               .select_related("user")}
    assert sorted(holders) == ["agency", "staff", "supervisor"]
    assert (procedure.opening_key.k, procedure.opening_key.n) == (2, 3)

    # 1. Each holder downloads its share once on /bidding/shares/ (the centre's with a passphrase); the
    #    platform keeps no copy, and the page offers no second download.
    officials, share_files = {}, {}
    for username, holder in holders.items():
        page = officials[username] = person()
        login(page, base, username, DEMO_PASSWORD)
        page.goto(f"{base}/bidding/shares/")
        if username == "staff":
            page.fill(f"input.share-pass[data-holder='{holder.pk}']", SHARE_PASSPHRASE)
        with page.expect_download() as download:
            page.click(f"button.share-download[data-holder='{holder.pk}']")
        share_files[username] = tmp_path / f"share-{username}.txt"
        download.value.save_as(share_files[username])
        page.wait_for_selector("#status.ok")
        if username == "staff":
            shot(page, "bidding-shares-downloaded")
        page.reload()
        assert page.locator("button.share-download").count() == 0
        holder.refresh_from_db()
        assert holder.pending_share == "" and holder.downloaded_at is not None
    staff_share = share_files["staff"].read_text()
    assert staff_share.startswith("-----BEGIN YANGGUANG OPENING KEY SHARE-----") and "Protected: yes" in staff_share
    assert "Protected: no" in share_files["supervisor"].read_text()

    # 2. Three bidders, each in its own browser: a key generated in the browser and its file saved, then a
    #    price sheet and a file (with the canary) sealed in the browser, uploaded and submitted.
    names = ("丽水市浏览器建设有限公司", "丽水市瓯江建设有限公司", "丽水市括苍建设有限公司")
    prices = ("4321000.00", "4456000.00", "4398000.00")
    users = [supplier_make(name) for name in names]
    bidders, keyfiles, bidfiles = [], [], []
    for i, user in enumerate(users):
        tendering.registration_create(actor=user, lot=lot)
        page = person()
        bidders.append(page)
        login(page, base, user.username, PASSWORD)
        page.goto(f"{base}/bidding/keys/")
        page.fill("#passphrase", KEY_PASSPHRASE)
        page.click("#generate")
        page.wait_for_selector("#download:not([hidden])", timeout=30000)
        assert "密钥已登记" in page.inner_text("#status")
        with page.expect_download() as download:
            page.click("#download")
        keyfiles.append(tmp_path / f"key-{i}.json")
        download.value.save_as(keyfiles[i])
        if i == 0:
            shot(page, "bidding-key")
        bidfiles.append(tmp_path / f"technical-{i}.pdf")
        bidfiles[i].write_bytes(b"%PDF-1.4 " + CANARY + f" browser bid {i}".encode())
        page.goto(f"{base}/bidding/lots/{lot.pk}/")
        page.fill("#total_price", prices[i])
        page.fill("#duration_days", str(200 + 10 * i))
        page.fill("#quality", "合格")
        page.set_input_files("#files", str(bidfiles[i]))
        page.set_input_files("#keyfile", str(keyfiles[i]))
        page.fill("#passphrase", KEY_PASSPHRASE)
        if i == 0:
            shot(page, "bidding-seal-form")
        page.click("#submit")
        page.wait_for_selector("#verified.ok", timeout=60000)
        if i == 0:
            shot(page, "bidding-receipt")
    bids = [Bid.objects.get(lot=lot, organisation=user.organisation) for user in users]
    assert [b.status for b in bids] == ["submitted"] * 3
    assert {b.parts.count() for b in bids} == {2}  # price.json and the file
    for path in settings.MEDIA_ROOT.rglob("*"):
        if path.is_file():
            assert CANARY not in path.read_bytes()  # only ciphertext reached the server

    # 3. The deadline passes; the worker closes bidding and starts the opening.
    set_deadline(procedure, -1)
    chronograph_run()  # the worker's step (in the test's thread; its own process in production)
    chronograph_run()
    opening = Opening.objects.get(lot=lot)
    assert opening.bid_count == 3

    # 4. Everyone enters the hall and is connected live. A marker set now on each page is still there at
    #    the end: no page was reloaded, every change below arrived over the WebSocket.
    agency, staff, supervisor = officials["agency"], officials["staff"], officials["supervisor"]
    hall = [*bidders, agency, staff, supervisor]
    for page in hall:
        page.goto(f"{base}/bidding/openings/{lot.pk}/")
        page.wait_for_selector("#live[data-state=open]")
        page.evaluate("window.hallSession = 'unreloaded'")
    assert agency.inner_text("#shares-presented") == "0"

    # 5. Two bidders decrypt in the browser with their key files: each price appears on every page.
    for i in (0, 1):
        page = bidders[i]
        page.set_input_files("#keyfile", str(keyfiles[i]))
        page.fill("#passphrase", KEY_PASSPHRASE)
        page.click("#decrypt")
        for seen in hall:
            seen.wait_for_function(ROW_WITH, arg=[prices[i], "已解密（投标人）"], timeout=30000)
        page.wait_for_selector("#decrypt-part", state="hidden")

    # 6. The third bidder has forgotten its passphrase: the browser cannot open its key file and sends
    #    nothing; it cannot decrypt before the window ends.
    third = bidders[2]
    third.set_input_files("#keyfile", str(keyfiles[2]))
    third.fill("#passphrase", "forgotten-passphrase")
    third.click("#decrypt")
    third.wait_for_selector("#status.error")
    assert "口令错误" in third.inner_text("#status")
    bids[2].refresh_from_db()
    assert bids[2].status == "submitted"
    assert not Event.objects.filter(action="bidding.bid.decrypt_failed").exists()
    shot(third, "bidding-hall-wrong-passphrase")

    # 7. It declares in the hall that it cannot decrypt, with the reason: the failure is recorded at once,
    #    bidder's side, and the hall shows it live — the remedy path need not wait for the window to end
    #    (a bid nobody declared fails when the window lapses: test_sealed_bids.py).
    third.fill("#declare-reason", "忘记密钥文件口令")
    third.click("#declare")
    third.wait_for_selector("#status.ok")
    third.wait_for_selector("#declare-part", state="hidden")
    bids[2].refresh_from_db()
    assert (bids[2].status, bids[2].failure_cause) == ("decrypt_failed", "bidder")
    assert "忘记密钥文件口令" in bids[2].failure_note
    assert Event.objects.get(action="bidding.bid.decrypt_failed").payload["declared_by_bidder"] is True
    for seen in hall:
        seen.wait_for_function(ROW_WITH, arg=[names[2], "解密失败"])
    opening.refresh_from_db()
    assert db_now() < opening.window_ends_at  # the window is still open
    shot(third, "bidding-hall-declared")

    # 8. Two holders of other organisations than the agency present their shares in the hall — the
    #    centre's from its (protected) share file, the supervisor's pasted as text; every page counts them.
    staff.set_input_files("#share-file", str(share_files["staff"]))
    staff.wait_for_function("document.getElementById('share').value.includes('YANGGUANG OPENING KEY SHARE')")
    staff.fill("#share-pass", SHARE_PASSPHRASE)
    staff.click("#present")
    staff.wait_for_selector("#status.ok")
    for seen in hall:
        seen.wait_for_function("document.getElementById('shares-presented').innerText === '1'")
    supervisor.fill("#share", share_files["supervisor"].read_text())
    supervisor.click("#present")
    supervisor.wait_for_selector("#status.ok")
    for seen in hall:
        seen.wait_for_function("document.getElementById('shares-presented').innerText === '2'")
    shot(supervisor, "bidding-hall-share-presented")
    assert KeyHolder.objects.filter(opening_key__procedure=procedure).exclude(presented_share="").count() == 2

    # 9. The agency runs the remedy path: the third price appears on every page, marked as opened by it.
    agency.click("#remedy")
    agency.wait_for_selector("#status.ok")
    assert "开启 1 份投标" in agency.inner_text("#status")
    for seen in hall:
        seen.wait_for_function(ROW_WITH, arg=[prices[2], "已解密（补救）"], timeout=30000)
        seen.wait_for_function("document.getElementById('shares-presented').innerText === '0'")
    shot(agency, "bidding-hall-remedy")
    shot(third, "bidding-hall-remedy-bidder")

    # The database: every bid opened, by whom, each plaintext the file the bidder chose.
    for bid, bidfile, price, by in zip(bids, bidfiles, prices, ("bidder", "bidder", "remedy"), strict=True):
        bid.refresh_from_db()
        assert (bid.status, bid.decrypted_by, str(bid.total_price)) == ("opened", by, price)
        part = bid.parts.get(name=bidfile.name)
        assert part.plaintext_sha256 == hashlib.sha256(bidfile.read_bytes()).hexdigest()
    assert bids[2].failure_cause == "bidder"  # kept: the record says why the remedy path was needed
    # Who presented shares, and which the remedy path used, is in the log; the presented shares are erased.
    presented = Event.objects.filter(action="bidding.share.presented", object_id=str(procedure.pk))
    assert sorted((e.actor, e.payload["index"]) for e in presented) == sorted(
        (f"user:{holders[u].user_id}", holders[u].index) for u in ("staff", "supervisor"))
    recovered = Event.objects.get(action="bidding.remedy.key_recovered")
    assert recovered.actor == f"user:{holders['agency'].user_id}"
    assert recovered.payload == {"shares": sorted([holders["staff"].index, holders["supervisor"].index]),
                                 "bids": [bids[2].token]}
    assert Event.objects.get(action="bidding.bid.opened", object_id=str(bids[2].pk)).payload["by"] == "remedy"
    assert not KeyHolder.objects.filter(opening_key__procedure=procedure).exclude(presented_share="").exists()
    assert not KeyHolder.objects.filter(opening_key__procedure=procedure).exclude(pending_share="").exists()

    # 10. A bidder confirms the record; the agency closes it; everyone in the hall gets the PDF link.
    bidders[0].click("#confirm")
    for seen in hall:
        seen.wait_for_function(ROW_WITH, arg=[names[0], "已确认"])
    agency.click("#conclude")
    for seen in hall:
        seen.wait_for_selector("#record-link")
    shot(agency, "bidding-hall-concluded")
    for seen in hall:
        assert seen.evaluate("window.hallSession") == "unreloaded"
    # The quoted terms read with their labels, live (hall.js) and as first rendered (the template).
    rows = agency.inner_text("#rows")
    assert "工期（天）: 200" in rows and "质量: 合格" in rows and "duration_days" not in rows
    agency.reload()
    rows = agency.inner_text("#rows")
    assert "工期（天）: 220" in rows and "已解密（补救）" in rows and "已确认" in rows
    opening.refresh_from_db()
    assert opening.status == "concluded" and opening.bid_count == 3
    pdf = (settings.MEDIA_ROOT / opening.record_path).read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == opening.record_sha256
    assert Event.objects.filter(action="bidding.opening.concluded", payload__contains=opening.record_sha256).exists()
    response = agency.request.get(f"{base}/bidding/openings/{lot.pk}/record.pdf")
    assert response.status == 200 and response.body() == pdf
    (tmp_path / "record.pdf").write_bytes(pdf)
    pdftotext = shutil.which("pdftotext")  # installed with chromium by `make chromium`
    assert pdftotext, "pdftotext is missing: apt-get install poppler-utils"
    record = subprocess.run([pdftotext, "-layout", str(tmp_path / "record.pdf"), "-"], check=True,  # noqa: S603
                            capture_output=True, text=True, timeout=60).stdout
    assert all(price in record for price in prices) and "开标时间" in record
    assert record.count("已解密（投标人）") == 2 and record.count("已解密（补救）") == 1

    # In English the live record reads in English too (the snapshots are built in the default language).
    english = person(locale="en-US")
    login(english, base, "supervisor", DEMO_PASSWORD)
    english.goto(f"{base}/bidding/openings/{lot.pk}/")
    english.wait_for_selector("#live[data-state=open]")
    english.wait_for_function(ROW_WITH, arg=[prices[2], "Opened (remedy)"])
    assert "Duration (days): 200" in english.inner_text("#rows") and "已解密" not in english.inner_text("#rows")


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
