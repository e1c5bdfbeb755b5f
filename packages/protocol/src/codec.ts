import { z } from "zod";
import type { ErrorBody } from "./messages";
import { MAX_MESSAGE_BYTES } from "./version";

export type Decoded<T> = { ok: true; message: T } | { ok: false; error: ErrorBody };

/**
 * Parse and validate one WebSocket frame. Never throws: every failure becomes an error body the
 * receiver can send back to its peer and log, so one bad message cannot take a connection down.
 */
export function decodeMessage<T>(schema: z.ZodType<T>, raw: string | Buffer, maxBytes = MAX_MESSAGE_BYTES): Decoded<T> {
  const size = typeof raw === "string" ? Buffer.byteLength(raw) : raw.byteLength;
  if (size > maxBytes) {
    return { ok: false, error: { code: "too_large", message: `message of ${size} bytes exceeds the ${maxBytes}-byte limit` } };
  }
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === "string" ? raw : raw.toString("utf8"));
  } catch (err) {
    return { ok: false, error: { code: "bad_message", message: `not JSON: ${(err as Error).message}` } };
  }
  const type = typeof json === "object" && json !== null ? (json as { type?: unknown }).type : undefined;
  let result: z.ZodSafeParseResult<T>;
  try {
    result = schema.safeParse(json);
  } catch (err) {
    return { ok: false, error: { code: "unexpected", message: `could not validate message: ${(err as Error).message}` } };
  }
  if (!result.success) {
    const unknownType = typeof type === "string" && result.error.issues.some((i) => i.path.length === 1 && i.path[0] === "type");
    return {
      ok: false,
      error: {
        code: unknownType ? "unknown_type" : "bad_message",
        message: `invalid message${typeof type === "string" ? ` "${type.slice(0, 64)}"` : ""}: ${z.prettifyError(result.error).slice(0, 2000)}`,
      },
    };
  }
  return { ok: true, message: result.data };
}

export function encodeMessage(message: unknown): string {
  return JSON.stringify(message);
}
