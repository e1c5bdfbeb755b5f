import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { AGENT_ENROLL_PATH, EnrollResponse } from "@stevedore/protocol";

/** `url` may list several replicas' URLs, comma-separated. */
const Credentials = z.object({ url: z.string(), hostId: z.string(), credential: z.string() });
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
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await fs.open(tmp, "w", 0o600);
  try {
    await handle.writeFile(JSON.stringify(creds, null, 2) + "\n");
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(tmp, file);
  const parent = await fs.open(dir, "r");
  await parent.sync().finally(() => parent.close());
}

export class EnrollmentError extends Error {}

/** Exchanges a one-time join token for this host's own long-lived credential, at the first URL that answers. */
export async function enroll(url: string, token: string, hostname: string): Promise<Credentials> {
  const urls = controlPlaneUrls(url);
  for (const [i, u] of urls.entries()) {
    try {
      return { ...(await enrollAt(u, token, hostname)), url: urls.join(",") };
    } catch (err) {
      // A refusal is final; an unreachable replica is not, while another is left to try.
      if (err instanceof EnrollmentError || i === urls.length - 1) throw err;
    }
  }
  throw new EnrollmentError("no control plane URL to enroll with");
}

async function enrollAt(url: string, token: string, hostname: string): Promise<Omit<Credentials, "url">> {
  const res = await fetch(new URL(AGENT_ENROLL_PATH, url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token, hostname }),
    signal: AbortSignal.timeout(15_000),
  });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const message = (body as { error?: string } | null)?.error ?? res.statusText;
    throw new EnrollmentError(`enrollment refused (${res.status}): ${message}`);
  }
  const parsed = EnrollResponse.parse(body);
  return { hostId: parsed.hostId, credential: parsed.credential };
}
