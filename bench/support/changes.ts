/** A client subscribed to `fleet.changes` over the real transport (tRPC server-sent events). */
export function subscribeChanges(url: string, cookie: string, matches: (chunk: string) => boolean) {
  let waiter: (() => void) | null = null;
  const controller = new AbortController();
  void (async () => {
    const res = await fetch(`${url}/api/trpc/fleet.changes`, { headers: { cookie, accept: "text/event-stream" }, signal: controller.signal });
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (matches(decoder.decode(chunk, { stream: true }))) waiter?.();
    }
  })().catch(() => {});
  return {
    /** Resolves on the next batch that matches. */
    next: () => new Promise<void>((resolve) => (waiter = resolve)),
    close: () => controller.abort(),
  };
}
