import type { inferRouterOutputs } from "@trpc/server";
import type { Role } from "../../server/access/roles";
import type { AppRouter } from "../../server/trpc/root";

export type UserRole = Role;
export type UserView = inferRouterOutputs<AppRouter>["users"]["list"][number];

/** What each role may do, in the words the issue uses; the server enforces it on every procedure. */
export const ROLE_CHOICES: { value: UserRole; description: string }[] = [
  { value: "none", description: "nothing until granted on host groups" },
  { value: "viewer", description: "read only" },
  { value: "operator", description: "container actions" },
  { value: "admin", description: "users, hosts, join tokens, settings" },
];
