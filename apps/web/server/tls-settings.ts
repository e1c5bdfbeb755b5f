import { X509Certificate, createHash, createPrivateKey } from "node:crypto";
import fs from "node:fs";

/**
 * TLS on the control plane itself (`TLS_CERT_FILE` + `TLS_KEY_FILE`), and the CA agents pin
 * (`--ca-pin` in Add host): `TLS_CA_FILE` when set (TLS ends at a proxy, or a chain without its
 * root), else the root at the end of `TLS_CERT_FILE`'s chain when the file holds it (a self-signed
 * certificate is its own root). A chain that ends below a public root gives no pin: agents trust
 * the system's CAs then, as browsers do.
 */
export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}
export interface AgentCa {
  /** Served at /install/ca.pem. */
  pem: string;
  /** `sha256:` + hex SHA-256 of the certificate's SubjectPublicKeyInfo (DER). */
  pin: string;
}

/** A chain file holds a few certificates; anything near this is not one. */
const MAX_PEM_BYTES = 1024 * 1024;

export function caPinOf(cert: X509Certificate): string {
  return `sha256:${createHash("sha256").update(cert.publicKey.export({ type: "spki", format: "der" })).digest("hex")}`;
}

export type TlsSettings = { ok: true; tls: TlsFiles | undefined; agentCa: AgentCa | undefined } | { ok: false; issues: string[] };

export function readTlsSettings(env: { TLS_CERT_FILE?: string; TLS_KEY_FILE?: string; TLS_CA_FILE?: string }): TlsSettings {
  const issues: string[] = [];
  const certFile = env.TLS_CERT_FILE || undefined;
  const keyFile = env.TLS_KEY_FILE || undefined;
  const caFile = env.TLS_CA_FILE || undefined;
  if (Boolean(certFile) !== Boolean(keyFile)) {
    const [set, unset] = certFile ? ["TLS_CERT_FILE", "TLS_KEY_FILE"] : ["TLS_KEY_FILE", "TLS_CERT_FILE"];
    return { ok: false, issues: [`${unset}: ${set} is set, so ${unset} must be too (the certificate chain and its private key, PEM, or neither)`] };
  }
  let tls: TlsFiles | undefined;
  let chain: X509Certificate[] = [];
  if (certFile && keyFile) {
    const cert = readPem("TLS_CERT_FILE", certFile, issues);
    const key = readPem("TLS_KEY_FILE", keyFile, issues);
    if (cert && key) {
      chain = certificates("TLS_CERT_FILE", certFile, cert, issues);
      const privateKey = parseKey(keyFile, key, issues);
      if (chain[0] && privateKey && !chain[0].checkPrivateKey(privateKey)) issues.push(`TLS_KEY_FILE: ${keyFile} is not the private key of the first certificate in TLS_CERT_FILE`);
      tls = { cert, key };
    }
  }
  let agentCa: AgentCa | undefined;
  if (caFile) {
    const pem = readPem("TLS_CA_FILE", caFile, issues);
    const ca = pem ? certificates("TLS_CA_FILE", caFile, pem, issues)[0] : undefined;
    if (ca && !isSelfSigned(ca)) issues.push(`TLS_CA_FILE: ${caFile} must be the root CA certificate (self-signed) agents pin, not ${ca.subject.replaceAll("\n", ", ")}, which ${ca.issuer.replaceAll("\n", ", ")} issued`);
    const last = chain.at(-1);
    if (ca && last && !(last.fingerprint256 === ca.fingerprint256 || (last.checkIssued(ca) && last.verify(ca.publicKey)))) {
      issues.push(`TLS_CA_FILE: the chain in TLS_CERT_FILE does not end at this CA (its last certificate was issued by ${last.issuer.replaceAll("\n", ", ")}): agents pinning it would refuse the server`);
    }
    if (ca) agentCa = { pem: ca.toString(), pin: caPinOf(ca) };
  } else {
    const root = chain.at(-1);
    if (root && isSelfSigned(root)) agentCa = { pem: root.toString(), pin: caPinOf(root) };
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, tls, agentCa };
}

function readPem(name: string, file: string, issues: string[]): Buffer | null {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    issues.push(`${name}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    return null;
  }
  if (bytes.length <= MAX_PEM_BYTES) return bytes;
  issues.push(`${name}: ${file} is over ${MAX_PEM_BYTES} bytes, not a PEM certificate chain or key`);
  return null;
}

function certificates(name: string, file: string, pem: Buffer, issues: string[]): X509Certificate[] {
  const blocks = pem.toString("utf8").match(/-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g) ?? [];
  const certs: X509Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      certs.push(new X509Certificate(block));
    } catch (err) {
      issues.push(`${name}: certificate ${i + 1} in ${file} does not parse (${(err as Error).message})`);
    }
  }
  if (blocks.length === 0) issues.push(`${name}: ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return certs;
}

function parseKey(file: string, pem: Buffer, issues: string[]) {
  try {
    return createPrivateKey(pem);
  } catch (err) {
    issues.push(`TLS_KEY_FILE: ${file} is not an unencrypted PEM private key (${(err as Error).message})`);
    return null;
  }
}

function isSelfSigned(cert: X509Certificate): boolean {
  return cert.checkIssued(cert) && cert.verify(cert.publicKey);
}
