/** A browser WebSocket to one of the control plane's ticketed endpoints (terminal, logs), binary as ArrayBuffers. */
export function openTicketSocket(path: string, ticket: string): WebSocket {
  const url = new URL(path, window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("ticket", ticket);
  const socket = new WebSocket(url);
  socket.binaryType = "arraybuffer";
  return socket;
}
