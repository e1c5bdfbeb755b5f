// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Recorder } from "../server/terminals/recorder";
import { ViewerRoster } from "../server/terminals/viewer-roster";

describe("who may type into a terminal session", () => {
  it("the owner's tabs are the owner; others are read-only until the owner allows them; only the owner decides", () => {
    const roster = new ViewerRoster("u_owner");
    const owner = roster.connect("u_owner", "owner@x.test");
    const tab = roster.connect("u_owner", "owner@x.test");
    expect(owner).toMatchObject({ first: true, participant: { owner: true, canType: true } });
    expect(tab).toEqual({ first: false, participant: owner.participant });
    const bob = roster.connect("u_bob", "bob@x.test").participant;
    expect(bob).toMatchObject({ owner: false, canType: false });

    expect(roster.allow(bob, bob.viewerId, true)).toEqual({ ok: false, reason: expect.stringContaining("only the user who opened") });
    expect(roster.allow(owner.participant, owner.participant.viewerId, false)).toEqual({ ok: false, reason: expect.stringContaining("always may type") });
    expect(roster.allow(owner.participant, "v_nosuchviewer123", true)).toMatchObject({ ok: false });
    expect(roster.allow(owner.participant, bob.viewerId, true)).toMatchObject({ ok: true, from: false, to: true });
    expect(bob.canType).toBe(true);

    // A reload keeps the grant (it is the user's, for this session); a viewer who left cannot be granted.
    roster.disconnect(bob);
    expect(roster.allow(owner.participant, bob.viewerId, false)).toMatchObject({ ok: false, reason: expect.stringContaining("not watching") });
    expect(roster.connect("u_bob", "bob@x.test")).toMatchObject({ first: true, participant: { viewerId: bob.viewerId, canType: true } });
    expect(roster.watching()).toEqual([
      { viewerId: owner.participant.viewerId, email: "owner@x.test", owner: true, canType: true, connections: 2 },
      { viewerId: bob.viewerId, email: "bob@x.test", owner: false, canType: true, connections: 1 },
    ]);
    roster.allow(owner.participant, bob.viewerId, false);
    expect(roster.joined()).toEqual([{ email: "bob@x.test", allowedToType: true, bytesIn: 0 }]);
  });

  it("recorded input is attributed: a marker whenever the typist changes, and a character split across typists is not glued together", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-rec-"));
    const rec = new Recorder(dir, "t.cast", { cols: 80, rows: 24, title: "t", command: "sh" }, 1 << 20);
    await rec.ready();
    const e9 = Buffer.from("é");
    rec.inputData(Buffer.from("ls\r"), "a@x.test");
    rec.inputData(Buffer.from("pwd\r"), "a@x.test");
    rec.inputData(e9.subarray(0, 1), "a@x.test");
    rec.inputData(Buffer.concat([e9.subarray(1), Buffer.from("id\r")]), "b@x.test");
    rec.outputData(Buffer.from("out"));
    rec.inputData(Buffer.from("x"), "a@x.test");
    await rec.close();
    const events = fs.readFileSync(path.join(dir, "t.cast"), "utf8").trim().split("\n").slice(1).map((l) => (JSON.parse(l) as unknown[]).slice(1));
    expect(events).toEqual([
      ["m", "input: a@x.test"],
      ["i", "ls\r"],
      ["i", "pwd\r"],
      ["i", "\ufffd"],
      ["m", "input: b@x.test"],
      ["i", "\ufffdid\r"],
      ["o", "out"],
      ["m", "input: a@x.test"],
      ["i", "x"],
    ]);
  });
});
