// The opening hall: live record over WebSocket, the bidder's decryption (the content key is unwrapped here,
// in the browser, with the key file that never leaves it), confirmations, shares and the remedy path.
import * as seal from "./seal.js";
import { call, say, readText } from "./api.js";

const zh = document.documentElement.lang.startsWith("zh");
const t = (zhText, enText) => (zh ? zhText : enText);
const hall = document.getElementById("hall");
const lotId = hall.dataset.lot;

const termLabels = JSON.parse(document.getElementById("term-labels").textContent);
// Status and "decrypted by" labels in this page's language (snapshots come in the server's default language).
const labels = JSON.parse(document.getElementById("hall-labels").textContent);

function decryption(r) {
  const status = labels.status[r.status] || r.status_label;
  const by = labels.decrypted_by[r.decrypted_by];
  return by ? labels.decryption.replace("%(status)s", status).replace("%(by)s", by) : status;
}

const bidder = document.getElementById("bidder");
let myStatus = null;  // the status of this bidder's own bid, from the live record

// The bidder's decryption form, while it can still be used: its bid not yet opened and the window open.
function decryptShown() {
  const part = document.getElementById("decrypt-part");
  if (!part) return;
  const hide = myStatus === "opened" || Date.parse(hall.dataset.window) <= Date.now();
  if (hide && !part.hidden && document.getElementById("status").className === "error") say("");
  part.hidden = hide;
  const declare = document.getElementById("declare-part");  // only while the bid waits to be decrypted
  if (declare && myStatus && myStatus !== "submitted") declare.hidden = true;
}

function cell(text) { const td = document.createElement("td"); td.textContent = text; return td; }

