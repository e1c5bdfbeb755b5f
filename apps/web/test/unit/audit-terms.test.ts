import { describe, expect, it } from "vitest";
import { AUDITED_CONTAINER_EVENTS } from "@stevedore/protocol";
import { AUDIT_ACTIONS, AUDIT_ACTION_GROUPS_DISTINCT } from "../../server/audit/audit-actions";
import { MAX_TERM, searchRanges, termMatches, termsOf } from "../../server/audit/audit-terms";

describe("search words", () => {
  it("a quoted word is exact, an unquoted one a prefix", () => {
    expect(searchRanges('"ux-1"')).toEqual([{ word: "ux-1", lo: "ux-1", hi: "ux-1", exact: true }]);
    expect(searchRanges("ux-1")).toEqual([{ word: "ux-1", lo: "ux-1", hi: "ux-2" }]);
    expect(searchRanges('"Prod Web" api').map((r) => [r.word, !!r.exact])).toEqual([["prod", true], ["web", true], ["api", false]]);
    // An unclosed quote quotes to the end; quoted punctuation is trimmed like any word's.
    expect(searchRanges('"ux-14').map((r) => [r.word, !!r.exact])).toEqual([["ux-14", true]]);
    expect(searchRanges('"ux-1,"')[0]).toMatchObject({ word: "ux-1", exact: true });
    // A prefix of another word adds nothing (a term equal to ux-10 starts with ux); a quoted word is never dropped.
    expect(searchRanges('"ux-10" ux').map((r) => r.word)).toEqual(["ux-10"]);
    expect(searchRanges('"ux" ux-10').map((r) => [r.word, !!r.exact])).toEqual([["ux", true], ["ux-10", false]]);
    expect(searchRanges('ux "ux"').map((r) => [r.word, !!r.exact])).toEqual([["ux", false], ["ux", true]]);
  });

  it("matches the terms as the database does", () => {
    const terms = termsOf({ action: "container.stop", actorName: "a", hostName: null, targetName: "prod-ux-1", targetId: null, params: null, error: null });
    const [exact] = searchRanges('"ux-1"');
    const [prefix] = searchRanges("ux-1");
    expect(terms.some((t) => termMatches(t, exact!))).toBe(true);
    const ten = termsOf({ action: "container.stop", actorName: "a", hostName: null, targetName: "ux-10", targetId: null, params: null, error: null });
    expect(ten.some((t) => termMatches(t, exact!))).toBe(false);
    expect(ten.some((t) => termMatches(t, prefix!))).toBe(true);
  });

  it("a quoted word longer than a term is matched by its cut start and its tail, each whole", () => {
    const long = "my-long-application-name-worker-2-and-more";
    expect(long.length).toBeGreaterThan(MAX_TERM);
    const ranges = searchRanges(`"${long}"`);
    expect(ranges.every((r) => r.exact)).toBe(true);
    const terms = termsOf({ action: "x", actorName: "a", hostName: null, targetName: long, targetId: null, params: null, error: null });
    expect(ranges.every((r) => terms.some((t) => termMatches(t, r)))).toBe(true);
  });
});

describe("the audited actions catalogue", () => {
  it("lists every action once, with images, registries, terminals, logs, users, tokens, hosts and the engine's events", () => {
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
    for (const a of ["image.pull", "registry.add", "terminal.exec", "terminal.close", "recording.play", "logs.download", "user.create", "token.create", "host.revoke", "container.update", "settings.update-policy"]) expect(AUDIT_ACTIONS).toContain(a);
    for (const e of AUDITED_CONTAINER_EVENTS) expect(AUDIT_ACTIONS).toContain(`container.${e}`);
    expect(AUDIT_ACTION_GROUPS_DISTINCT.map((g) => g.label)).toEqual(expect.arrayContaining(["Containers", "Images", "Registries", "Terminals", "Logs", "Hosts", "Users", "API tokens"]));
  });
});
