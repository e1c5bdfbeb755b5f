import { execFileSync, execSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PinMismatchError, caFileFor, caPinOf, firstCertificate, loadPinnedCa, pinProblem } from "../src/ca-pin";
import { ConfigError, loadConfig } from "../src/config";

const log = pino({ level: "silent" });
let dir: string;
/** A self-signed certificate for 127.0.0.1 (its own CA), and one unrelated to it. */
let cert: string;
let key: string;
let other: string;
let pin: string;
let otherPin: string;

/** The pin as the Add host line computes it, with openssl: an oracle independent of the agent's code. */
function opensslPin(file: string): string {
  return `sha256:${execSync(`openssl x509 -in '${file}' -noout -pubkey | openssl pkey -pubin -outform der | sha256sum | cut -d' ' -f1`, { encoding: "utf8" }).trim()}`;
}

function selfSigned(name: string): string {
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { cwd: dir, stdio: "ignore" });
  return path.join(dir, `${name}.pem`);
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-agent-tls-"));
  const certFile = selfSigned("server");
  const otherFile = selfSigned("other");
  cert = fs.readFileSync(certFile, "utf8");
  key = fs.readFileSync(path.join(dir, "server.key"), "utf8");
  other = fs.readFileSync(otherFile, "utf8");
  pin = opensslPin(certFile);
  otherPin = opensslPin(otherFile);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the control-plane URL rule", () => {
  const refusal = (url: string, extra: string[] = []) => {
    try {
      loadConfig(["--url", url, ...extra], {});
      return null;
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
  };

  it("allows plain http only to this machine", () => {
    for (const url of ["http://127.0.0.1:3000", "http://127.8.9.10", "http://localhost:3000/", "http://[::1]:3000", "https://10.0.0.5", "https://cp.example.com"]) expect(refusal(url)).toBeNull();
    for (const url of ["http://10.0.0.5:3000", "http://cp.example.com", "http://127.0.0.1.nip.io", "http://localhost.example.com", "http://[::2]", "http://127.0.0.1@evil.example"]) {
      const message = refusal(url);
      expect(message, url).toContain("is plain http to an address other than this machine");
      expect(message).toContain("--url (STEVEDORE_URL)");
      expect(message).toContain("TLS_CERT_FILE and TLS_KEY_FILE");
      expect(message).toContain("--insecure-http");
    }
  });

  it("checks every replica's URL, and takes --insecure-http (or STEVEDORE_INSECURE_HTTP=true) as the owner's choice", () => {
    expect(refusal("https://a.example,http://b.example")).toContain("http://b.example is plain http");
    expect(refusal("http://10.0.0.5:3000", ["--insecure-http"])).toBeNull();
    expect(loadConfig([], { STEVEDORE_URL: "http://10.0.0.5", STEVEDORE_INSECURE_HTTP: "true" }).insecureHttp).toBe(true);
    expect(loadConfig([], { STEVEDORE_URL: "http://10.0.0.5", STEVEDORE_INSECURE_HTTP: "1" }).insecureHttp).toBe(true);
    expect(() => loadConfig([], { STEVEDORE_URL: "http://10.0.0.5", STEVEDORE_INSECURE_HTTP: "false" })).toThrow(/--insecure-http/);
  });

  it("takes a CA pin only as sha256:HEX and only for https URLs", () => {
    expect(loadConfig(["--url", "https://cp.example", "--ca-pin", pin.toUpperCase().replace("SHA256", "sha256")], {}).caPin).toBe(pin);
    expect(loadConfig([], { STEVEDORE_URL: "https://cp.example", STEVEDORE_CA_PIN: pin }).caPin).toBe(pin);
    expect(refusal("https://cp.example", ["--ca-pin", "sha1:abcd"])).toMatch(/caPin: must be sha256: and 64 hex digits/);
    expect(refusal("http://127.0.0.1:3000", ["--ca-pin", pin])).toContain("--ca-pin (STEVEDORE_CA_PIN) pins the control plane's TLS certificate: http://127.0.0.1:3000 must be https://");
  });
});

describe("the CA pin", () => {
  it("is the SHA-256 of the certificate's public key, as openssl computes it", () => {
    expect(caPinOf(firstCertificate(cert)!)).toBe(pin);
    expect(caPinOf(firstCertificate(other)!)).toBe(otherPin);
    expect(pin).not.toBe(otherPin);
    expect(pinProblem(cert, pin, "test")).toBeNull();
    expect(pinProblem(other, pin, "https://cp/install/ca.pem")).toContain(`expected ${pin}, the server presented ${otherPin} (https://cp/install/ca.pem)`);
    expect(pinProblem("<html>not found</html>", pin, "x")).toBe("x is not a PEM certificate");
  });

  describe("fetched from the control plane", () => {
    let server: https.Server;
    let url: string;
    let served: string;
    let fetches = 0;
    beforeAll(async () => {
      served = cert;
      server = https.createServer({ cert, key }, (req, res) => {
        fetches++;
        res.end(req.url === "/install/ca.pem" ? served : "no");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("is fetched once, checked and kept 0600 beside the credentials, then read from there", async () => {
      const caFile = caFileFor(path.join(dir, "match", "credentials.json"));
      expect(caFile).toBe(path.join(dir, "match", "ca.pem"));
      const before = fetches;
      const pem = await loadPinnedCa({ url, pin, caFile, log });
      expect(caPinOf(firstCertificate(pem)!)).toBe(pin);
      expect(fetches).toBe(before + 1);
      expect(fs.statSync(caFile).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(caFile, "utf8")).toBe(pem);
      // Kept: no second fetch, even if the server now presents something else.
      served = other;
      expect(await loadPinnedCa({ url, pin, caFile, log })).toBe(pem);
      expect(fetches).toBe(before + 1);
      served = cert;
    });

    it("refuses a CA that does not hash to the pin, naming both, and keeps nothing", async () => {
      const caFile = caFileFor(path.join(dir, "mismatch", "credentials.json"));
      const refused = loadPinnedCa({ url, pin: otherPin, caFile, log });
      await expect(refused).rejects.toBeInstanceOf(PinMismatchError);
      await expect(refused).rejects.toThrow(`expected ${otherPin}, the server presented ${pin}`);
      expect(fs.existsSync(caFile)).toBe(false);
    });

    it("replaces a kept CA that no longer matches the pin with the server's, if that one matches", async () => {
      const caFile = caFileFor(path.join(dir, "stale", "credentials.json"));
      fs.mkdirSync(path.dirname(caFile), { recursive: true });
      fs.writeFileSync(caFile, other, { mode: 0o600 });
      const pem = await loadPinnedCa({ url, pin, caFile, log });
      expect(caPinOf(firstCertificate(fs.readFileSync(caFile, "utf8"))!)).toBe(pin);
      expect(pem).toBe(fs.readFileSync(caFile, "utf8"));
    });
  });
});
