"use client";

import { useState } from "react";

export interface Sort<K extends string> {
  key: K;
  dir: "asc" | "desc";
}

/** A list's sort: clicking the sorted column turns it around, another column sorts by it ascending. */
export function useSort<K extends string, T>(initial: Sort<K>, value: (row: T, key: K) => string | number) {
  const [sort, setSort] = useState(initial);
  const sortBy = (key: K) => setSort((s) => (s.key === key ? { key, dir: s.dir === "asc" ? "desc" : "asc" } : { key, dir: "asc" }));
  const sorted = (rows: readonly T[]) =>
    [...rows].sort((a, b) => {
      const x = value(a, sort.key);
      const y = value(b, sort.key);
      const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return sort.dir === "asc" ? c : -c;
    });
  return { sort, sortBy, sorted };
}

/** A column header that sorts by its column, saying so to assistive technology (aria-sort). */
export function SortHeader<K extends string>({ label, column, sort, onSort, className = "" }: { label: string; column: K; sort: Sort<K>; onSort: (key: K) => void; className?: string }) {
  const active = sort.key === column;
  return (
    <th className={`px-4 py-2 font-medium ${className}`} aria-sort={active ? (sort.dir === "asc" ? "ascending" : "descending") : "none"}>
      <button type="button" onClick={() => onSort(column)} className="inline-flex items-center gap-1 hover:text-slate-900">
        {label}
        <span aria-hidden>{active ? (sort.dir === "asc" ? "↑" : "↓") : ""}</span>
      </button>
    </th>
  );
}
