// Yangguang sealed bids in the browser (suite INTL-1: X25519 + HKDF-SHA256 + AES-256-GCM, Ed25519).
// Byte-compatible with the Python library yangguang.seal; the format is described in docs/sealed-bids.md.
// ES module, WebCrypto only, no dependencies. Large files are read and sealed one segment at a time.

const subtle = globalThis.crypto.subtle;
const te = new TextEncoder();

export const SUITE = "INTL-1";
export const SUITE_CODE = 1;
export const MAGIC = te.encode("YGSEAL");
export const FORMAT_VERSION = 1;
export const HEADER_SIZE = 83;
const COMMIT_DOMAIN = te.encode("yangguang-seal/key-commitment/v1");
export const TAG_SIZE = 16;
export const DEFAULT_SEGMENT = 1 << 20;
export const KEY_FILE_FORMAT = "yangguang-bidder-key";
export const PBKDF2_ITERATIONS = 600000;

export class SealError extends Error {}
export class Tampered extends SealError {}

// ---- bytes helpers --------------------------------------------------------------------------------

export function b64encode(bytes) {
  let s = "";
  const u = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode.apply(null, u.subarray(i, i + 0x8000));
  return btoa(s);
}

export function b64decode(text, size) {
  let bin;
  try { bin = atob(text); } catch (e) { throw new SealError("not valid base64"); }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  if (size !== undefined && out.length !== size) throw new SealError(`expected ${size} bytes, got ${out.length}`);
  return out;
}

function b64urlToBytes(text) {
  const pad = "=".repeat((4 - (text.length % 4)) % 4);
  return b64decode(text.replace(/-/g, "+").replace(/_/g, "/") + pad);
}

