import { z } from "zod";

/**
 * How an agent may reach its control plane. Plain http carries the host's credential and every
 * command (root on the host) in clear text, so it is allowed only to this machine itself; anything
 * else needs TLS, or the agent owner's explicit `--insecure-http`.
 */

/** Where the control plane serves the CA certificate agents pin (public: a certificate is no secret). */
export const CA_CERT_PATH = "/install/ca.pem";

/** `sha256:` and the hex SHA-256 of the CA certificate's SubjectPublicKeyInfo (DER), as `--ca-pin` takes it. */
export const CA_PIN_PATTERN = /^sha256:[0-9a-f]{64}$/;
export const CaPin = z
  .string()
  .max(80)
  .transform((v) => v.trim().toLowerCase())
  .pipe(z.string().regex(CA_PIN_PATTERN, "must be sha256: and 64 hex digits (the CA pin shown in Add host)"));

/**
 * 127.0.0.0/8, ::1 and `localhost`, as a WHATWG URL's hostname spells them (IPv6 in brackets).
 * Anything looser (a name that merely resolves to 127.0.0.1) could be pointed elsewhere by DNS.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host === "[::1]" || host === "::1") return true;
  const octets = host.split(".");
  return octets.length === 4 && octets[0] === "127" && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

/** True for an http:// URL to anything but this machine: the connection can be read and altered on the way. */
export function isInsecureUrl(url: string): boolean {
  const parsed = URL.canParse(url) ? new URL(url) : null;
  return parsed?.protocol === "http:" && !isLoopbackHost(parsed.hostname);
}

/** What to say when an agent or the installer is given such a URL: why, how to fix it, and the escape hatch. */
export function insecureUrlMessage(url: string): string {
  return (
    `${url} is plain http to an address other than this machine: anyone on the way could read this host's credential and command it as root. ` +
    "Give the control plane TLS (PUBLIC_URL=https://… behind a TLS proxy, or TLS_CERT_FILE and TLS_KEY_FILE on the control plane itself) and use its https:// URL, " +
    "or pass --insecure-http to accept the risk"
  );
}
