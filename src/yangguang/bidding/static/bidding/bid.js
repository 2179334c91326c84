// Bidder pages: generate and register a key; seal a bid in the browser (seal.js), upload it in chunks,
// sign and submit the manifest; withdraw; officials download their share once.
import * as seal from "./seal.js";
import { call, say, readText } from "./api.js";

const zh = document.documentElement.lang.startsWith("zh");
const t = (zhText, enText) => (zh ? zhText : enText);
const CHUNK = 1 << 20;

async function fingerprint(bundle) {
  return seal.hex(await seal.sha256(seal.canonicalJson({ enc: bundle.enc, sign: bundle.sign })));
}

// ---- key page
const generate = document.getElementById("generate");
if (generate) {
  generate.addEventListener("click", async () => {
    const passphrase = document.getElementById("passphrase").value;
    if (passphrase.length < 8) { say(t("口令至少 8 个字符", "The passphrase needs at least 8 characters"), true); return; }
    try {
      say(t("正在生成密钥…", "Generating the key…"));
      const keys = await seal.generateBidderKeys();
      const file = await seal.exportKeyFile(keys, passphrase);
      const bundle = await seal.publicBundle(keys);
      const link = document.getElementById("download");
      link.href = URL.createObjectURL(new Blob([file], { type: "application/json" }));
      const out = await call("POST", "/keys", bundle);
      link.hidden = false;  // offered once the platform has the public half: an unregistered key seals nothing
      say(t("密钥已登记，指纹 ", "Key registered, fingerprint ") + out.fingerprint.slice(0, 32) +
        t("。请保存密钥文件。", ". Save the key file."));
    } catch (e) { say(e.message, true); }
  });
}

// ---- sealing page
async function uploadPart(lotId, name, sealed, onProgress) {
  const up = await call("POST", `/lots/${lotId}/uploads`, { name, size: sealed.size, sha256: sealed.sha256, chunk_size: CHUNK });
  let state = up;
  for (const index of up.missing) {
    const bytes = new Uint8Array(await sealed.blob.slice(index * CHUNK, Math.min((index + 1) * CHUNK, sealed.size)).arrayBuffer());
    const digest = seal.hex(await seal.sha256(bytes));
    for (let attempt = 0; ; attempt++) {
      try { state = await call("PUT", `/uploads/${up.id}/chunks/${index}`, bytes, { "X-Chunk-SHA256": digest }); break; }
      catch (e) { if (attempt >= 3 || e.code) throw e; await new Promise((r) => setTimeout(r, 500 * (attempt + 1))); }
    }
    onProgress(index + 1, up.chunks);
  }
  return state;
}

const form = document.getElementById("seal-form");
if (form) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = document.getElementById("submit");
    button.disabled = true;
    const progress = document.getElementById("progress");
    try {
      const lotId = form.dataset.lot;
      const ctx = await call("GET", `/lots/${lotId}/context`);
      if (!ctx.opening_public_key) throw new Error(t("本项目尚无开标密钥", "This procedure has no opening key"));
      const keys = await seal.importKeyFile(await readText(document.getElementById("keyfile")),
        document.getElementById("passphrase").value);
      const bundle = await seal.publicBundle(keys);
      const fp = await fingerprint(bundle);
      if (fp !== ctx.my_key) throw new Error(t("该密钥文件不是已登记的密钥", "This key file is not your registered key"));
      const sheet = {
        total_price: document.getElementById("total_price").value.trim(),
        enterprise_size: document.getElementById("enterprise_size").value,
        terms: Object.fromEntries(["duration_days", "quality", "warranty"]
          .map((k) => [k, document.getElementById(k).value.trim()]).filter(([, v]) => v)),
        price_lines: [],
      };
      const files = [new File([JSON.stringify(sheet)], "price.json", { type: "application/json" }),
        ...document.getElementById("files").files];
      const dek = seal.contentKeyNew();
      const base = { tender: ctx.tender, lot: ctx.lot, bidder: ctx.bidder, version: ctx.version, suite: ctx.suite };
      const parts = [];
      progress.hidden = false;
      for (const file of files) {
        say(t("正在本地加密 ", "Encrypting locally ") + file.name);
        const sealed = await seal.sealBlob(dek, file, { aad: seal.bidAad({ ...base, part: file.name }) });
        say(t("正在上传 ", "Uploading ") + file.name);
        await uploadPart(lotId, file.name, sealed, (done, all) => { progress.value = done / all; });
        parts.push({ name: file.name, sha256: sealed.sha256, size: sealed.size });
      }
      const keyAad = seal.bidAad({ ...base, part: ctx.key_part });
      const manifest = { ...base, parts, price_part: "price.json", key: fp,
        wrapped: { bidder: await seal.wrapKey(dek, bundle.enc, { aad: keyAad }),
          opening: await seal.wrapKey(dek, ctx.opening_public_key, { aad: keyAad }) } };
      const signature = await seal.signMessage(seal.canonicalJson(manifest), keys.signPrivate);
      const idem = crypto.randomUUID();
      const out = await call("POST", `/lots/${lotId}/bids`, { manifest, signature, idempotency_key: idem });
      say(t("已提交。回执：日志序号 ", "Submitted. Receipt: log index ") + out.receipt.log.index);
      window.location.href = `/bidding/bids/${out.bid.id}/receipt/`;
    } catch (e) { say(e.message, true); button.disabled = false; }
  });
}

for (const button of document.querySelectorAll("button.withdraw")) {
  button.addEventListener("click", async () => {
    if (!window.confirm(t("确定撤回该投标？", "Withdraw this bid?"))) return;
    try { await call("POST", `/bids/${button.dataset.bid}/withdraw`); window.location.reload(); }
    catch (e) { say(e.message, true); }
  });
}

// ---- shares page (officials)
for (const button of document.querySelectorAll("button.share-download")) {
  button.addEventListener("click", async () => {
    const input = document.querySelector(`input.share-pass[data-holder="${button.dataset.holder}"]`);
    const pass = input.value;
    try {
      const out = await call("POST", `/shares/${button.dataset.holder}/download`, { passphrase: pass });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([out.share], { type: "text/plain" }));
      link.download = `opening-share-${button.dataset.code}-${button.dataset.holder}.txt`;
      link.textContent = t("保存份额文件", "Save the share file");
      link.id = `share-file-${button.dataset.holder}`;
      button.replaceWith(link);
      input.remove();
      link.click();
      say(t("份额已下载，平台已删除其副本。", "Share downloaded; the platform has erased its copy."));
    } catch (e) { say(e.message, true); }
  });
}
