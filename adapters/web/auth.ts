// Who may use the playground's API. On 127.0.0.1 (the default) the page is for whoever sits at
// this machine, and the Host header must name a loopback address (so a web page elsewhere cannot
// reach it by DNS rebinding). Bound anywhere else, every API call must carry the printed token,
// compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/** A loopback name or 127.x.y.z exactly: "127.0.0.1.attacker.example" is not one. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

export function newToken(): string {
  return randomBytes(24).toString("base64url");
}

/** Equal in constant time: both sides are hashed first, so even lengths do not leak. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The Host header's name without the port ("127.0.0.1:4321" → "127.0.0.1", "[::1]:80" → "[::1]"). */
export function hostName(header: string | undefined): string {
  if (!header) return "";
  if (header.startsWith("[")) return header.slice(0, header.indexOf("]") + 1);
  return header.split(":")[0] ?? "";
}