function bytesToB64url(bytes) {
  return b64encode(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function concat(...parts) {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export function randomBytes(n) {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

// ---- canonical JSON (sorted keys, no spaces, UTF-8) — same bytes as yangguang.seal.canonical_json ----

export function canonicalJsonText(value) {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new SealError("canonical JSON here carries integers only");
    return String(value);
  }
  if (Array.isArray(value)) return "[" + value.map(canonicalJsonText).join(",") + "]";
  const keys = Object.keys(value).sort(cmpCodePoints);
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonicalJsonText(value[k])).join(",") + "}";
}

function cmpCodePoints(a, b) {
  // Python sorts str keys by code point; JS sorts by UTF-16 unit — compare code points explicitly.
  const A = Array.from(a, (c) => c.codePointAt(0));
  const B = Array.from(b, (c) => c.codePointAt(0));
  for (let i = 0; i < Math.min(A.length, B.length); i++) if (A[i] !== B[i]) return A[i] - B[i];
  return A.length - B.length;
}

export function canonicalJson(value) {
  return te.encode(canonicalJsonText(value));
}

// ---- SHA-256, incremental (WebCrypto's digest is one-shot; multi-GB files need a running hash) -----

const K256 = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

export class Sha256 {
  constructor() {
    this.h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    this.buf = new Uint8Array(64);
    this.bufLen = 0;
    this.length = 0; // bytes
    this.w = new Uint32Array(64);
  }

  update(data) {
    const d = data instanceof Uint8Array ? data : new Uint8Array(data);
    this.length += d.length;
    let i = 0;
    if (this.bufLen) {
      const take = Math.min(64 - this.bufLen, d.length);
      this.buf.set(d.subarray(0, take), this.bufLen);
      this.bufLen += take;
      i = take;
      if (this.bufLen < 64) return this;
      this._block(this.buf, 0);
      this.bufLen = 0;
    }
    for (; i + 64 <= d.length; i += 64) this._block(d, i);
    if (i < d.length) { this.buf.set(d.subarray(i), 0); this.bufLen = d.length - i; }
    return this;
  }

  _block(p, off) {
    const w = this.w;
    for (let t = 0; t < 16; t++) {
      const j = off + 4 * t;
      w[t] = (p[j] << 24) | (p[j + 1] << 16) | (p[j + 2] << 8) | p[j + 3];
    }
    for (let t = 16; t < 64; t++) {
      const a = w[t - 15], b = w[t - 2];
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
    }
    const h = this.h;
    let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (k + S1 + ch + K256[t] + w[t]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
  }

  digest() {
    const bits = this.length * 8;
    const pad = new Uint8Array(((this.bufLen < 56 ? 56 : 120) - this.bufLen) + 8);
    pad[0] = 0x80;
    const view = new DataView(pad.buffer);
    view.setUint32(pad.length - 8, Math.floor(bits / 0x100000000));
    view.setUint32(pad.length - 4, bits >>> 0);
    const saveLen = this.length;
    this.update(pad);
    this.length = saveLen;
    const out = new Uint8Array(32);
    const ov = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) ov.setUint32(4 * i, this.h[i]);
    return out;
  }

  hexdigest() { return hex(this.digest()); }
}

export async function sha256(bytes) {
  return new Uint8Array(await subtle.digest("SHA-256", bytes));
}

// ---- associated data, content keys -----------------------------------------------------------------

export function bidAad({ tender, lot, bidder, version, part, suite = SUITE }) {
  if (suite !== SUITE) {
    throw new SealError(`the browser seals with ${SUITE} only; use the command-line tool for ${suite}`);
  }
  for (const [name, v] of [["tender", tender], ["bidder", bidder], ["part", part]]) {
    if (typeof v !== "string" || !v) throw new SealError(`${name} must be a non-empty string`);
  }
  for (const [name, v] of [["lot", lot], ["version", version]]) {
    if (!Number.isInteger(v) || v < 0) throw new SealError(`${name} must be a non-negative integer`);
  }
  return canonicalJson({ bidder, domain: "yangguang-bid/v1", lot, part, suite, tender, version });
}

export function contentKeyNew() {
  return randomBytes(32);
}

// ---- the envelope ------------------------------------------------------------------------------------

function nonceFor(prefix, index, last) {
  const n = new Uint8Array(12);
  n.set(prefix, 0);
  new DataView(n.buffer).setUint32(7, index);
  n[11] = last ? 1 : 0;
  return n;
}

async function aesKey(raw, usages) {
  return subtle.importKey("raw", raw, { name: "AES-GCM" }, false, usages);
}

async function keyCommitment(dek, head) {
  return sha256(concat(COMMIT_DOMAIN, dek, head.subarray(0, HEADER_SIZE - 32)));
}

export async function envelopeHeaderBytes(dek, aad, segmentSize, prefix) {
  const head = new Uint8Array(HEADER_SIZE);
  head.set(MAGIC, 0);
  head[6] = FORMAT_VERSION;
  head[7] = SUITE_CODE;
  new DataView(head.buffer).setUint32(8, segmentSize);
  head.set(prefix, 12);
  head.set(await sha256(aad), 19);
  head.set(await keyCommitment(dek, head), 51);
  return head;
}

export function parseHeader(bytes) {
  if (bytes.length < HEADER_SIZE) throw new Tampered("not a sealed envelope (too short)");
  for (let i = 0; i < 6; i++) if (bytes[i] !== MAGIC[i]) throw new Tampered("not a sealed envelope (bad magic)");
  if (bytes[6] !== FORMAT_VERSION) throw new Tampered("unsupported envelope version");
  const suite = { 1: "INTL-1", 2: "GM-1" }[bytes[7]];
  if (!suite) throw new Tampered("unknown suite");
  const segmentSize = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8);
  return { suite, segmentSize, noncePrefix: hex(bytes.subarray(12, 19)), aadHash: hex(bytes.subarray(19, 51)),
    keyCommitment: hex(bytes.subarray(51, 83)) };
}

async function readSlice(blob, start, end) {
  return new Uint8Array(await blob.slice(start, end).arrayBuffer());
}

// Seal a Blob/File. onProgress(doneBytes, totalBytes) is called after each segment. The envelope's SHA-256
// (what the upload is checked against) is always computed; the plaintext's only with hashPlaintext: true
// (hashing runs in JavaScript, slower than the AES-GCM of WebCrypto, so it is opt-in).
export async function sealBlob(dek, blob, { aad, segmentSize = DEFAULT_SEGMENT, onProgress, hashPlaintext = false } = {}) {
  if (!(aad instanceof Uint8Array)) throw new SealError("aad must be bytes (use bidAad)");
  const key = await aesKey(dek, ["encrypt"]);
  const prefix = randomBytes(7);
  const header = await envelopeHeaderBytes(dek, aad, segmentSize, prefix);
  const segAad = concat(header, aad);
  const envHash = new Sha256().update(header);
  const plainHash = hashPlaintext ? new Sha256() : null;
  const parts = [header];
  let size = HEADER_SIZE;
  const total = blob.size;
  let index = 0;
  for (let off = 0; ; off += segmentSize, index++) {
    const end = Math.min(off + segmentSize, total);
    const last = end >= total;
    const plain = await readSlice(blob, off, end);
    const sealed = new Uint8Array(await subtle.encrypt(
      { name: "AES-GCM", iv: nonceFor(prefix, index, last), additionalData: segAad, tagLength: 128 }, key, plain));
    parts.push(sealed);
    envHash.update(sealed);
    if (plainHash) plainHash.update(plain);
    size += sealed.length;
    if (onProgress) onProgress(end, total);
    if (last) break;
  }
  return { blob: new Blob(parts, { type: "application/octet-stream" }), sha256: envHash.hexdigest(), size,
    plaintextSha256: plainHash ? plainHash.hexdigest() : null, plaintextSize: total, segments: index + 1 };
}

export async function openBlob(dek, blob, { aad }) {
  const header = await readSlice(blob, 0, HEADER_SIZE);
  const info = parseHeader(header);
  if (info.suite !== SUITE) throw new SealError(`the browser opens ${SUITE} envelopes only`);
  if (hex(await sha256(aad)) !== info.aadHash) throw new Tampered("the associated data does not match the envelope");
  if (dek.length !== 32 || hex(await keyCommitment(dek, header)) !== info.keyCommitment) {
    throw new Tampered("wrong content key for this envelope (key commitment differs)");
  }
  const key = await aesKey(dek, ["decrypt"]);
  const prefix = header.subarray(12, 19);
  const segAad = concat(header, aad);
  const chunk = info.segmentSize + TAG_SIZE;
  const parts = [];
  const plainHash = new Sha256();
  let size = 0;
  let index = 0;
  if (blob.size - HEADER_SIZE < TAG_SIZE) throw new Tampered("envelope truncated");
  for (let off = HEADER_SIZE; off < blob.size; off += chunk, index++) {
    const end = Math.min(off + chunk, blob.size);
    const last = end >= blob.size;
    if (end - off < TAG_SIZE) throw new Tampered("envelope truncated inside a segment");
    let plain;
    try {
      plain = new Uint8Array(await subtle.decrypt(
        { name: "AES-GCM", iv: nonceFor(prefix, index, last), additionalData: segAad, tagLength: 128 }, key,
        await readSlice(blob, off, end)));
    } catch (e) {
      throw new Tampered(`segment ${index}: authentication failed`);
    }
    parts.push(plain);
    plainHash.update(plain);
    size += plain.length;
  }
  return { blob: new Blob(parts), plaintextSha256: plainHash.hexdigest(), size, suite: info.suite };
}

// ---- keys, wrapping, signatures ------------------------------------------------------------------------

export async function keyId(publicRaw) {
  return hex(await sha256(publicRaw)).slice(0, 32);
}

async function rawPublic(key) {
  return new Uint8Array(await subtle.exportKey("raw", key));
}

export async function generateBidderKeys() {
  const enc = await subtle.generateKey({ name: "X25519" }, true, ["deriveBits"]);
  const sign = await subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
  return { encPrivate: enc.privateKey, encPublic: enc.publicKey, signPrivate: sign.privateKey,
    signPublic: sign.publicKey };
}

export async function publicBundle(keys) {
  return { enc: b64encode(await rawPublic(keys.encPublic)), sign: b64encode(await rawPublic(keys.signPublic)) };
}

async function hkdfSha256(ikm, salt, info, length) {
  const base = await subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  return new Uint8Array(await subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, base, length * 8));
}

