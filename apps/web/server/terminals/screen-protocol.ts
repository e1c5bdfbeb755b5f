/** Messages between the main thread and the screen worker (screen-worker.ts). */
export type ScreenRequest =
  | { type: "create"; id: string; cols: number; rows: number }
  | { type: "write"; id: string; data: Uint8Array }
  | { type: "reset"; id: string }
  | { type: "resize"; id: string; cols: number; rows: number }
  | { type: "snapshot"; id: string; requestId: number }
  | { type: "dispose"; id: string };

export type ScreenReply = { type: "written"; id: string; bytes: number } | { type: "snapshot"; id: string; requestId: number; data: string };
