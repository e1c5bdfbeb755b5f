import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../server/trpc/root";
import { type TestStack, signIn, startStack } from "./support/stack";

type Role = "viewer" | "operator" | "admin";

/**
 * The least role each procedure needs. Every procedure of the router must be listed: a new one
 * without an entry fails this test until someone decides who may call it.
 */
const MIN_ROLE: Record<string, Role> = {
  "me.get": "viewer",
  "me.preferences": "viewer",
  "me.setPreferences": "viewer",
  "me.changePassword": "viewer",
  // The terminal permission is a grant of its own, checked per host (terminal.test.ts).
  "terminals.open": "viewer",
  "terminals.join": "viewer",
  "terminals.list": "viewer",
  "terminals.close": "viewer",
  // Reading logs is a permission of its own, checked per host (logs.test.ts, access-grants.test.ts).
  "logs.ticket": "viewer",
  "logs.targets": "viewer",
  "settings.terminal": "admin",
  "settings.setTerminal": "admin",
  "settings.images": "viewer",
  "settings.setImages": "admin",
  "hosts.list": "viewer",
  "hosts.get": "viewer",
  "hosts.createJoinToken": "admin",
  "hosts.revoke": "admin",
  "hosts.groups": "viewer",
  "hosts.setGroups": "admin",
  "containers.list": "viewer",
  "containers.get": "viewer",
  "containers.top": "viewer",
  "containers.diff": "viewer",
  "stats.container": "viewer",
  "stats.hosts": "viewer",
  "stats.host": "viewer",
  "stats.top": "viewer",
  "containers.run": "operator",
  "containers.operate": "operator",
  "fleet.changes": "viewer",
  "images.missing": "viewer",
  "images.pull": "operator",
  "images.pullProgress": "viewer",
  "images.cancelPull": "operator",
  "images.list": "viewer",
  "images.inspect": "viewer",
  "images.layerTree": "viewer",
  "images.usage": "viewer",
  "images.prunePreview": "viewer",
  "images.remove": "operator",
  "images.tag": "operator",
  "images.prune": "operator",
  "registries.list": "viewer",
  "registries.add": "admin",
  "registries.update": "admin",
  "registries.remove": "admin",
  "registries.test": "admin",
  "registries.repositories": "viewer",
  "registries.tags": "viewer",
  "audit.list": "viewer",
  "audit.verify": "admin",
  "tokens.list": "viewer",
  "tokens.create": "viewer",
  "tokens.revoke": "viewer",
  "users.list": "admin",
  "users.create": "admin",
  "users.setRole": "admin",
  "users.setGrants": "admin",
  "users.disable": "admin",
  "users.enable": "admin",
  "users.resetPassword": "admin",
};
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

describe("authorization matrix: every procedure × every role", () => {
  let stack: TestStack;
  const cookies: Partial<Record<Role | "anonymous", string>> = { anonymous: "" };
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: "query" | "mutation" | "subscription" } }>;

  beforeAll(async () => {
    stack = await startStack();
    cookies.admin = await signIn(stack.url);
    for (const role of ["viewer", "operator"] as const) {
      await stack.cp.services.auth.api.createUser({ body: { email: `${role}@stevedore.test`, password: `${role}-password-1`, name: role, role } });
      cookies[role] = await signIn(stack.url, `${role}@stevedore.test`, `${role}-password-1`);
    }
  });
  afterAll(() => stack.close());

  /** Calls a procedure over real HTTP with a deliberately invalid input and returns the error code, if any. */
  async function call(path: string, cookie: string): Promise<string | null> {
    const type = procedures[path]!._def.type;
    const input = encodeURIComponent(JSON.stringify({ json: { __invalid: true } }));
    const headers = { cookie, origin: stack.url };
    if (type === "subscription") {
      const controller = new AbortController();
      const res = await fetch(`${stack.url}/api/trpc/${path}?input=${input}`, { headers: { ...headers, accept: "text/event-stream" }, signal: controller.signal });
      const reader = res.body!.getReader();
      const first = new TextDecoder().decode((await Promise.race([reader.read(), new Promise<{ value: undefined }>((r) => setTimeout(() => r({ value: undefined }), 500))])).value);
      controller.abort();
      return /UNAUTHORIZED|FORBIDDEN/.exec(first)?.[0] ?? null;
    }
    const res =
      type === "query"
        ? await fetch(`${stack.url}/api/trpc/${path}?input=${input}`, { headers })
        : await fetch(`${stack.url}/api/trpc/${path}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ json: { __invalid: true } }) });
    const body = (await res.json()) as { error?: { json?: { data?: { code?: string } } } };
    return body.error?.json?.data?.code ?? null;
  }

  it("lists every procedure", () => {
    expect(Object.keys(procedures).sort()).toEqual(Object.keys(MIN_ROLE).sort());
  });

  for (const [path, min] of Object.entries(MIN_ROLE)) {
    it(`${path} needs ${min}`, async () => {
      expect(await call(path, cookies.anonymous!)).toBe("UNAUTHORIZED");
      for (const role of ["viewer", "operator", "admin"] as const) {
        const code = await call(path, cookies[role]!);
        if (RANK[role] < RANK[min]) expect(code, `${role} on ${path}`).toBe("FORBIDDEN");
        else expect(["UNAUTHORIZED", "FORBIDDEN"], `${role} on ${path}`).not.toContain(code);
      }
    });
  }
});
