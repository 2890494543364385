// What every part of the portal uses: building elements, calling the API, salted values,
// hex, and files.

export const $ = (id) => document.getElementById(id);

export const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  Object.entries(attrs).forEach(([k, v]) => {
    if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : v);
  });
  children.flat(Infinity).forEach((c) => { if (c !== undefined && c !== null) node.append(c); });
  return node;
};

// The API's answer: {ok, status, answer}; a network failure is an answer too, never a throw.
export const api = async (method, path, body, token) => {
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    const response = await fetch(path, {
      method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({ error: { code: "bad_answer", message: "the server's answer is not JSON" } }));
    return { ok: response.ok, status: response.status, answer };
  } catch (e) {
    return { ok: false, status: 0, answer: { error: { code: "unreachable", message: `the server cannot be reached: ${e.message}` } } };
  }
};

export const problem = (answer) => (answer && answer.error ? answer.error.message : "the server refused");

// API tokens are kept for the tab only (sessionStorage), shared by the pages that write.
export const rememberToken = (input) => {
  input.value = sessionStorage.getItem("corridor-api-token") || "";
  input.addEventListener("input", () => sessionStorage.setItem("corridor-api-token", input.value.trim()));
};

// A salted value ("uuid:type:value") as the issuer wrote it.
export const unsalt = (value) => {
  if (Array.isArray(value)) return value.map(unsalt);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unsalt(v)]));
  }
  if (typeof value !== "string") return value;
  const match = /^[0-9a-f-]{36}:(string|number|boolean|null|undefined):(.*)$/s.exec(value);
  if (!match) return value;
  switch (match[1]) {
    case "number": return Number(match[2]);
    case "boolean": return match[2] === "true";
    case "null": return null;
    case "undefined": return undefined;
    default: return match[2];
  }
};

export const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

// Bytes from hex (with or without 0x), or null if it is not whole bytes of hex.
export const fromHex = (hex) => {
  const digits = hex.trim().replace(/^0x/i, "");
  if (digits.length % 2 || /[^0-9a-f]/i.test(digits)) return null;
  return Uint8Array.from(digits.match(/../g) || [], (b) => parseInt(b, 16));
};

export const saveFile = (name, text) => {
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
};

// The value at a dotted path ("shipper.address.city") of plain data.
export const at = (data, path) => path.split(".").reduce((v, k) => (v === undefined || v === null ? undefined : v[k]), data);

export const putAt = (data, path, value) => {
  const keys = path.split(".");
  const last = keys.pop();
  // A numeric key makes its parent an array: "packages.0.count".
  const parent = keys.reduce((v, k, i) => (v[k] ??= /^\d+$/.test(keys[i + 1] ?? last) ? [] : {}), data);
  parent[last] = value;
};
