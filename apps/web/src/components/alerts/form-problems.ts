import type { ZodError } from "zod";

/** Problems by field ("name", "scope.label", "params.restarts"): from the form's own check or the server's answer. */
export type Problems = Record<string, string[]>;

export function problemsOfZod(error: ZodError): Problems {
  const out: Problems = {};
  for (const issue of error.issues) (out[issue.path.map(String).join(".")] ??= []).push(issue.message);
  return out;
}

/** The server's per-field problems (the tRPC error formatter's `problems`), when it sent any. */
export function problemsOfServer(err: unknown): Problems | null {
  const list = (err as { data?: { problems?: { path: string[]; message: string }[] | null } } | null)?.data?.problems;
  if (!list?.length) return null;
  const out: Problems = {};
  for (const p of list) (out[p.path.join(".")] ??= []).push(p.message);
  return out;
}
