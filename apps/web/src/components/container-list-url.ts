"use client";

import type { ContainerState } from "@stevedore/protocol";

export const SORT_KEYS = ["created", "name", "image", "state", "host"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const PAGE_SIZES = [25, 50, 100, 200] as const;
export const DEFAULT_PAGE_SIZE = 50;

/** The list's view as the URL holds it, so a link reproduces it: filter text, state, host, sort, page size and page. */
export interface ListView {
  q: string;
  state: "all" | ContainerState;
  hostId: string;
  group: string;
  outdated: boolean;
  sort: SortKey;
  dir: "asc" | "desc";
  size: number;
  page: number;
}

export function readView(params: URLSearchParams): ListView {
  const sort = params.get("sort");
  const size = Number(params.get("size"));
  return {
    q: params.get("q") ?? "",
    state: (params.get("state") ?? "all") as ListView["state"],
    hostId: params.get("host") ?? "",
    group: params.get("group") ?? "",
    outdated: params.get("updates") === "available",
    sort: (SORT_KEYS as readonly string[]).includes(sort ?? "") ? (sort as SortKey) : "created",
    dir: params.get("dir") === "asc" ? "asc" : params.get("dir") === "desc" ? "desc" : sort && sort !== "created" ? "asc" : "desc",
    size: (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE,
    page: Math.max(0, Number(params.get("page") ?? 0) || 0),
  };
}

/**
 * Read-modify-write of the URL as it is now, through the History API (synced into useSearchParams at
 * once), so a keystroke and a click close together cannot undo each other. Any change but the page's
 * own goes back to the first page.
 */
export function writeView(pathname: string, next: Record<string, string>): void {
  const p = new URLSearchParams(window.location.search);
  for (const [k, v] of Object.entries(next)) {
    if (v) p.set(k, v);
    else p.delete(k);
  }
  if (!("page" in next)) p.delete("page");
  const search = p.toString();
  window.history.replaceState(null, "", search ? `?${search}` : pathname);
}
