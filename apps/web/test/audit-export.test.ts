// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../server/audit/audit-log";
import type { AuditEntry } from "../src/generated/prisma/client";
import { type TestStack, signIn, startStack } from "./support/stack";
import type { AuditAction } from "../server/audit/audit-actions";

const alice: Actor = { type: "user", id: "u_alice", name: "alice@example.com", ip: "10.0.0.1", userAgent: "Mozilla/5.0 (X11; Linux)" };
const onHost: Actor = { type: "host", id: null, name: "root@web-1" };
const CONTAINER = "c".repeat(64);
const BULK = 2_500;
const HEADER = "seq,at,requestId,phase,action,actorType,actorName,sourceIp,userAgent,hostName,hostId,targetType,targetName,targetId,params,error,hash,prevHash";

/** A small RFC 4180 reader, so ordering can be checked on files whose fields hold line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted && ch === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (quoted) {
      field += ch;
    } else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else {
      field += ch;
    }
  }
  expect(field === "" && row.length === 0, "the file ends with CRLF").toBe(true);
  return rows;
}

describe("audit export (/api/audit/export)", () => {
  let stack: TestStack;
  let cookie: string;
  const e: AuditEntry[] = [];

  const get = (query: string, withCookie = true) => fetch(`${stack.url}/api/audit/export?${query}`, { headers: withCookie ? { cookie } : {} });
  const csv = async (query: string) => {
    const res = await get(`format=csv&${query}`);
    expect(res.status).toBe(200);
    return res.text();
  };
  /** The entries' sequence numbers, leaving out what the test's own requests add (its sign-in, each export). */
  const seqsOf = (text: string) => parseCsv(text).slice(1).filter((r) => r[4] !== "audit.export" && r[4] !== "auth.sign-in").map((r) => Number(r[0]));

  beforeAll(async () => {
    stack = await startStack();
    const append = stack.cp.services.audit.append.bind(stack.cp.services.audit);
    // Many pages' worth, older than the hand-made entries below. Appended before any request: in this
    // one process, minutes of synchronous SQLite writes can race the server's keep-alive timeout with
    // fetch's idle socket (ECONNRESET), which is about the test harness, not the export.
    // In transactions of 250: the export is under test here, not one commit per entry.
    for (let from = 0; from < BULK; from += 250) {
      const batch = Array.from({ length: Math.min(250, BULK - from) }, (_, k) => from + k);
      await stack.cp.services.audit.appendMany(batch.map((i) => ({ requestId: `req_bulk_${i}`, phase: "succeeded" as const, action: "test.bulk" as AuditAction, actor: alice, at: new Date(Date.UTC(2024, 0, 1, 0, 0, i)), params: { i } })));
    }
    const container = { hostId: "h_web1", hostName: "web-1", targetType: "container", targetName: "api" };
    const runParams = { image: "nginx:1.27", apiToken: "s3cret-value", note: 'a, "quoted"\nline' };
    e.push(await append({ requestId: "req_run", phase: "requested", action: "container.run", actor: alice, at: new Date("2025-01-01T10:00:00.000Z"), ...container, params: runParams }));
    e.push(await append({ requestId: "req_run", phase: "succeeded", action: "container.run", actor: alice, at: new Date("2025-01-01T10:00:05.250Z"), ...container, targetId: CONTAINER, params: runParams }));
    e.push(await append({ requestId: "req_stop", phase: "requested", action: "container.stop", actor: alice, at: new Date("2025-01-01T11:00:00.000Z"), ...container, targetId: CONTAINER, params: { action: "stop", timeoutSeconds: 10 } }));
    e.push(await append({ requestId: "req_stop", phase: "failed", action: "container.stop", actor: alice, at: new Date("2025-01-01T11:00:01.000Z"), ...container, targetId: CONTAINER, error: 'cannot stop container: api: "permission denied"\nretry later' }));
    e.push(await append({ requestId: "req_obs", phase: "observed", action: "container.kill", actor: onHost, at: new Date("2025-01-01T12:00:00.000Z"), ...container, targetId: CONTAINER }));
    cookie = await signIn(stack.url);
  }, 240_000);
  afterAll(async () => {
    await stack.close();
  });

  it("exports every entry as CSV, newest first, with a header row, CRLF lines and RFC 4180 quoting", async () => {
    const res = await get("format=csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="stevedore-audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = await res.text();
    expect(text.startsWith(`${HEADER}\r\n`)).toBe(true);
    const seqs = seqsOf(text);
    expect(seqs).toHaveLength(BULK + 5);
    expect(seqs.slice(0, 6)).toEqual([e[4]!.seq, e[3]!.seq, e[2]!.seq, e[1]!.seq, e[0]!.seq, e[0]!.seq - 1]);

    // The first entry, field by field: the params JSON holds a comma and quotes, so it is quoted with its quotes doubled.
    const first = await csv("phase=requested&action=container.run");
    expect(first).toBe(
      `${HEADER}\r\n` +
        `${e[0]!.seq},2025-01-01T10:00:00.000Z,req_run,requested,container.run,user,alice@example.com,10.0.0.1,Mozilla/5.0 (X11; Linux),web-1,h_web1,container,api,,` +
        `"{""image"":""nginx:1.27"",""apiToken"":""[redacted]"",""note"":""a, \\""quoted\\""\\nline""}",,${e[0]!.hash},${e[0]!.prevHash}\r\n`,
    );
    expect(first).not.toContain("s3cret");
  });

  it("quotes an engine error that holds quotes and a line break, and filters by outcome", async () => {
    const failed = await csv("phase=failed");
    expect(failed).toBe(
      `${HEADER}\r\n` +
        `${e[3]!.seq},2025-01-01T11:00:01.000Z,req_stop,failed,container.stop,user,alice@example.com,10.0.0.1,Mozilla/5.0 (X11; Linux),web-1,h_web1,container,api,${CONTAINER},,` +
        `"cannot stop container: api: ""permission denied""\nretry later",${e[3]!.hash},${e[3]!.prevHash}\r\n`,
    );
    expect(parseCsv(failed)[1]![15]).toBe('cannot stop container: api: "permission denied"\nretry later');
  });

  it("applies action, text, request and time-range filters as the Audit page does", async () => {
    expect(seqsOf(await csv("action=container.run"))).toEqual([e[1]!.seq, e[0]!.seq]);
    expect(seqsOf(await csv("q=permission"))).toEqual([e[3]!.seq]);
    expect(seqsOf(await csv("q=root%40web"))).toEqual([e[4]!.seq]);
    expect(seqsOf(await csv("requestId=req_stop"))).toEqual([e[3]!.seq, e[2]!.seq]);
    expect(seqsOf(await csv("from=2025-01-01T10:30:00Z&to=2025-01-01T11:30:00.000Z"))).toEqual([e[3]!.seq, e[2]!.seq]);
    // Bounds are inclusive, and an offset is honoured (11:00:00+01:00 is 10:00:00Z).
    expect(seqsOf(await csv("from=2025-01-01T00:00:00Z&to=2025-01-01T11:00:00%2B01:00"))).toEqual([e[0]!.seq]);
    expect(seqsOf(await csv("from=2025-01-01T10:00:05.250Z&action=container.run&q=alice"))).toEqual([e[1]!.seq]);
    // An empty parameter is no filter, as in the page's URL.
    expect(seqsOf(await csv("q=&hostId=&phase=&from=2025-01-01T00:00:00Z"))).toHaveLength(5);
    expect(seqsOf(await csv("hostId=h_other"))).toEqual([]);
  });

  it("exports JSON lines: one complete entry per line, the same filters, newest first", async () => {
    const res = await get("format=jsonl&hostId=h_web1&from=2025-01-01T10:00:05Z");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/jsonl; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="stevedore-audit-\d{4}-\d{2}-\d{2}\.jsonl"$/);
    const text = await res.text();
    expect(text.endsWith("\n")).toBe(true);
    const lines = text.trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual([e[4], e[3], e[2], e[1]].map((x) => ({ ...x, at: x!.at.toISOString() })));
    expect(lines[3].params).toBe('{"image":"nginx:1.27","apiToken":"[redacted]","note":"a, \\"quoted\\"\\nline"}');
    expect(lines[0]).toMatchObject({ phase: "observed", actorType: "host", actorId: null, actorName: "root@web-1" });
    // Taking the copy is in the trail: who, the filters, and how many entries went.
    const [done] = (await stack.cp.services.audit.list({ action: "audit.export", phase: "succeeded", limit: 1 })).items;
    expect(done).toMatchObject({ actorName: "admin@stevedore.test", targetName: "jsonl" });
    expect(JSON.parse(done!.params!)).toMatchObject({ filters: { hostId: "h_web1" }, entries: 4 });
  });

  it("refuses a request without a session (401)", async () => {
    const res = await get("format=csv", false);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "sign in first" });
  });

  it("refuses a bad format or filter with 400 and names it", async () => {
    for (const [query, named] of [
      ["format=xml", /format must be csv or jsonl, not "xml"/],
      ["", /format must be csv or jsonl/],
      ["format=csv&from=yesterday", /^from: must be an ISO 8601 date-time/],
      ["format=jsonl&to=2025-13-45T10:00:00Z", /^to: must be an ISO 8601 date-time/],
      ["format=csv&phase=deleted", /^phase: /],
    ] as const) {
      const res = await get(query);
      expect(res.status, query).toBe(400);
      expect((await res.json()).error, query).toMatch(named);
    }
  });

  it("streams every matching entry when there are many pages of them (2,500)", async () => {
    const seqs = seqsOf(await csv("action=test.bulk"));
    expect(seqs).toHaveLength(BULK);
    expect(new Set(seqs).size).toBe(BULK);
    expect(seqs.every((s, i) => i === 0 || s < seqs[i - 1]!)).toBe(true);

    const lines = (await (await get("format=jsonl&action=test.bulk")).text()).trimEnd().split("\n");
    expect(lines).toHaveLength(BULK);
    expect(JSON.parse(lines[0]!).params).toBe(`{"i":${BULK - 1}}`);
    expect(JSON.parse(lines[BULK - 1]!).params).toBe('{"i":0}');
  });

  it("serves a slow reader the same file (the server waits for the socket to drain)", async () => {
    const fast = await csv("");
    const slow = await new Promise<string>((resolve, reject) => {
      http.get(`${stack.url}/api/audit/export?format=csv`, { headers: { cookie } }, (res) => {
        const chunks: Buffer[] = [];
        res.pause();
        setTimeout(() => res.resume(), 500);
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        res.on("error", reject);
      });
    });
    // The same file, but for the trail's records of these exports (each export is audited).
    const withoutExports = (text: string) => text.split("\r\n").filter((l) => !l.includes(",audit.export,") && !l.includes(",auth.sign-in,")).join("\r\n");
    expect(slow.length).toBeGreaterThan(500_000);
    expect(withoutExports(slow)).toBe(withoutExports(fast));
  });

  it("keeps serving after a client goes away mid-download", async () => {
    const abort = new AbortController();
    const res = await fetch(`${stack.url}/api/audit/export?format=jsonl`, { headers: { cookie }, signal: abort.signal });
    await res.body!.getReader().read();
    abort.abort();
    expect(seqsOf(await csv("action=container.run"))).toEqual([e[1]!.seq, e[0]!.seq]);

  });
});

describe("CSV cells", () => {
  it("defuse spreadsheet formulas in text and keep numbers and dates as they are", async () => {
    const { csvField } = await import("../server/audit/audit-export");
    expect(csvField("=HYPERLINK(\"http://x\")")).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("-rf")).toBe("'-rf");
    expect(csvField("web-1")).toBe("web-1");
    expect(csvField(-5)).toBe("-5");
    expect(csvField(new Date("2026-01-01T00:00:00Z"))).toBe("2026-01-01T00:00:00.000Z");
  });
});
