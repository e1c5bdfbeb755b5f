import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PullState } from "../server/images/image-pulls";
import { SecretBox } from "../server/registries/secret-box";
import { docker, waitFor } from "./support/engine";
import { TestRegistry, pushLayeredImage } from "./support/registry";
import { type StackWithHost, apiClient, freePort, signIn, startStackWithHost } from "./support/stack";

const PASSWORD = "registry-s3cret-pass";

describe("private registries: encrypted credentials, test connection, browse, pull", () => {
  let h: StackWithHost;
  let registry: TestRegistry;
  let image: string;
  let operator: ReturnType<typeof apiClient>;
  let viewer: ReturnType<typeof apiClient>;
  let registryId: string;

  beforeAll(async () => {
    registry = await TestRegistry.start({ users: { pusher: PASSWORD } });
    image = await pushLayeredImage(registry, "stevedore-test/private:1", 1);
    h = await startStackWithHost("registry-host");
    await h.api.users.create.mutate({ email: "op@reg.test", name: "Op", role: "operator", password: "op-password-123" });
    await h.api.users.create.mutate({ email: "view@reg.test", name: "View", role: "viewer", password: "view-password-123" });
    operator = apiClient(h.stack.url, await signIn(h.stack.url, "op@reg.test", "op-password-123"));
    viewer = apiClient(h.stack.url, await signIn(h.stack.url, "view@reg.test", "view-password-123"));
  });
  afterAll(async () => {
    await h.agent.stop();
    await h.stack.close();
    await registry.stop();
    await docker(["rmi", "-f", image]).catch(() => "");
  });

  async function pullTo(api: ReturnType<typeof apiClient>, reference: string): Promise<PullState["hosts"][number]> {
    const { pullId } = await api.images.pull.mutate({ hostIds: [h.hostId], reference });
    const pulls = h.stack.cp.services.pulls;
    await new Promise<void>((resolve) => {
      const stop = pulls.watch(pullId, () => pulls.get(pullId)!.done && (stop(), resolve()));
      if (pulls.get(pullId)!.done) resolve();
    });
    return pulls.get(pullId)!.hosts[0]!;
  }

  it("tests a connection before saving: wrong credentials are named, right ones pass", async () => {
    const draft = { name: "Private", address: registry.host, insecure: true, username: "pusher" };
    await expect(h.api.registries.test.mutate({ registry: { ...draft, password: "wrong-password" } })).rejects.toThrow(/refused the credentials for pusher/);
    await expect(h.api.registries.test.mutate({ registry: { ...draft, username: "" } })).rejects.toThrow(/needs credentials/);
    const closed = `127.0.0.1:${await freePort()}`;
    await expect(h.api.registries.test.mutate({ registry: { ...draft, address: closed } })).rejects.toThrow(`cannot reach ${closed}: ECONNREFUSED`);
    expect(await h.api.registries.test.mutate({ registry: { ...draft, password: PASSWORD } })).toEqual({ apiVersion: "registry/2.0" });
  });

  it("says in words which way TLS is mismatched, and when a certificate is not trusted, instead of OpenSSL's code alone", async () => {
    const tls = await TestRegistry.start({ tls: true });
    try {
      const draft = { name: "Mismatch", username: "pusher", password: PASSWORD };
      // HTTPS to the plain-HTTP registry.
      await expect(h.api.registries.test.mutate({ registry: { ...draft, address: registry.host, insecure: false } })).rejects.toThrow(/this registry speaks plain HTTP, not HTTPS; tick "Plain HTTP"/);
      // Plain HTTP to the TLS one.
      await expect(h.api.registries.test.mutate({ registry: { ...draft, address: tls.host, insecure: true } })).rejects.toThrow(/this registry speaks HTTPS, not plain HTTP; untick "Plain HTTP"/);
      // HTTPS to the TLS one, whose self-signed certificate nobody trusts.
      await expect(h.api.registries.test.mutate({ registry: { ...draft, address: tls.host, insecure: false } })).rejects.toThrow(/its TLS certificate is not trusted here .*\((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/);
    } finally {
      await tls.stop();
    }
  });

  it("stores the password encrypted and never gives it back; only admins add registries", async () => {
    await expect(viewer.registries.add.mutate({ name: "Nope", address: "nope.example.com" })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await expect(operator.registries.add.mutate({ name: "Nope", address: "nope.example.com" })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await expect(h.api.registries.add.mutate({ name: "Bad", address: "https://registry.example.com/" })).rejects.toThrow(/address: an address is host or host:port/);

    const added = await h.api.registries.add.mutate({ name: "Private", address: registry.host, insecure: true, username: "pusher", password: PASSWORD });
    registryId = added.id;
    expect(added).toMatchObject({ name: "Private", address: registry.host, username: "pusher", hasPassword: true });
    expect(JSON.stringify(await h.api.registries.list.query())).not.toContain(PASSWORD);
    expect((await viewer.registries.list.query())[0]).toMatchObject({ name: "Private", username: null, hasPassword: true });
    await expect(h.api.registries.add.mutate({ name: "Again", address: registry.host })).rejects.toMatchObject({ data: { code: "CONFLICT" } });

    const row = await h.stack.cp.services.db.registry.findUniqueOrThrow({ where: { id: registryId } });
    expect(row.passwordEnc).toMatch(/^v1:/);
    expect(row.passwordEnc).not.toContain(PASSWORD);
    expect(new SecretBox(h.stack.cp.services.config.secretsKey).open(row.passwordEnc!, registryId)).toBe(PASSWORD);
    // Another key, or the ciphertext moved to another row, does not open.
    expect(() => new SecretBox("another-key-another-key-another-key!").open(row.passwordEnc!, registryId)).toThrow();
    expect(() => new SecretBox(h.stack.cp.services.config.secretsKey).open(row.passwordEnc!, "reg_other")).toThrow();

    const audit = await h.stack.cp.services.audit.list({ action: "registry.add" });
    expect(audit.items[0]).toMatchObject({ targetName: "Private" });
    expect(audit.items[0]!.params).toContain("pusher");
    expect(JSON.stringify(audit.items)).not.toContain(PASSWORD);
  });

  it("browses the catalog and a repository's tags with the stored credentials", async () => {
    expect((await viewer.registries.repositories.query({ id: registryId })).repositories).toContain("stevedore-test/private");
    expect(await viewer.registries.tags.query({ id: registryId, repository: "stevedore-test/private" })).toEqual({ tags: ["1"] });
    await expect(viewer.registries.tags.query({ id: registryId, repository: "stevedore-test/absent" })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  });

  it("pulls from the private registry with the stored credentials, which stay out of the audit trail", async () => {
    const done = await pullTo(operator, image);
    expect(done).toMatchObject({ phase: "succeeded", error: null });
    expect(done.digest).toMatch(/^sha256:/);
    expect(await docker(["image", "inspect", "-f", "{{.Id}}", image])).toBe(done.imageId);
    // The tag as the registry describes it, from its manifest and config: what was pulled.
    const [detail] = (await viewer.registries.tagDetails.query({ id: registryId, repository: "stevedore-test/private", tags: ["1"] })).tags;
    expect(detail).toMatchObject({ tag: "1", digest: done.digest, error: null });
    expect(detail!.createdAt).toBe(Date.parse(await docker(["image", "inspect", "-f", "{{.Created}}", image])));
    // Two layers of 1 MiB of random data (which does not compress) on the busybox base.
    expect(detail!.sizeBytes).toBeGreaterThan(2 * 1024 * 1024);
    expect(detail!.sizeBytes).toBeLessThan(6 * 1024 * 1024);
    const [missing] = (await viewer.registries.tagDetails.query({ id: registryId, repository: "stevedore-test/private", tags: ["0.0-missing"] })).tags;
    expect(missing).toMatchObject({ digest: null, error: expect.stringMatching(/not found on the registry/) });
    await expect(viewer.registries.tagDetails.query({ id: registryId, repository: "stevedore-test/private", tags: Array.from({ length: 26 }, (_, i) => `t${i}`) })).rejects.toThrow(/25/);
    const entries = await h.stack.cp.services.audit.list({ action: "image.pull" });
    expect(JSON.stringify(entries.items)).not.toContain(PASSWORD);

    // Policy "pin to digest at run": the tag is run as the digest the host has for it, and recorded.
    await waitFor(() => h.stack.cp.services.fleet.hostImages(h.hostId).some((i) => i.repoDigests.length > 0 && i.repoTags.includes(image)), { what: "the pulled image's digest in the fleet view" });
    await h.api.settings.setImages.mutate({ pinDigestAtRun: true });
    const [ran] = await operator.containers.run.mutate({ hostIds: [h.hostId], spec: { image, name: "pinned-run", labels: { "stevedore.test": "1" } } });
    const pinned = `${image.slice(0, image.lastIndexOf(":"))}@${done.digest}`;
    expect(await docker(["inspect", "-f", "{{.Config.Image}}", "pinned-run"])).toBe(pinned);
    const run = (await h.stack.cp.services.audit.list({ action: "container.run", phase: "succeeded" })).items.find((e) => e.requestId === ran!.requestId)!;
    expect(JSON.parse(run.params!)).toMatchObject({ requestedImage: image, pinnedImage: pinned });
    await h.api.settings.setImages.mutate({ pinDigestAtRun: false });
    await docker(["rm", "-f", "pinned-run"]);
    await docker(["rmi", "-f", image]);
  });

  it("without stored credentials the engine's refusal is reported; a changed password is kept sealed", async () => {
    await h.api.registries.update.mutate({ id: registryId, registry: { name: "Private", address: registry.host, insecure: true, username: "pusher", clearPassword: true } });
    const refused = await pullTo(operator, image);
    expect(refused).toMatchObject({ phase: "failed" });
    expect(refused.error!.message).toMatch(/no basic auth credentials|unauthorized|authentication required/i);

    await h.api.registries.update.mutate({ id: registryId, registry: { name: "Private", address: registry.host, insecure: true, username: "pusher", password: PASSWORD } });
    expect(await h.api.registries.test.mutate({ id: registryId, registry: { name: "Private", address: registry.host, insecure: true, username: "pusher" } })).toEqual({ apiVersion: "registry/2.0" });
    await h.api.registries.remove.mutate({ id: registryId });
    expect(await h.api.registries.list.query()).toEqual([]);
  });
});
