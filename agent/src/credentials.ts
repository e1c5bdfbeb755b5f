import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { AGENT_ENROLL_PATH, CaPin, EnrollResponse } from "@stevedore/protocol";
import { type Trust, isCertificateError, requestControlPlane } from "./control-plane-http";

/**
 * `url` may list several replicas' URLs, comma-separated. `caPin`: the control plane's CA the host
 * was enrolled with (its certificate is kept beside this file), so every reconnect trusts only it.
 */
const Credentials = z.object({ url: z.string(), hostId: z.string(), credential: z.string(), caPin: CaPin.optional() });
export type Credentials = z.infer<typeof Credentials>;

export function controlPlaneUrls(url: string): string[] {
  return url.split(",").map((u) => u.trim()).filter(Boolean);
}

export async function readCredentials(file: string): Promise<Credentials | null> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  const parsed = Credentials.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`credentials file ${file} is not valid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * Written to a temporary file with mode 0600, flushed to disk and renamed, so no reader ever sees a
 * partial or world-readable file, and a rotated credential survives a power cut once this resolves.
 */
export async function writeCredentials(file: string, creds: Credentials): Promise<void> {
  await writePrivateFile(file, JSON.stringify(creds, null, 2) + "\n");
}

export async function writePrivateFile(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await fs.open(tmp, "w", 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
  const parent = await fs.open(dir, "r");
  await parent.sync().finally(() => parent.close());
}

export class EnrollmentError extends Error {}

/**
 * Exchanges a one-time join token for this host's own long-lived credential, at the first URL that
 * answers. With a pinned CA (`trust.ca`) the token goes only to a server whose chain ends at it.
 */
export async function enroll(url: string, token: string, hostname: string, trust: Trust = {}): Promise<Omit<Credentials, "caPin">> {
  const urls = controlPlaneUrls(url);
  for (const [i, u] of urls.entries()) {
    try {
      return { ...(await enrollAt(u, token, hostname, trust)), url: urls.join(",") };
    } catch (err) {
      // A refusal is final; an unreachable replica is not, while another is left to try.
      if (err instanceof EnrollmentError) throw err;
      if (i < urls.length - 1) continue;
      if (isCertificateError(err)) {
        throw new EnrollmentError(`${u}: the control plane's TLS certificate is not trusted (${(err as Error).message}); if it comes from a private CA, pass the --ca-pin shown in "Add host"`);
      }
      throw err;
    }
  }
  throw new EnrollmentError("no control plane URL to enroll with");
}

async function enrollAt(url: string, token: string, hostname: string, trust: Trust): Promise<Pick<Credentials, "hostId" | "credential">> {
  const res = await requestControlPlane(new URL(AGENT_ENROLL_PATH, url), { method: "POST", json: { token, hostname }, trust });
  let body: unknown = null;
  try {
    body = JSON.parse(res.body.toString("utf8"));
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  if (res.status < 200 || res.status > 299) {
    const message = (body as { error?: string } | null)?.error ?? res.statusText;
    throw new EnrollmentError(`enrollment refused (${res.status}): ${message}`);
  }
  const parsed = EnrollResponse.parse(body);
  return { hostId: parsed.hostId, credential: parsed.credential };
}