function wrapAad(wrapped, aad) {
  return concat(canonicalJson({ v: wrapped.v, suite: wrapped.suite, kem: wrapped.kem, kid: wrapped.kid }), aad);
}

const WRAP_INFO = te.encode("yangguang-seal/wrap/v1/INTL-1");

export async function wrapKey(dek, recipientPublicB64, { aad }) {
  if (dek.length !== 32) throw new SealError("INTL-1 content keys are 32 bytes");
  const recipient = b64decode(recipientPublicB64, 32);
  const recipientKey = await subtle.importKey("raw", recipient, { name: "X25519" }, true, []);
  const eph = await subtle.generateKey({ name: "X25519" }, true, ["deriveBits"]);
  const shared = new Uint8Array(await subtle.deriveBits({ name: "X25519", public: recipientKey }, eph.privateKey, 256));
  const enc = await rawPublic(eph.publicKey);
  const kek = await hkdfSha256(shared, concat(enc, recipient), WRAP_INFO, 32);
  const wrapped = { v: 1, suite: SUITE, kem: "X25519", kid: await keyId(recipient), enc: b64encode(enc) };
  const nonce = randomBytes(12);
  const ct = await subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: wrapAad(wrapped, aad) },
    await aesKey(kek, ["encrypt"]), dek);
  wrapped.nonce = b64encode(nonce);
  wrapped.ct = b64encode(new Uint8Array(ct));
  return wrapped;
}

