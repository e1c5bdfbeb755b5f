/**
 * Limits the server puts on a tRPC request (server/http-security.ts), shared with the browser's batch
 * link so the UI splits its batches below them instead of running into them.
 */
export const TRPC_MAX_BATCH = 64;
/** 1 MiB: the largest input the UI sends (a run spec, a grants list) is a few KiB. */
export const TRPC_MAX_BODY_BYTES = 1024 * 1024;
