import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type ChainRow, type CheckpointClaim, ChainVerifier, GENESIS_HASH, type HashedRow, entryHash, keyedEntryHash } from "../../server/audit/audit-chain";
import { parseCheckpointLine, signCheckpoint } from "../../server/audit/audit-checkpoint";
import { deriveAuditKeys } from "../../server/audit/audit-key";
import { FileWitness } from "../../server/audit/audit-witness";
import { witnessSummary } from "../../src/lib/audit-verify-summary";

const keys = deriveAuditKeys("the-audit-key-of-these-unit-tests-0123456789");
const otherKeys = deriveAuditKeys("another-installation-s-audit-key-0123456789");

function content(i: number): HashedRow {
  return {
    id: `aud_${i}`, at: new Date(Date.UTC(2026, 11, 3, 9, 0, i)), requestId: `req_${i}`, phase: "succeeded", action: "container.stop",
    actorType: "user", actorId: "u1", actorName: "alice@example.com", sourceIp: null, userAgent: null, hostId: "h1", hostName: "node-1",
    targetType: "container", targetId: `c${i}`, targetName: `web-${i}`, params: null, error: null,
  };
}

/** A chain as the application writes it: the first `legacy` entries with SHA-256 links, the rest keyed. */
function chain(n: number, legacy = 0, k = keys): ChainRow[] {
  const rows: ChainRow[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const row = content(seq);
    const keyed = seq > legacy;
    const hash = keyed ? keyedEntryHash(k, prevHash, row) : entryHash(prevHash, row);
    rows.push({ ...row, seq, prevHash, hash, keyed });
    prevHash = hash;
  }
  return rows;
}

function claimAt(rows: ChainRow[], seq: number, where = "test line 1"): CheckpointClaim {
  const firstKeyed = rows.find((r) => r.keyed && r.seq <= seq)?.seq;
  return { v: 1, seq, head: rows.find((r) => r.seq === seq)!.hash, count: rows.filter((r) => r.seq <= seq).length, keyedFrom: firstKeyed ?? seq + 1, at: "2026-12-03T09:10:00.000Z", where };
}

function verify(rows: ChainRow[], claims: CheckpointClaim[] = []) {
  const v = new ChainVerifier(keys, claims);
  for (const r of rows) {
    const b = v.add(r);
    if (b) return b;
  }
  return v.end() ?? v.result;
}