export async function unwrapKey(wrapped, encPrivate, encPublic, { aad }) {
  if (wrapped.v !== 1 || wrapped.suite !== SUITE || wrapped.kem !== "X25519") {
    throw new Tampered("unsupported or changed wrapped key");
  }
  const recipient = await rawPublic(encPublic);
  if (wrapped.kid !== await keyId(recipient)) throw new Tampered("this key is not the recipient of the wrapped key");
  const enc = b64decode(wrapped.enc, 32);
  const encKey = await subtle.importKey("raw", enc, { name: "X25519" }, true, []);
  let shared;
  try {
    shared = new Uint8Array(await subtle.deriveBits({ name: "X25519", public: encKey }, encPrivate, 256));
  } catch (e) {
    throw new Tampered("invalid key encapsulation");
  }
  const kek = await hkdfSha256(shared, concat(enc, recipient), WRAP_INFO, 32);
  try {
    return new Uint8Array(await subtle.decrypt(
      { name: "AES-GCM", iv: b64decode(wrapped.nonce, 12), additionalData: wrapAad(wrapped, aad) },
      await aesKey(kek, ["decrypt"]), b64decode(wrapped.ct)));
  } catch (e) {
    throw new Tampered("wrapped key: authentication failed");
  }
}

export async function signMessage(data, signPrivate) {
  return b64encode(new Uint8Array(await subtle.sign({ name: "Ed25519" }, signPrivate, data)));
}

export async function verifyMessage(data, sigB64, signPublicB64) {
  try {
    const pub = await subtle.importKey("raw", b64decode(signPublicB64, 32), { name: "Ed25519" }, true, ["verify"]);
    return await subtle.verify({ name: "Ed25519" }, pub, b64decode(sigB64, 64), data);
  } catch (e) {
    return false;
  }
}

// ---- key files (PBKDF2-SHA256 + AES-256-GCM; Python's BidderKeys.load reads them) -----------------------

