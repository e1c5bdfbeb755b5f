import { X509Certificate, createHash } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { CA_CERT_PATH } from "@stevedore/protocol";
import { requestControlPlane } from "./control-plane-http";
import { controlPlaneUrls, writePrivateFile } from "./credentials";

/** A certificate is a few KB; a chain file of hundreds is no CA certificate. */
const MAX_CA_BYTES = 64 * 1024;

/** `sha256:<hex>` of the certificate's SubjectPublicKeyInfo: survives the CA being re-issued with the same key. */
export function caPinOf(certificate: X509Certificate): string {
  return `sha256:${createHash("sha256").update(certificate.publicKey.export({ type: "spki", format: "der" })).digest("hex")}`;
}

/** The first certificate of a PEM text, or null when there is none that parses. */
export function firstCertificate(pem: string): X509Certificate | null {
  const block = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!block) return null;
  try {
    return new X509Certificate(block);
  } catch {
    return null;
  }
}

/** The CA presented is not the one pinned: the agent stops (a restart cannot fix it) and says what it saw. */
export class PinMismatchError extends Error {}

/** Null when `pem` is the pinned CA; otherwise why not, naming both fingerprints. */
export function pinProblem(pem: string, pin: string, from: string): string | null {
  const cert = firstCertificate(pem);
  if (!cert) return `${from} is not a PEM certificate`;
  const presented = caPinOf(cert);
  if (presented === pin) return null;
  return `the CA pin does not match: expected ${pin}, the server presented ${presented} (${from}). Someone may be intercepting this connection, or the control plane's CA changed: compare with the pin in Stevedore's "Add host"`;
}

/** Where the pinned CA's certificate is kept: beside the credentials, 0600 like them. */
export function caFileFor(credentialsFile: string): string {
  return path.join(path.dirname(credentialsFile), "ca.pem");
}

/**
 * The pinned CA's certificate (PEM), to be the only CA trusted for every connection from now on.
 * Kept from an earlier run (or put there by the installer) when it still matches the pin; otherwise
 * fetched once from the control plane without verifying TLS (nothing is trusted yet, and nothing
 * secret is sent) and accepted only if its public key hashes to the pin.
 */
export async function loadPinnedCa(opts: { url: string; pin: string; caFile: string; log: Logger }): Promise<string> {
  const { pin, caFile, log } = opts;
  const kept = await fs.readFile(caFile, "utf8").catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return null;
    throw err;
  });
  if (kept !== null) {
    const problem = pinProblem(kept, pin, caFile);
    if (!problem) return pemOf(kept);
    log.warn({ file: caFile }, "the kept CA certificate does not match --ca-pin; fetching the control plane's again");
  }
  let lastError: unknown = null;
  for (const u of controlPlaneUrls(opts.url)) {
    const source = new URL(CA_CERT_PATH, u);
    let text: string;
    try {
      const res = await requestControlPlane(source, { trust: { unverified: true }, maxBytes: MAX_CA_BYTES });
      if (res.status !== 200) throw new Error(`${source.href} answered ${res.status}${res.status === 404 ? ": this control plane knows no CA to pin (TLS_CERT_FILE with its CA, or TLS_CA_FILE)" : ""}`);
      text = res.body.toString("utf8");
    } catch (err) {
      // An unreachable replica is not a refusal: try the next one listed.
      lastError = err;
      continue;
    }
    const problem = pinProblem(text, pin, source.href);
    if (problem) throw new PinMismatchError(problem);
    await writePrivateFile(caFile, pemOf(text));
    log.info({ pin, file: caFile }, "pinned the control plane's CA");
    return pemOf(text);
  }
  throw new Error(`could not fetch the control plane's CA certificate to check --ca-pin: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
}

/** Only the one certificate checked, whatever else the text held. */
function pemOf(text: string): string {
  return firstCertificate(text)!.toString();
}
