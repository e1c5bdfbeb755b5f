import type http from "node:http";
import { z } from "zod";
import type { AuditEntry } from "../../src/generated/prisma/client";
import { CallerAccess } from "../access/caller-access";
import { actorOf, authenticate } from "../authenticate";
import { DomainError } from "../domain-error";
import type { Services } from "../services";
import { AuditQuery } from "./audit-log";
import { audited } from "./audited";
import { sendJson } from "../http-json";
import { assertEnrolled } from "../two-factor/enrolment-gate";

/** The most AuditQuery allows per page; the export walks the cursor with pages of this size. */
const BATCH = 500;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const isoDate = z
  .string()
  .refine((s) => ISO_DATE.test(s) && !Number.isNaN(Date.parse(s)), "must be an ISO 8601 date-time, like 2025-01-31T09:00:00Z")
  .transform((s) => new Date(s));

/** The list filters, as they arrive in a query string: everything but paging, with dates as ISO text. */
const ExportFilters = AuditQuery.omit({ cursor: true, limit: true }).extend({ from: isoDate.optional(), to: isoDate.optional() });
type ExportFilters = z.output<typeof ExportFilters>;

const FORMATS = {
  csv: { contentType: "text/csv; charset=utf-8", extension: "csv" },
  jsonl: { contentType: "application/jsonl; charset=utf-8", extension: "jsonl" },
} as const;
type Format = keyof typeof FORMATS;

export const CSV_COLUMNS = [
  "seq", "at", "requestId", "phase", "action", "actorType", "actorName", "sourceIp", "userAgent",
  "hostName", "hostId", "targetType", "targetName", "targetId", "params", "error", "hash", "prevHash",
] as const satisfies readonly (keyof AuditEntry)[];

/**
 * One RFC 4180 field: quoted only when it holds a comma, a quote or a line break; quotes doubled. Text
 * a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe: a user
 * agent or container name is attacker-chosen.
 */
export function csvField(value: string | number | Date | null): string {
  if (value === null) return "";
  let s = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const csvRow = (fields: (string | number | Date | null)[]) => `${fields.map(csvField).join(",")}\r\n`;

const FORMAT_LINE: Record<Format, { header: string; line(e: AuditEntry): string }> = {
  csv: { header: csvRow([...CSV_COLUMNS]), line: (e) => csvRow(CSV_COLUMNS.map((c) => e[c])) },
  // Every field as stored (params stays the JSON text the hash covers), so the chain can be re-checked.
  jsonl: { header: "", line: (e) => `${JSON.stringify(e)}\n` },
};

type Parsed = { ok: true; format: Format; filters: ExportFilters } | { ok: false; error: string };

export function parseExportQuery(search: URLSearchParams): Parsed {
  const format = search.get("format");
  if (format !== "csv" && format !== "jsonl") return { ok: false, error: `format must be csv or jsonl, not ${JSON.stringify(format ?? "")}` };
  // An empty parameter (`host=`) means "no filter", as it does in the page's URL.
  const raw = Object.fromEntries(Object.keys(ExportFilters.shape).flatMap((k) => (search.get(k) ? [[k, search.get(k)]] : [])));
  const parsed = ExportFilters.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
  }
  return { ok: true, format, filters: parsed.data };
}

/** Writes a chunk; when the socket's buffer is full, waits for it to drain (or for the client to go away). */
async function write(res: http.ServerResponse, chunk: string): Promise<void> {
  if (res.write(chunk)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/**
 * GET /api/audit/export?format=csv|jsonl&<the Audit page's filters>: every matching entry, newest
 * first, streamed page by page so a long trail never sits in memory. Entries appended during the
 * export are newer than its first page, so they are left out and the file is one consistent cut.
 */
export async function handleAuditExport(req: http.IncomingMessage, res: http.ServerResponse, services: Services): Promise<void> {
  if (req.method !== "GET") return sendJson(res, 405, { error: "GET only" });
  const auth = await authenticate(services, req);
  if (!auth.user) throw new DomainError("unauthorized", auth.refusedToken?.reason ?? "sign in first");
  await assertEnrolled(services, auth.user, "audit.export");
  const query = parseExportQuery(new URL(req.url ?? "/", "http://localhost").searchParams);
  if (!query.ok) return sendJson(res, 400, { error: query.error });
  // A non-admin's export holds what their list shows: entries about the hosts they see.
  const scope = new CallerAccess(auth.user, services.fleet).auditScope();

  const { contentType, extension } = FORMATS[query.format];
  const { header, line } = FORMAT_LINE[query.format];
  res.writeHead(200, {
    "content-type": contentType,
    "content-disposition": `attachment; filename="stevedore-audit-${new Date().toISOString().slice(0, 10)}.${extension}"`,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  // Taking a copy of the trail away is itself in the trail, with how much was taken.
  await audited(
    services.audit,
    { actor: actorOf({ ...auth, user: auth.user }), action: "audit.export", targetType: "audit", targetName: query.format, params: { filters: query.filters, scope: scope === undefined ? "all" : scope === "hosts" ? "hosts" : scope.length } },
    async () => {
      let entries = 0;
      if (header) await write(res, header);
      let cursor: number | undefined;
      do {
        const page = await services.audit.list({ ...query.filters, cursor, limit: BATCH }, scope);
        if (res.destroyed) break; // the client went away: stop reading the database for no one
        if (page.items.length > 0) await write(res, page.items.map(line).join(""));
        entries += page.items.length;
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined && !res.destroyed);
      return { entries, complete: !res.destroyed };
    },
    ({ entries, complete }) => ({ params: { filters: query.filters, entries }, error: complete ? null : `the client went away after ${entries} entries` }),
  );
  // Ended once the trail says so, so a client that has the whole file finds the export recorded.
  res.end();
}
