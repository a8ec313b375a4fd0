// sitegen basic auth (protection.mode: basic-auth) for Cloudflare Pages and Vercel: every
// request must carry `Authorization: Basic` with the environment's user name and password.
// This file holds no password: only a salted PBKDF2-SHA256 hash of "user:password", which
// each request's credentials are hashed to and compared with in constant time. A header
// that passed is remembered by this instance, so only its first request pays the hash.
const AUTH = /*SITEGEN_AUTH*/{};
const passed = new Set();
const encoder = new TextEncoder();

function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
  return bytes;
}

async function hash(credentials) {
  const base = await crypto.subtle.importKey("raw", encoder.encode(credentials), "PBKDF2",
    false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256",
    salt: fromBase64(AUTH.salt), iterations: AUTH.iterations }, base, 256);
  return new Uint8Array(bits);
}

function same(a, b) {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) { diff |= a[i] ^ b[i]; }
  return diff === 0;
}

export async function authorized(request) {
  const header = request.headers.get("authorization") || "";
  const match = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  if (!match) { return false; }
  if (passed.has(match[1])) { return true; }
  let credentials;
  try {
    credentials = new TextDecoder("utf-8", { fatal: true }).decode(fromBase64(match[1]));
  } catch (error) {
    return false;
  }
  if (credentials.indexOf(":") < 0) { return false; }
  const ok = same(await hash(credentials), fromBase64(AUTH.hash));
  if (ok) {
    if (passed.size > 64) { passed.clear(); }
    passed.add(match[1]);
  }
  return ok;
}

export function challenge() {
  return new Response("Authentication required.\n", { status: 401, headers: {
    "WWW-Authenticate": `Basic realm="${AUTH.realm}", charset="UTF-8"`,
    "X-Robots-Tag": AUTH.robots, "Cache-Control": "no-store",
    "Content-Type": "text/plain; charset=utf-8" } });
}
