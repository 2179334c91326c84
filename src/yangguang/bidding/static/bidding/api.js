// Small helpers shared by the bidding pages: JSON calls to /api/v1/bidding with the session and CSRF token.
export const API = "/api/v1/bidding";

export function csrf() {
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

export async function call(method, path, body, headers = {}) {
  const init = { method, credentials: "same-origin", headers: { "X-CSRFToken": csrf(), ...headers } };
  if (body instanceof Uint8Array || body instanceof Blob) {
    init.body = body;
    init.headers["Content-Type"] = "application/octet-stream";
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  const response = await fetch(API + path, init);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.message || data.detail || `HTTP ${response.status}`);
    error.code = data.code;
    throw error;
  }
  return data;
}

export function say(text, bad = false) {
  const el = document.getElementById("status");
  if (!el) return;
  el.textContent = text;
  el.className = bad ? "error" : "ok";
}

export async function readText(input) {
  const file = input.files && input.files[0];
  if (!file) throw new Error(document.documentElement.lang.startsWith("zh") ? "请选择密钥文件" : "Choose your key file");
  return await file.text();
}
