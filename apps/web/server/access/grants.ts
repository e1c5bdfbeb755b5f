import { z } from "zod";
import type { Db } from "../db";
import { ALL_HOSTS, GRANT_ROLES, type Grant } from "./roles";

export const GroupName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "a group name is 1–63 letters, digits, dots, dashes or underscores, starting with a letter or digit");

/** What a grant names: a group, or every host. */
export const GrantGroup = z.union([z.literal(ALL_HOSTS), GroupName]);

/** The groups of one host: unique, sorted, at most 32. */
export const HostGroups = z
  .array(GroupName)
  .max(32, "a host can be in at most 32 groups")
  .transform((groups) => [...new Set(groups)].sort());

export async function loadGrants(db: Pick<Db, "accessGrant">, userId: string): Promise<Grant[]> {
  const rows = await db.accessGrant.findMany({ where: { userId }, select: { group: true, role: true }, orderBy: { group: "asc" } });
  return rows.filter((r): r is Grant => (GRANT_ROLES as readonly string[]).includes(r.role));
}