describe("the keyed audit chain (pure)", () => {
  it("links with HMAC under the key: another key's chain, or the SHA-256 of the same input, does not verify", () => {
    const row = content(1);
    expect(keyedEntryHash(keys, GENESIS_HASH, row)).toMatch(/^[0-9a-f]{64}$/);
    expect(keyedEntryHash(keys, GENESIS_HASH, row)).not.toBe(entryHash(GENESIS_HASH, row));
    expect(keyedEntryHash(keys, GENESIS_HASH, row)).not.toBe(keyedEntryHash(otherKeys, GENESIS_HASH, row));
    expect(verify(chain(5))).toEqual({ checked: 5, head: chain(5)[4]!.hash, lastSeq: 5, keyedFrom: 1 });
    expect(verify(chain(5, 0, otherKeys))).toEqual({ seq: 1, reason: expect.stringMatching(/does not match its keyed hash/) });
  });

  it("verifies unkeyed entries from before the key, then keyed ones linked to the last of them", () => {
    const rows = chain(8, 3);
    expect(rows[3]!.prevHash).toBe(rows[2]!.hash);
    expect(verify(rows)).toMatchObject({ checked: 8, keyedFrom: 4 });
  });

  it("reports an unkeyed entry after a keyed one, even with a correct SHA-256 link", () => {
    const rows = chain(5);
    const forged = content(6);
    rows.push({ ...forged, seq: 6, prevHash: rows[4]!.hash, hash: entryHash(rows[4]!.hash, forged), keyed: false });
    expect(verify(rows)).toEqual({ seq: 6, reason: expect.stringMatching(/^not keyed, after keyed entries \(from #1\)/) });
  });

  it("reports a whole chain rewritten as unkeyed SHA-256 links at the first entry a checkpoint says is keyed", () => {
    const rows = chain(6, 2);
    const claim = claimAt(rows, 5);
    // The attacker, without the key, recomputes every link from the genesis as plain SHA-256.
    let prevHash = GENESIS_HASH;
    const rewritten = rows.map((r) => {
      const hash = entryHash(prevHash, r);
      const row = { ...r, prevHash, hash, keyed: false };
      prevHash = hash;
      return row;
    });
    expect(verify(rewritten)).toMatchObject({ checked: 6 }); // without a checkpoint it would pass as legacy
    expect(verify(rewritten, [claim])).toEqual({ seq: 3, reason: expect.stringMatching(/^not keyed, but the checkpoint of 2026-12-03T09:10:00.000Z \(test line 1\) says every entry from #3 on is/) });
  });

  it("holds the chain to each checkpoint: replaced, removed, truncated, recounted", () => {
    const rows = chain(10);
    const claims = [claimAt(rows, 4), claimAt(rows, 7, "test line 2")];
    expect(verify(rows, claims)).toMatchObject({ checked: 10 });
    expect(verify(rows, [...claims, { ...claims[0]!, where: "another replica's line" }])).toMatchObject({ checked: 10 });

    expect(verify(rows, [{ ...claims[1]!, head: "ab".repeat(32) }])).toEqual({ seq: 7, reason: expect.stringMatching(/^not the entry the checkpoint .* names \(hash ababababab/) });
    expect(verify(rows.filter((r) => r.seq !== 7), claims)).toEqual({ seq: 7, reason: expect.stringMatching(/^missing: .*there is no entry #7/) });
    expect(verify(rows.slice(0, 5), claims)).toEqual({ seq: 7, reason: "truncated: the chain ends at #5 (5 entries), but the checkpoint of 2026-12-03T09:10:00.000Z (test line 2) says it reached #7 (7 entries)" });
    expect(verify([], claims)).toEqual({ seq: 4, reason: expect.stringMatching(/^truncated: the chain is empty, but .* #4 and the newest, of .*, #7 \(7 entries\)/) });
    expect(verify(rows, [{ ...claims[0]!, count: 6 }])).toEqual({ seq: 4, reason: expect.stringMatching(/counted 6 entries up to here, the chain has 4: entries before it were removed/) });
  });

  it("reports an edit, a removal and a swap at their position", () => {
    const rows = chain(6);
    expect(verify(rows.map((r) => (r.seq === 3 ? { ...r, actorName: "mallory@example.com" } : r)))).toEqual({ seq: 3, reason: expect.stringMatching(/does not match its keyed hash/) });
    expect(verify(rows.filter((r) => r.seq !== 3))).toEqual({ seq: 4, reason: expect.stringMatching(/does not link/) });
    const swapped = rows.map((r) => (r.seq === 2 ? { ...rows[2]!, seq: 2 } : r.seq === 3 ? { ...rows[1]!, seq: 3 } : r));
    expect(verify(swapped)).toEqual({ seq: 2, reason: expect.stringMatching(/does not link/) });
  });
});

describe("signed checkpoints (pure)", () => {
  const signed = signCheckpoint(keys, { seq: 12, head: "cd".repeat(32), count: 11, keyedFrom: 3, at: "2026-12-03T09:00:00.000Z" });

  it("parse back with the key, and only with it", () => {
    expect(parseCheckpointLine(keys, JSON.stringify(signed))).toEqual({ ok: true, checkpoint: signed });
    expect(parseCheckpointLine(otherKeys, JSON.stringify(signed))).toEqual({ ok: false, reason: expect.stringMatching(/signature is not the audit key's .* claims entry #12/) });
    // Any field changed after signing (here the count) breaks the signature.
    expect(parseCheckpointLine(keys, JSON.stringify({ ...signed, count: 12 }))).toMatchObject({ ok: false, reason: expect.stringMatching(/signature/) });
  });

  it("reject what is not a checkpoint, saying why, without throwing", () => {
    expect(parseCheckpointLine(keys, "{oops")).toEqual({ ok: false, reason: "not JSON: not a checkpoint" });
    expect(parseCheckpointLine(keys, JSON.stringify({ ...signed, extra: 1 }))).toMatchObject({ ok: false, reason: expect.stringMatching(/^not a checkpoint/) });
    expect(parseCheckpointLine(keys, JSON.stringify({ ...signed, head: "xyz" }))).toMatchObject({ ok: false, reason: expect.stringMatching(/head: must be 64 hex digits/) });
    expect(parseCheckpointLine(keys, "x".repeat(5000))).toMatchObject({ ok: false, reason: expect.stringMatching(/longer than 1024/) });
    expect(parseCheckpointLine(keys, "null")).toMatchObject({ ok: false });
  });
});

describe("the file witness", () => {
  it("appends lines (0600) and reads them back numbered, cutting a line without end short", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stv-witness-"));
    const witness = new FileWitness(path.join(dir, "audit-checkpoints.jsonl"));
    expect(await witness.last()).toBeNull();
    const read = async () => {
      const out: { line: number; text: string }[] = [];
      for await (const l of witness.lines()) out.push(l);
      return out;
    };
    expect(await read()).toEqual([]);
    await witness.write("first");
    await witness.write("second");
    expect(fs.statSync(witness.file).mode & 0o777).toBe(0o600);
    fs.appendFileSync(witness.file, `\n${"y".repeat(300_000)}\nthird\n${"z".repeat(5000)}`);
    const lines = await read();
    expect(lines.map((l) => [l.line, l.text.length])).toEqual([[1, 5], [2, 6], [4, 1025], [5, 5], [6, 1025]]);
    expect(await witness.last()).toBe("z".repeat(2048));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("the audit page's words for the checkpoints", () => {
  it("says how far the checkpoints reach, and warns about lines not signed with the key", () => {
    const none = { checked: 0, newest: null, rejected: [], rejectedCount: 0 };
    expect(witnessSummary(none, true)).toEqual({ text: expect.stringMatching(/^No checkpoint yet/), warning: null });
    const some = { checked: 3, newest: { seq: 40, at: "2026-12-03T09:00:00.000Z" }, rejected: [], rejectedCount: 0 };
    expect(witnessSummary(some, true).text).toMatch(/^Reaches 3 signed checkpoints, the newest at entry #40 \(/);
    const forged = { ...some, rejected: [{ where: "audit-checkpoints.jsonl line 2", reason: "its signature is not the audit key's" }], rejectedCount: 1 };
    expect(witnessSummary(forged, true).warning).toBe("1 checkpoint line is not signed with the audit key: someone else wrote to the witness (audit-checkpoints.jsonl line 2: its signature is not the audit key's).");
  });
});
