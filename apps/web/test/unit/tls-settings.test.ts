import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../server/config";
import { readTlsSettings } from "../../server/tls-settings";
import { makeTestPki } from "../support/tls";

const pki = makeTestPki();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "stv-tls-config-"));
afterAll(() => {
  pki.remove();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe("TLS on the control plane and the CA agents pin", () => {
  it("listens with https given a chain and its key; PUBLIC_URL defaults to https and the CA at the chain's end is pinned", () => {
    const config = loadConfig({ STEVEDORE_DATA_DIR: dataDir, PORT: "3443", TLS_CERT_FILE: pki.chainFile, TLS_KEY_FILE: pki.keyFile });
    expect(config.publicUrl).toBe("https://127.0.0.1:3443");
    expect(config.tls?.cert.equals(fs.readFileSync(pki.chainFile))).toBe(true);
    expect(config.agentCa?.pin).toBe(pki.ca.pin);
    expect(config.agentCa?.pem.trim()).toBe(fs.readFileSync(pki.ca.cert, "utf8").trim());
    expect(loadConfig({ STEVEDORE_DATA_DIR: dataDir }).publicUrl).toMatch(/^http:\/\//);
  });

  it("pins no CA for a chain that ends below a root it does not hold (a public CA: agents trust the system's)", () => {
    const settings = readTlsSettings({ TLS_CERT_FILE: pki.leafFile, TLS_KEY_FILE: pki.keyFile });
    expect(settings).toMatchObject({ ok: true, agentCa: undefined });
  });

  it("takes TLS_CA_FILE for TLS that ends at a proxy, and refuses one the chain does not end at", () => {
    expect(readTlsSettings({ TLS_CA_FILE: pki.ca.cert })).toMatchObject({ ok: true, tls: undefined, agentCa: { pin: pki.ca.pin } });
    expect(readTlsSettings({ TLS_CERT_FILE: pki.leafFile, TLS_KEY_FILE: pki.keyFile, TLS_CA_FILE: pki.ca.cert })).toMatchObject({ ok: true, agentCa: { pin: pki.ca.pin } });
    const wrong = readTlsSettings({ TLS_CERT_FILE: pki.chainFile, TLS_KEY_FILE: pki.keyFile, TLS_CA_FILE: pki.other.cert });
    expect(wrong.ok).toBe(false);
    expect(!wrong.ok && wrong.issues.join("\n")).toMatch(/TLS_CA_FILE: the chain in TLS_CERT_FILE does not end at this CA/);
    const notRoot = readTlsSettings({ TLS_CA_FILE: pki.leafFile });
    expect(!notRoot.ok && notRoot.issues.join("\n")).toMatch(/TLS_CA_FILE: .* must be the root CA certificate \(self-signed\)/);
  });

  it("names what is wrong: one file without the other, an unreadable file, a key that is not the certificate's, no certificate", () => {
    const base = { STEVEDORE_DATA_DIR: dataDir };
    expect(() => loadConfig({ ...base, TLS_CERT_FILE: pki.chainFile })).toThrow(/TLS_KEY_FILE: TLS_CERT_FILE is set, so TLS_KEY_FILE must be too/);
    expect(() => loadConfig({ ...base, TLS_KEY_FILE: pki.keyFile })).toThrow(/TLS_CERT_FILE: TLS_KEY_FILE is set, so TLS_CERT_FILE must be too/);
    expect(() => loadConfig({ ...base, TLS_CERT_FILE: "/nonexistent/cert.pem", TLS_KEY_FILE: pki.keyFile })).toThrow(/TLS_CERT_FILE: cannot read \/nonexistent\/cert.pem \(ENOENT\)/);
    expect(() => loadConfig({ ...base, TLS_CERT_FILE: pki.chainFile, TLS_KEY_FILE: pki.ca.key })).toThrow(/TLS_KEY_FILE: .* is not the private key of the first certificate in TLS_CERT_FILE/);
    expect(() => loadConfig({ ...base, TLS_CERT_FILE: pki.keyFile, TLS_KEY_FILE: pki.keyFile })).toThrow(/TLS_CERT_FILE: .* holds no PEM certificate/);
    expect(() => loadConfig({ ...base, TLS_CERT_FILE: pki.chainFile, TLS_KEY_FILE: pki.chainFile })).toThrow(/TLS_KEY_FILE: .* is not an unencrypted PEM private key/);
    expect(() => loadConfig({ ...base, TLS_CERT_FILE: pki.chainFile, TLS_KEY_FILE: pki.keyFile })).not.toThrow();
    expect(() => loadConfig({ ...base, TLS_CERT_FILE: "", TLS_KEY_FILE: "" })).not.toThrow();
  });

  it("leaves TLS to the ingress when there are replicas", () => {
    const replicas = { STEVEDORE_DATA_DIR: dataDir, DATABASE_URL: "postgres://x@localhost/db", REDIS_URL: "redis://localhost:6379", AUDIT_KEY: "k".repeat(32), BUS_KEY: "b".repeat(32), SECRETS_KEY: "s".repeat(32) };
    expect(() => loadConfig({ ...replicas, TLS_CERT_FILE: pki.chainFile, TLS_KEY_FILE: pki.keyFile })).toThrow(ConfigError);
    expect(() => loadConfig({ ...replicas, TLS_CERT_FILE: pki.chainFile, TLS_KEY_FILE: pki.keyFile })).toThrow(/terminate TLS at the ingress/);
    expect(loadConfig({ ...replicas, TLS_CA_FILE: pki.ca.cert }).agentCa?.pin).toBe(pki.ca.pin);
  });
});
