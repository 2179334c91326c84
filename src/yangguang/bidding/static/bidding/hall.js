// The opening hall: live record over WebSocket, the bidder's decryption (the content key is unwrapped here,
// in the browser, with the key file that never leaves it), confirmations, shares and the remedy path.
import * as seal from "./seal.js";
import { call, say, readText } from "./api.js";

const zh = document.documentElement.lang.startsWith("zh");
const t = (zhText, enText) => (zh ? zhText : enText);
const hall = document.getElementById("hall");
const lotId = hall.dataset.lot;

const termLabels = JSON.parse(document.getElementById("term-labels").textContent);

function cell(text) { const td = document.createElement("td"); td.textContent = text; return td; }

function render(snapshot) {
  const body = document.getElementById("rows");
  body.replaceChildren(...snapshot.rows.map((r) => {
    const tr = document.createElement("tr");
    const terms = Object.entries(r.terms || {}).map(([k, v]) => `${termLabels[k] || k}: ${v}`).join("; ");
    const response = r.response === "confirmed" ? t("已确认", "confirmed")
      : r.response === "objection" ? t("异议：", "objection: ") + r.objection : "—";
    tr.append(cell(r.number), cell(r.bidder), cell(r.total_price || "—"), cell(terms), cell(r.security_ok ? "✓" : "✗"),
      cell(r.status_label + (r.decrypted_by ? ` (${r.decrypted_by === "remedy" ? t("补救", "remedy") : t("投标人", "bidder")})` : "")),
      cell(response));
    return tr;
  }));
  hall.dataset.status = snapshot.status;
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
}
tick();
setInterval(tick, 1000);

async function act(fn) { try { await fn(); } catch (e) { say(e.message, true); } }

const bidder = document.getElementById("bidder");
if (bidder) {
  document.getElementById("decrypt").addEventListener("click", () => act(async () => {
    const keys = await seal.importKeyFile(await readText(document.getElementById("keyfile")),
      document.getElementById("passphrase").value);
    const d = bidder.dataset;
    const aad = seal.bidAad({ tender: d.tender, lot: Number(d.lotno), bidder: d.bidder, version: Number(d.version),
      part: d.keypart, suite: d.suite });
    const wrapped = JSON.parse(document.getElementById("wrapped").textContent);
    const dek = await seal.unwrapKey(wrapped, keys.encPrivate, keys.encPublic, { aad });
    const out = await call("POST", `/bids/${d.bid}/decrypt`, { content_key: seal.b64encode(dek) });
    say(out.status === "opened" ? t("已解密", "Decrypted") : t("解密失败：", "Decryption failed: ") + out.failure_cause,
      out.status !== "opened");
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
  document.getElementById("present").addEventListener("click", () => act(async () => {
    await call("POST", `/shares/${holder.dataset.holder}/present`, { share: document.getElementById("share").value,
      passphrase: document.getElementById("share-pass").value });
    say(t("份额已提交", "Share presented"));
  }));
}

if (document.getElementById("manager")) {
  document.getElementById("remedy").addEventListener("click", () => act(async () => {
    const out = await call("POST", `/openings/${lotId}/remedy`);
    render(out); say(t("补救解密完成：", "Remedy path done: ") + out.opened.length);
  }));
  document.getElementById("conclude").addEventListener("click", () => act(async () => {
    render(await call("POST", `/openings/${lotId}/conclude`)); say(t("开标记录已关闭并保存", "Record closed and saved"));
  }));
}
