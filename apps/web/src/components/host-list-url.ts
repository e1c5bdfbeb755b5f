"use client";

import { PAGE_SIZES } from "./container-list-url";

export { writeView } from "./container-list-url";

export const HOST_SORT_KEYS = ["name", "status", "containers", "seen"] as const;
export type HostSortKey = (typeof HOST_SORT_KEYS)[number];
export const HOST_STATUS_FILTERS = ["all", "online", "engine_down", "offline"] as const;
export type HostStatusFilter = (typeof HOST_STATUS_FILTERS)[number];
export const HOST_PAGE_SIZES = PAGE_SIZES;
const DEFAULT_SIZE = 25;

/** The hosts page's view as the URL holds it (as the containers page does), so a link reproduces it. */
export interface HostListView {
  q: string;
  status: HostStatusFilter;
  group: string;
  sort: HostSortKey;
  dir: "asc" | "desc";
  size: number;
  page: number;
}

export function readHostView(params: URLSearchParams): HostListView {
  const sort = params.get("sort");
  const status = params.get("status");
  const size = Number(params.get("size"));
  const key = (HOST_SORT_KEYS as readonly string[]).includes(sort ?? "") ? (sort as HostSortKey) : "name";
  return {
    q: params.get("q") ?? "",
    status: (HOST_STATUS_FILTERS as readonly string[]).includes(status ?? "") ? (status as HostStatusFilter) : "all",
    group: params.get("group") ?? "",
    sort: key,
    // Names A to Z; counts and times biggest and newest first, unless the URL says otherwise.
    dir: params.get("dir") === "asc" ? "asc" : params.get("dir") === "desc" ? "desc" : key === "containers" || key === "seen" ? "desc" : "asc",
    size: (HOST_PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_SIZE,
    page: Math.max(0, Number(params.get("page") ?? 0) || 0),
  };
}

export const DEFAULT_HOST_PAGE_SIZE = DEFAULT_SIZE;
