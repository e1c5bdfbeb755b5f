import pino from "pino";

export type Logger = pino.Logger;

/** JSON lines for log collectors; readable lines when a person watches a terminal. */
export function createLogger(level: string): Logger {
  const pretty = process.stdout.isTTY && process.env.NODE_ENV !== "production";
  return pino({ name: "stevedore", level, ...(pretty && { transport: { target: "pino-pretty", options: { ignore: "pid,hostname" } } }) });
}