function render(snapshot) {
  const body = document.getElementById("rows");
  body.replaceChildren(...snapshot.rows.map((r) => {
    const tr = document.createElement("tr");
    const terms = Object.entries(r.terms || {}).map(([k, v]) => `${termLabels[k] || k}: ${v}`).join("; ");
    const response = r.response === "confirmed" ? t("已确认", "confirmed")
      : r.response === "objection" ? t("异议：", "objection: ") + r.objection : "—";
    tr.append(cell(r.number), cell(r.bidder), cell(r.total_price || "—"), cell(terms), cell(r.security_ok ? "✓" : "✗"),
      cell(decryption(r)), cell(response));
    return tr;
  }));
  hall.dataset.status = snapshot.status;
  if (snapshot.window_ends_at) { hall.dataset.window = snapshot.window_ends_at; tick(); }
  const shares = document.getElementById("shares-presented");
  if (shares && snapshot.shares) shares.textContent = snapshot.shares.presented;
  const mine = bidder && snapshot.rows.find((r) => String(r.bid) === bidder.dataset.bid);
  if (mine) { myStatus = mine.status; decryptShown(); }
  if (snapshot.status !== "open") {
    for (const id of ["bidder", "holder", "manager"]) { const el = document.getElementById(id); if (el) el.hidden = true; }
  }
  if (snapshot.status === "concluded" && !document.getElementById("record-link")) {
    const p = document.createElement("p");
    const a = document.createElement("a");
    a.id = "record-link"; a.href = `/bidding/openings/${lotId}/record.pdf`;
    a.textContent = t("开标记录（PDF）", "Opening record (PDF)");
    p.append(a, ` SHA-256 ${snapshot.record_sha256}`);
    hall.after(p);
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/bidding/openings/${lotId}/`);
  const live = document.getElementById("live");
  socket.onopen = () => { live.textContent = t("实时", "live"); live.dataset.state = "open"; };
  socket.onmessage = (event) => render(JSON.parse(event.data));
  socket.onclose = () => { live.textContent = t("重新连接…", "reconnecting…"); live.dataset.state = "closed"; setTimeout(connect, 2000); };
}
connect();

function tick() {
  const left = Math.max(0, Date.parse(hall.dataset.window) - Date.now());
  const m = Math.floor(left / 60000), s = Math.floor((left % 60000) / 1000);
  document.getElementById("countdown").textContent = left ? `${m}:${String(s).padStart(2, "0")}` : t("已结束", "ended");
  decryptShown();
}
tick();
setInterval(tick, 1000);

async function act(fn) { try { await fn(); } catch (e) { say(e.message, true); } }

if (bidder) {
  document.getElementById("decrypt").addEventListener("click", () => act(async () => {
    const text = await readText(document.getElementById("keyfile"));
    let keys;
    try { keys = await seal.importKeyFile(text, document.getElementById("passphrase").value); }
    catch (e) {
      throw new Error(t("无法打开密钥文件：口令错误，或文件不是本平台的密钥文件、已被改动。",
        "Cannot open the key file: the passphrase is wrong, or the file is not a Yangguang key file or was changed."));
    }
    const d = bidder.dataset;
    const aad = seal.bidAad({ tender: d.tender, lot: Number(d.lotno), bidder: d.bidder, version: Number(d.version),
      part: d.keypart, suite: d.suite });
    const wrapped = JSON.parse(document.getElementById("wrapped").textContent);
    let dek;
    try { dek = await seal.unwrapKey(wrapped, keys.encPrivate, keys.encPublic, { aad }); }
    catch (e) {
      throw new Error(t("该密钥文件不是密封本投标所用的密钥。", "This key file is not the key this bid was sealed with."));
    }
    const out = await call("POST", `/bids/${d.bid}/decrypt`, { content_key: seal.b64encode(dek) });
    const causes = { bidder: t("密钥打不开投标文件", "the key does not open the bid files"),
      platform: t("平台存储的文件与回执不符", "the stored file differs from the receipt"),
      malformed: t("投标文件格式有误", "the bid file is malformed") };
    say(out.status === "opened" ? t("已解密", "Decrypted")
      : t("解密失败：", "Decryption failed: ") + (causes[out.failure_cause] || out.failure_cause), out.status !== "opened");
  }));
  document.getElementById("declare").addEventListener("click", () => act(async () => {
    await call("POST", `/bids/${bidder.dataset.bid}/decrypt-failure`,
      { reason: document.getElementById("declare-reason").value });
    document.getElementById("declare-part").hidden = true;
    say(t("已声明无法解密：可由补救方案解密；窗口结束前您仍可自行解密。",
      "Declared: the remedy path may open your bid; you can still decrypt it yourself until the window ends."));
  }));
  document.getElementById("confirm").addEventListener("click", () => act(async () => {
    await call("POST", `/openings/${lotId}/respond`, { confirmed: true }); say(t("已确认", "Confirmed"));
  }));
  document.getElementById("object").addEventListener("click", () => act(async () => {
    await call("POST", `/openings/${lotId}/respond`, { confirmed: false, objection: document.getElementById("objection").value });
    say(t("异议已记录", "Objection recorded"));
  }));
}

const holder = document.getElementById("holder");
if (holder) {
  document.getElementById("share-file").addEventListener("change", () => act(async () => {
    const file = document.getElementById("share-file").files[0];
    if (file) document.getElementById("share").value = (await file.text()).trim();
  }));
  document.getElementById("present").addEventListener("click", () => act(async () => {
    await call("POST", `/shares/${holder.dataset.holder}/present`, { share: document.getElementById("share").value,
      passphrase: document.getElementById("share-pass").value });
    say(t("份额已出示", "Share presented"));
  }));
}

if (document.getElementById("manager")) {
  document.getElementById("remedy").addEventListener("click", () => act(async () => {
    const out = await call("POST", `/openings/${lotId}/remedy`);
    render(out); say(t(`补救解密完成：开启 ${out.opened.length} 份投标`, `Remedy path done: ${out.opened.length} bid(s) opened`));
  }));
  document.getElementById("conclude").addEventListener("click", () => act(async () => {
    render(await call("POST", `/openings/${lotId}/conclude`)); say(t("开标记录已关闭并保存", "Record closed and saved"));
  }));
}
