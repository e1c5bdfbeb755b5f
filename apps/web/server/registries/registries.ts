import { z } from "zod";
import { type RegistryAuth, registryOf } from "@stevedore/protocol";
import { newId } from "../agents/secrets";
import type { Db } from "../db";
import { DOCKER_HUB, apiHostOf } from "./image-reference";
import type { RegistryTarget } from "./registry-client";
import { SecretBox } from "./secret-box";

/** host[:port], as the first component of an image reference names a registry. */
export const RegistryAddress = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/, "an address is host or host:port, as in registry.example.com:5000/team/app");

export const RegistryInput = z.object({
  name: z.string().trim().min(1, "give it a name").max(64),
  address: RegistryAddress,
  insecure: z.boolean().default(false),
  username: z.string().trim().max(512).default(""),
  /** Empty keeps the stored password (on update); `clearPassword` removes it. */
  password: z.string().max(8192).default(""),
  clearPassword: z.boolean().default(false),
});
export type RegistryInput = z.input<typeof RegistryInput>;


/** What may be shown of a registry: never the password, only whether there is one. */
export interface RegistryView {
  id: string;
  name: string;
  address: string;
  insecure: boolean;
  username: string | null;
  hasPassword: boolean;
  updatedAt: Date;
}

function toView({ passwordEnc, id, name, address, insecure, username, updatedAt }: { passwordEnc: string | null; id: string; name: string; address: string; insecure: boolean; username: string | null; updatedAt: Date }): RegistryView {
  return { id, name, address, insecure, username, hasPassword: passwordEnc !== null, updatedAt };
}

/** Registries admins added; passwords sealed at rest (SecretBox), opened only to talk to the registry or for a pull. */
export class Registries {
  private readonly box: SecretBox;

  constructor(
    private readonly db: Db,
    secretsKey: string,
  ) {
    this.box = new SecretBox(secretsKey);
  }

  async list(): Promise<RegistryView[]> {
    return (await this.db.registry.findMany({ orderBy: { name: "asc" } })).map(toView);
  }

  async add(raw: RegistryInput, createdById: string): Promise<RegistryView> {
    const input = RegistryInput.parse(raw);
    const id = newId("reg");
    await this.db.registry.create({
      data: { id, name: input.name, address: input.address, insecure: input.insecure, username: input.username || null, passwordEnc: input.password ? this.box.seal(input.password, id) : null, createdById },
    });
    return this.view(id);
  }

  async update(id: string, raw: RegistryInput): Promise<RegistryView> {
    const input = RegistryInput.parse(raw);
    const password = input.clearPassword ? { passwordEnc: null } : input.password ? { passwordEnc: this.box.seal(input.password, id) } : {};
    await this.db.registry.update({ where: { id }, data: { name: input.name, address: input.address, insecure: input.insecure, username: input.username || null, ...password } });
    return this.view(id);
  }

  async remove(id: string): Promise<RegistryView> {
    const view = await this.view(id);
    await this.db.registry.delete({ where: { id } });
    return view;
  }

  async view(id: string): Promise<RegistryView> {
    return toView(await this.db.registry.findUniqueOrThrow({ where: { id } }));
  }

  /** How to reach a stored registry, with its password opened. */
  async target(id: string): Promise<RegistryTarget | null> {
    const row = await this.db.registry.findUnique({ where: { id } });
    if (!row) return null;
    return { address: apiHostOf(row.address), insecure: row.insecure, username: row.username, password: row.passwordEnc ? this.box.open(row.passwordEnc, row.id) : null };
  }

  /**
   * How to reach the registry an image reference names: as stored (credentials, plain HTTP), else
   * anonymously, over plain HTTP only on loopback, as the engine allows without configuration.
   */
  async targetForRegistry(registry: string): Promise<RegistryTarget> {
    const row = await this.db.registry.findUnique({ where: { address: registry } });
    if (row) return (await this.target(row.id))!;
    const host = registry.replace(/:\d+$/, "");
    return { address: apiHostOf(registry), insecure: host === "localhost" || host === "[::1]" || /^127\./.test(host) };
  }

  /** A draft (from the add/edit form) as a target; an empty password falls back to the stored one. */
  async draftTarget(raw: RegistryInput, id?: string): Promise<RegistryTarget> {
    const input = RegistryInput.parse(raw);
    const stored = id && !input.password && !input.clearPassword ? await this.target(id) : null;
    return { address: apiHostOf(input.address), insecure: input.insecure, username: input.username || null, password: input.password || stored?.password || null };
  }

  /** The credentials a pull of this reference needs, if a registry with credentials is stored for it. */
  async authFor(reference: string): Promise<RegistryAuth | undefined> {
    const address = registryOf(reference);
    const row = await this.db.registry.findUnique({ where: { address } });
    if (!row?.username || !row.passwordEnc) return undefined;
    return { username: row.username, password: this.box.open(row.passwordEnc, row.id), serveraddress: address === DOCKER_HUB.name ? DOCKER_HUB.auth : address };
  }
}
