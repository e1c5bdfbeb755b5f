/**
 * A tRPC subscription read as a browser reads it (server-sent events over the real transport): each
 * event's data, parsed, until the stream ends or `signal` aborts.
 */
export async function* subscription(url: string, cookie: string, procedure: string, input?: unknown, signal?: AbortSignal): AsyncGenerator<unknown> {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const res = await fetch(`${url}/api/trpc/${procedure}${query}`, { headers: { cookie, accept: "text/event-stream" }, signal });
  if (!res.ok) throw new Error(`${procedure}: HTTP ${res.status} ${await res.text()}`);
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    const events = buffer.split("\n\n");
    buffer = events.pop()!;
    for (const e of events) {
      // Keep-alive pings carry nothing.
      if (e.split("\n").includes("event: ping")) continue;
      const data = e.split("\n").find((l) => l.startsWith("data: "));
      if (data) yield JSON.parse(data.slice(6)) as unknown;
    }
  }
}
