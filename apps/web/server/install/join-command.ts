import os from "node:os";
import { CA_CERT_PATH, insecureUrlMessage, isInsecureUrl, isLoopbackHost } from "@stevedore/protocol";
import { INSTALL_SCRIPT_PATH } from "./agent-install";

export interface JoinCommands {
  /** The one-line install (systemd). */
  command: string;
  /** The agent as a container. */
  containerCommand: string;
  /** The CA pin the lines carry, to compare by eye; null when agents trust the system's CAs. */
  caPin: string | null;
  /** Why agents will refuse this control plane's URL, when they will. */
  warning: string | null;
  /**
   * Set when the URL names this machine's loopback (the default): only an agent on this machine can
   * reach it. `addresses` are this machine's other addresses, as PUBLIC_URL values to choose from.
   */
  loopback: { addresses: string[] } | null;
}

/** This machine's addresses other machines might reach, as URLs with the control plane's port and scheme. */
export function reachableUrls(url: string, interfaces = os.networkInterfaces()): string[] {
  const { protocol, port } = new URL(url);
  return Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((a) => !a.internal && !(a.family === "IPv6" && a.address.startsWith("fe80:")))
    .map((a) => `${protocol}//${a.family === "IPv6" ? `[${a.address}]` : a.address}${port ? `:${port}` : ""}`);
}

/**
 * The lines Add host shows. What the host must trust travels in the line itself, not in what the
 * server sends: the CA pin and the bundle's digest. With a pin, the line first fetches the CA
 * without verifying (nothing is trusted yet, nothing secret is sent), checks its public key's
 * SHA-256 against the pin with openssl, and only then fetches the script over TLS verified by it,
 * so a self-signed control plane is as safe to install from as one with a public certificate.
 */
export function joinCommands(opts: { publicUrl: string; token: string; caPin: string | null; bundleSha256: string | null }): JoinCommands {
  const { publicUrl: url, token } = opts;
  const caPin = url.startsWith("https://") ? opts.caPin : null;
  const digest = opts.bundleSha256 ? ` --bundle-sha256 ${opts.bundleSha256}` : "";
  let command: string;
  if (caPin) {
    const hex = caPin.slice("sha256:".length);
    const spkiSha256 = `openssl x509 -in "$ca" -noout -pubkey | openssl pkey -pubin -outform der | sha256sum | cut -d' ' -f1`;
    command =
      `ca=$(mktemp) && curl -fsSLk -o "$ca" ${url}${CA_CERT_PATH} && ` +
      `if [ "$(${spkiSha256})" = ${hex} ]; then curl -fsSL --cacert "$ca" ${url}${INSTALL_SCRIPT_PATH} | sudo sh -s -- --join ${token} --ca-pin ${caPin} --ca-file "$ca"${digest}; ` +
      `else echo "stevedore: the CA at ${url} does not match the pin ${caPin}: not installing" >&2; fi; rm -f "$ca"`;
  } else {
    command = `curl -fsSL ${url}${INSTALL_SCRIPT_PATH} | sudo sh -s -- --join ${token}${digest}`;
  }
  const containerCommand =
    "docker run -d --name stevedore-agent --restart unless-stopped -v /var/run/docker.sock:/var/run/docker.sock -v stevedore-agent:/var/lib/stevedore-agent " +
    `stevedore-agent --hostname "$(hostname)" --url ${url} --join ${token}${caPin ? ` --ca-pin ${caPin}` : ""}`;
  const loopback = isLoopbackHost(new URL(url).hostname) ? { addresses: reachableUrls(url) } : null;
  return { command, containerCommand, caPin, warning: isInsecureUrl(url) ? `Agents will refuse this control plane: ${insecureUrlMessage(url)} (the installer takes --insecure-http too).` : null, loopback };
}
