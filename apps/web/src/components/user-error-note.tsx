"use client";

import { ErrorNote } from "./ui";

interface ServerError {
  message: string;
  data?: { zodError?: { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> } | null } | null;
}

/** The server's own words: the input rule that failed, rather than the raw validation report. */
export function serverMessage(error: ServerError): string {
  const zod = error.data?.zodError;
  const rules = zod ? [...zod.formErrors, ...Object.values(zod.fieldErrors).flatMap((m) => m ?? [])] : [];
  return rules.length ? rules.join("; ") : error.message;
}

export function UserErrorNote({ error }: { error: ServerError | null | undefined }) {
  return <ErrorNote error={error ? { message: serverMessage(error) } : null} />;
}