async function passphraseKey(passphrase, kdf) {
  const base = await subtle.importKey("raw", te.encode(passphrase.normalize("NFC")), "PBKDF2", false, ["deriveBits"]);
  const bits = await subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: b64decode(kdf.salt), iterations: kdf.iterations }, base, 256);
  return new Uint8Array(bits);
}

function protectAad(obj) {
  const head = {};
  for (const k of Object.keys(obj)) if (k !== "nonce" && k !== "ct") head[k] = obj[k];
  return canonicalJson(head);
}

export async function exportKeyFile(keys, passphrase, { iterations = PBKDF2_ITERATIONS } = {}) {
  if (!passphrase) throw new SealError("empty passphrase");
  const encJwk = await subtle.exportKey("jwk", keys.encPrivate);
  const signJwk = await subtle.exportKey("jwk", keys.signPrivate);
  const secret = concat(b64urlToBytes(encJwk.d), b64urlToBytes(signJwk.d));
  const obj = { format: KEY_FILE_FORMAT, v: 1, public: await publicBundle(keys),
    kdf: { name: "pbkdf2-sha256", iterations, salt: b64encode(randomBytes(16)) } };
  const nonce = randomBytes(12);
  obj.nonce = b64encode(nonce);
  const key = await aesKey(await passphraseKey(passphrase, obj.kdf), ["encrypt"]);
  obj.ct = b64encode(new Uint8Array(await subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: protectAad(obj) },
    key, secret)));
  return canonicalJsonText(obj) + "\n";
}

export async function importKeyFile(text, passphrase) {
  const obj = JSON.parse(text);
  if (obj.format !== KEY_FILE_FORMAT || obj.v !== 1) throw new SealError("not a Yangguang bidder key file");
  if (!obj.kdf || obj.kdf.name !== "pbkdf2-sha256") {
    throw new SealError("this key file uses scrypt: use the command-line tool, or export it again with PBKDF2");
  }
  const key = await aesKey(await passphraseKey(passphrase, obj.kdf), ["decrypt"]);
  let secret;
  try {
    secret = new Uint8Array(await subtle.decrypt(
      { name: "AES-GCM", iv: b64decode(obj.nonce, 12), additionalData: protectAad(obj) }, key, b64decode(obj.ct)));
  } catch (e) {
    throw new Tampered("wrong passphrase, or the file was changed");
  }
  const encPub = b64decode(obj.public.enc, 32);
  const signPub = b64decode(obj.public.sign, 32);
  const jwk = (crv, d, x, ops) => ({ kty: "OKP", crv, d: bytesToB64url(d), x: bytesToB64url(x), key_ops: ops, ext: true });
  const keys = {
    encPrivate: await subtle.importKey("jwk", jwk("X25519", secret.subarray(0, 32), encPub, ["deriveBits"]),
      { name: "X25519" }, true, ["deriveBits"]),
    encPublic: await subtle.importKey("raw", encPub, { name: "X25519" }, true, []),
    signPrivate: await subtle.importKey("jwk", jwk("Ed25519", secret.subarray(32), signPub, ["sign"]),
      { name: "Ed25519" }, true, ["sign"]),
    signPublic: await subtle.importKey("raw", signPub, { name: "Ed25519" }, true, ["verify"]),
  };
  // the private halves must match the public keys written in the file
  const probe = te.encode("yangguang key file check");
  const eph = await subtle.generateKey({ name: "X25519" }, true, ["deriveBits"]);
  const mine = await subtle.deriveBits({ name: "X25519", public: eph.publicKey }, keys.encPrivate, 256);
  const theirs = await subtle.deriveBits({ name: "X25519", public: keys.encPublic }, eph.privateKey, 256);
  if (hex(new Uint8Array(mine)) !== hex(new Uint8Array(theirs)) ||
      !(await verifyMessage(probe, await signMessage(probe, keys.signPrivate), obj.public.sign))) {
    throw new Tampered("the key file's public keys do not match its private keys");
  }
  return keys;
}
