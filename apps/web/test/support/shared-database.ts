import path from "node:path";

export interface SharedDatabase {
  url: string;
  drop(): Promise<void>;
}

/** One database for several control-plane processes. */
export async function sharedTestDatabase(dir: string): Promise<SharedDatabase> {
  return { url: `file:${path.join(dir, "shared.db")}`, drop: async () => {} };
}
