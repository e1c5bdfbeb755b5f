"use client";

import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { memo, useEffect, useMemo, useState, useSyncExternalStore, type KeyboardEvent } from "react";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type Row as TableRow, type RowSelectionState, type SortingState, type VisibilityState } from "@tanstack/react-table";
import * as Menu from "@radix-ui/react-dropdown-menu";
import type { inferRouterOutputs } from "@trpc/server";
import type { ContainerState } from "@stevedore/protocol";
import type { AppRouter } from "../../server/trpc/root";
import { useTRPC } from "@/lib/trpc";
import { shortId } from "@/lib/format";
import { mergedLogsHref } from "@/lib/log-buffer";
import { ContainerActions, mayOperate, useCanOperateSomewhere, type RequestedAction } from "./container-actions";
import { PortsCell, StatusCell } from "./container-cells";
import { PAGE_SIZES, readView, writeView, type SortKey } from "./container-list-url";
import { ContainerRowMenu } from "./container-row-menu";
import { HostFilter } from "./host-filter";
import { usePickedHosts } from "./host-picker";
import { RolloutProgress } from "./rollout-progress";
import { UpdateBadge } from "./update-badge";
import { UpdateDialog, type UpdateDialogTarget } from "./update-dialog";
import { Button, Card, ErrorNote, Input, RelativeTime, Select, Spinner, useNow } from "./ui";

type Row = inferRouterOutputs<AppRouter>["containers"]["list"]["items"][number];
type HostRow = inferRouterOutputs<AppRouter>["hosts"]["search"]["items"][number];
/** What cells read that changes while the table lives: passed as the table's meta, so the columns (and their cells' identity) stay fixed. */
interface CellMeta {
  now: number;
  hostById: Map<string, HostRow>;
  onRowAction: (row: Row, action: RequestedAction) => void;
}
const metaOf = (table: { options: { meta?: unknown } }) => table.options.meta as CellMeta;

const STATES: { value: "all" | ContainerState; label: string }[] = [
  { value: "all", label: "All" },
  { value: "running", label: "Running" },
  { value: "exited", label: "Exited" },
  { value: "paused", label: "Paused" },
  { value: "created", label: "Created" },
  { value: "restarting", label: "Restarting" },
  { value: "dead", label: "Dead" },
];

/** Columns the chooser can hide, and the column whose header sorts by which server key. */
const HIDEABLE: { id: string; label: string }[] = [
  { id: "image", label: "Image" },
  { id: "command", label: "Command" },
  { id: "status", label: "Status" },
  { id: "ports", label: "Ports" },
  { id: "host", label: "Host" },
  { id: "created", label: "Created" },
];
const SORT_OF: Record<string, SortKey> = { name: "name", image: "image", status: "state", host: "host", created: "created" };
const COLUMNS_KEY = "stevedore.containers.columns";
/** "Select all matching" reads the matches in pages of the server's largest, up to this many. */
const MATCHING_MAX = 10_000;
const key = (c: { hostId: string; id: string }) => `${c.hostId}/${c.id}`;

// The chosen columns, kept in localStorage and read as an external store (the server renders the defaults).
const columnListeners = new Set<() => void>();
let storedColumnsText: string | null = null;
let storedColumns: VisibilityState = {};
function readStoredColumns(): VisibilityState {
  const text = localStorage.getItem(COLUMNS_KEY);
  if (text !== storedColumnsText) {
    storedColumnsText = text;
    try {
      const parsed = JSON.parse(text ?? "{}") as unknown;
      storedColumns = parsed && typeof parsed === "object" ? (parsed as VisibilityState) : {};
    } catch {
      // A corrupt entry is the default columns.
      storedColumns = {};
    }
  }
  return storedColumns;
}
const NO_COLUMNS: VisibilityState = {};

function useStoredColumns(): [VisibilityState, (v: VisibilityState) => void] {
  const visibility = useSyncExternalStore(
    (l) => {
      columnListeners.add(l);
      return () => columnListeners.delete(l);
    },
    readStoredColumns,
    () => NO_COLUMNS,
  );
  const set = (v: VisibilityState) => {
    localStorage.setItem(COLUMNS_KEY, JSON.stringify(v));
    for (const l of columnListeners) l();
  };
  return [visibility, set];
}

/**
 * One row, re-rendered only when its data, selection, the clock, the hosts or the columns change: a
 * keystroke re-renders the list twice before its answer arrives (the text, then the URL), and 50 rows of
 * cells each time were most of a keystroke's cost.
 */
interface RowViewProps {
  row: TableRow<Row>;
  index: number;
  selected: boolean | undefined;
  now: number;
  hosts: unknown;
  columns: string;
}
const ContainerRowView = memo(function ContainerRowView({ row, index, selected }: RowViewProps) {
  const c = row.original;
  return (
    <tr
      data-testid="container-row"
      data-name={c.name}
      data-key={row.id}
      aria-rowindex={index}
      aria-selected={selected}
      tabIndex={0}
      className={`outline-none hover:bg-slate-50 focus-visible:bg-sky-50 focus-visible:ring-2 focus-visible:ring-sky-600 focus-visible:ring-inset aria-selected:bg-sky-50/60 ${c.live ? "" : "opacity-60"}`}
    >
      {row.getVisibleCells().map((cell) => (
        <td key={cell.id} {...cardCell(cell.column.id)} className={`px-3 py-2 align-top ${cell.column.id === "select" ? "pl-4" : ""}`}>
          {flexRender(cell.column.columnDef.cell, cell.getContext())}
        </td>
      ))}
    </tr>
  );
}, sameRow);

/** Where a cell goes when the table is a list of cards (below md, `.table-cards` in globals.css). */
function cardCell(id: string): { "data-card"?: string; "data-label"?: string } {
  if (id === "select") return { "data-card": "lead" };
  if (id === "name") return { "data-card": "title" };
  if (id === "actions") return { "data-card": "end" };
  return { "data-label": HIDEABLE.find((c) => c.id === id)?.label ?? id };
}

/** By the container's data, not TanStack's row object: a new answer rebuilds the row objects, while the query's structural sharing keeps the data of rows that did not change. */
function sameRow(a: RowViewProps, b: RowViewProps): boolean {
  return a.row.original === b.row.original && a.index === b.index && a.selected === b.selected && a.now === b.now && a.hosts === b.hosts && a.columns === b.columns;
}

/**
 * `docker ps` across the fleet, as a table over the server's filtering, sorting and paging: the
 * browser only ever holds one page. The view lives in the URL, so a link reproduces it.
 */
export function ContainerList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const pathname = usePathname();
  const view = readView(useSearchParams());
  const now = useNow();
  const canOperate = useCanOperateSomewhere();
  // The filter box drives the query itself, keystroke by keystroke (no debounce: the server answers in
  // a few ms); the URL follows it at once. (Written later, once typing paused, it saved ~5 ms a keystroke
  // but could land while a link clicked meanwhile was navigating, and Next then dropped that navigation.)
  const [text, setText] = useState(view.q);
  const q = text.trim();
  const setParam = (next: Record<string, string>) => writeView(pathname, next);
  useEffect(() => {
    if (q !== view.q) setParam({ q });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q]);

  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  /** Every match across pages, once "select all N matching" has read them; null for a page selection. */
  const [allMatching, setAllMatching] = useState<Row[] | null>(null);
  const [loadingAll, setLoadingAll] = useState(false);
  const [updating, setUpdating] = useState<UpdateDialogTarget[] | null>(null);
  const [rolloutId, setRolloutId] = useState<string | null>(null);
  const [rowRequest, setRowRequest] = useState<{ row: Row; action: RequestedAction } | null>(null);
  const [columnVisibility, setColumnVisibility] = useStoredColumns();

  const filter = { state: view.state, hostId: view.hostId || undefined, group: view.group || undefined, q, outdated: view.outdated, sort: view.sort, dir: view.dir };
  const filterKey = JSON.stringify(filter);
  // A different filter or order is a different set: what was selected under the last one is let go.
  useEffect(() => {
    setRowSelection({});
    setAllMatching(null);
  }, [filterKey]);

  const groups = useQuery(trpc.hosts.groups.queryOptions());
  const list = useQuery({
    ...trpc.containers.list.queryOptions({ ...filter, offset: view.page * view.size, limit: view.size }),
    placeholderData: keepPreviousData,
  });
  const data = list.data;
  const items = useMemo(() => data?.items ?? [], [data]);
  // The page's hosts only (their status and address for the cells), read by id: never the whole fleet.
  const pageHostIds = useMemo(() => [...new Set(items.map((c) => c.hostId))], [items]);
  const hostById = usePickedHosts(pageHostIds);

  const sorting: SortingState = [{ id: Object.keys(SORT_OF).find((c) => SORT_OF[c] === view.sort) ?? "created", desc: view.dir === "desc" }];
  const columns = useMemo<ColumnDef<Row>[]>(
    () => [
      ...(canOperate
        ? [
            {
              id: "select",
              enableHiding: false,
              header: ({ table }) => (
                <input
                  type="checkbox"
                  aria-label="Select all on this page"
                  checked={table.getIsAllPageRowsSelected()}
                  ref={(el) => {
                    if (el) el.indeterminate = table.getIsSomePageRowsSelected();
                  }}
                  disabled={!table.getRowModel().rows.some((r) => r.getCanSelect())}
                  onChange={table.getToggleAllPageRowsSelectedHandler()}
                />
              ),
              cell: ({ row }) =>
                row.getCanSelect() ? <input type="checkbox" tabIndex={-1} aria-label={`Select ${row.original.name}`} checked={row.getIsSelected()} onChange={row.getToggleSelectedHandler()} /> : null,
            } satisfies ColumnDef<Row>,
          ]
        : []),
      {
        id: "name",
        // Values only so the table lets the header sort; the server does the sorting.
        accessorFn: (c) => c.name,
        header: "Name",
        enableHiding: false,
        cell: ({ row: { original: c } }) => (
          <div className="min-w-32">
            <Link href={`/containers/${c.hostId}/${c.id}`} className="font-medium text-sky-800 hover:underline">
              {c.name}
            </Link>
            <div className="font-mono text-xs text-slate-500">{shortId(c.id)}</div>
          </div>
        ),
      },
      {
        id: "image",
        accessorFn: (c) => c.image,
        header: "Image",
        cell: ({ row: { original: c }, table }) => (
          <div className="max-w-64">
            <span className="block truncate" title={c.image}>
              {c.image}
            </span>
            <UpdateBadge update={c.update} now={metaOf(table).now} />
          </div>
        ),
      },
      {
        id: "command",
        header: "Command",
        enableSorting: false,
        cell: ({ row: { original: c } }) => (
          <span className="block max-w-48 truncate font-mono text-xs text-slate-600" title={c.command}>
            &quot;{c.command.length > 20 ? `${c.command.slice(0, 19)}…` : c.command}&quot;
          </span>
        ),
      },
      {
        id: "status",
        accessorFn: (c) => c.state,
        header: "Status",
        cell: ({ row: { original: c }, table }) => (
          <>
            <StatusCell c={c} now={metaOf(table).now} />
            {!c.live && <span className="block text-xs text-slate-500">(last known: host {metaOf(table).hostById.get(c.hostId)?.status.replace("_", " ") ?? "offline"})</span>}
          </>
        ),
      },
      {
        id: "ports",
        header: "Ports",
        enableSorting: false,
        cell: ({ row: { original: c }, table }) => <PortsCell ports={c.ports} hostAddress={metaOf(table).hostById.get(c.hostId)?.facts.hostname} />,
      },
      {
        id: "host",
        accessorFn: (c) => c.hostName,
        header: "Host",
        cell: ({ row: { original: c } }) => (
          <Link href={`/hosts/${c.hostId}`} className="whitespace-nowrap text-slate-700 hover:underline">
            {c.hostName}
          </Link>
        ),
      },
      {
        id: "created",
        accessorFn: (c) => c.createdAt,
        header: "Created",
        cell: ({ row: { original: c }, table }) => <RelativeTime at={c.createdAt} now={metaOf(table).now} align="end" />,
      },
      {
        id: "actions",
        header: () => <span className="sr-only">Actions</span>,
        enableHiding: false,
        enableSorting: false,
        cell: ({ row: { original: c }, table }) => <ContainerRowMenu c={c} onAction={(action) => metaOf(table).onRowAction(c, action)} />,
      },
    ],
    // Fixed for the table's life: a new cell function would be a new component, remounting every cell
    // (an open row menu would close each second as the clock ticks).
    [canOperate],
  );

  // eslint-disable-next-line react-hooks/incompatible-library -- the table is rebuilt each render on purpose; nothing memoizes its functions
  const table = useReactTable({
    data: items,
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: key,
    meta: { now, hostById, onRowAction: (row, action) => setRowRequest({ row, action }) } satisfies CellMeta,
    manualSorting: true,
    manualPagination: true,
    enableMultiSort: false,
    enableSortingRemoval: false,
    state: { sorting, rowSelection, columnVisibility },
    enableRowSelection: (row) => mayOperate(row.original.access),
    onRowSelectionChange: (updater) => {
      setAllMatching(null);
      setRowSelection(updater);
    },
    onColumnVisibilityChange: (updater) => setColumnVisibility(typeof updater === "function" ? updater(columnVisibility) : updater),
    onSortingChange: (updater) => {
      const next = (typeof updater === "function" ? updater(sorting) : updater)[0];
      if (next) setParam({ sort: SORT_OF[next.id] ?? "created", dir: next.desc ? "desc" : "asc" });
    },
  });

  // The selection is what is on screen: rows that left the page (removed, filtered out) drop out of it.
  const pageSelected = items.filter((c) => rowSelection[key(c)]);
  const selectedRows = allMatching ?? pageSelected;
  const selectableOnPage = items.filter((c) => mayOperate(c.access));
  const wholePage = selectableOnPage.length > 0 && pageSelected.length === selectableOnPage.length;
  const total = data?.total ?? 0;

  /** Reads every match (in the server's order) so an action on "all N" really covers all N. */
  async function selectAllMatching() {
    setLoadingAll(true);
    try {
      const rows: Row[] = [];
      for (let offset = 0; offset < Math.min(total, MATCHING_MAX); offset += 500) {
        const page = await queryClient.fetchQuery(trpc.containers.list.queryOptions({ ...filter, offset, limit: 500 }));
        rows.push(...page.items);
        if (page.items.length < 500) break;
      }
      setAllMatching(rows.filter((c) => mayOperate(c.access)));
    } finally {
      setLoadingAll(false);
    }
  }
  const clearSelection = () => {
    setRowSelection({});
    setAllMatching(null);
  };

  /** Arrow keys move between rows, Home/End to the ends, Enter opens the container, Space selects it. */
  /** On the body, for every row: arrow keys move between rows, Home/End to the ends, Enter opens the container, Space selects it. */
  function onRowKey(e: KeyboardEvent<HTMLTableSectionElement>) {
    const tr = e.target as HTMLElement;
    if (tr.dataset.testid !== "container-row") return;
    const c = items.find((r) => key(r) === tr.dataset.key);
    if (!c) return;
    const rows = [...e.currentTarget.querySelectorAll<HTMLTableRowElement>("tr[data-testid=container-row]")];
    const at = rows.indexOf(tr as HTMLTableRowElement);
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: rows.length - 1 }[e.key];
    if (to !== undefined) {
      e.preventDefault();
      rows[Math.max(0, Math.min(rows.length - 1, to))]?.focus();
    } else if (e.key === "Enter") {
      e.preventDefault();
      router.push(`/containers/${c.hostId}/${c.id}`);
    } else if (e.key === " ") {
      e.preventDefault();
      if (mayOperate(c.access)) table.getRow(key(c)).toggleSelected();
    }
  }

  // Which columns show, as one value: a memoized row re-renders when it changes.
  const columnsShown = table
    .getVisibleLeafColumns()
    .map((c) => c.id)
    .join(",");
  const toTarget = (c: Row) => ({ hostId: c.hostId, id: c.id, name: c.name, state: c.state, hostName: c.hostName });
  const firstShown = view.page * view.size + 1;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-xl font-semibold">Containers</h1>
        <div className="flex flex-wrap items-center gap-2">
          <Input
            type="search"
            aria-label="Filter by name, image, id, command or host"
            aria-describedby="container-filter-help"
            placeholder="Filter: web label:team=ux status:running…"
            value={text}
            onChange={(e) => setText(e.target.value)}
            className="w-full sm:w-80"
          />
          {canOperate && (
            <Link href="/run" className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800">
              Run container
            </Link>
          )}
          <HostFilter value={view.hostId} onChange={(host) => setParam({ host })} />
          {!!groups.data?.length && (
            <Select aria-label="Host group" value={view.group} onChange={(e) => setParam({ group: e.target.value })}>
              <option value="">All groups</option>
              {groups.data.map((g) => (
                <option key={g.name} value={g.name}>
                  {g.name}
                </option>
              ))}
            </Select>
          )}
        </div>
      </div>
      <p id="container-filter-help" className="-mt-2 text-xs text-slate-600">
        Words match name, id, image, command, labels and host. Terms: <code>label:key=value</code>, <code>label:key</code>, <code>image:</code>, <code>host:</code>,{" "}
        <code>status:running,unhealthy</code>; quote values with spaces.
      </p>
      {!!data?.problems.length && (
        <p role="alert" className="text-sm text-amber-800" data-testid="filter-problems">
          Left out of the filter: {data.problems.join("; ")}
        </p>
      )}

      <div role="group" aria-label="State" className="flex flex-wrap gap-1">
        {STATES.map((s) => (
          <button
            key={s.value}
            type="button"
            aria-pressed={view.state === s.value}
            onClick={() => setParam({ state: s.value === "all" ? "" : s.value })}
            className="rounded-full px-3 py-1 text-sm text-slate-600 ring-1 ring-slate-200 hover:bg-slate-100 aria-pressed:bg-slate-800 aria-pressed:text-white aria-pressed:ring-slate-800"
          >
            {s.label}
            <span className="ml-1.5 text-xs opacity-70">{data?.byState[s.value] ?? 0}</span>
          </button>
        ))}
        <button
          type="button"
          aria-pressed={view.outdated}
          onClick={() => setParam({ updates: view.outdated ? "" : "available" })}
          className="rounded-full px-3 py-1 text-sm text-amber-900 ring-1 ring-amber-300 hover:bg-amber-50 aria-pressed:bg-amber-600 aria-pressed:text-white aria-pressed:ring-amber-600"
        >
          Update available
        </button>
      </div>

      {canOperate && selectedRows.length > 0 && (
        <Card>
          <div className="flex flex-wrap items-center gap-3 p-3" data-testid="selection-bar">
            <span className="text-sm font-medium" data-testid="selection-count">
              {allMatching ? `All ${allMatching.length} matching selected` : wholePage && total > pageSelected.length ? `${pageSelected.length} on this page selected` : `${selectedRows.length} selected`}
            </span>
            {!allMatching && wholePage && total > pageSelected.length && (
              <Button onClick={() => void selectAllMatching()} disabled={loadingAll}>
                {loadingAll ? "Reading all matches…" : `Select all ${Math.min(total, MATCHING_MAX)} matching`}
              </Button>
            )}
            <Button variant="ghost" onClick={clearSelection}>
              Clear selection
            </Button>
            <ContainerActions compact targets={selectedRows.map(toTarget)} onDone={() => setAllMatching(null)} />
            {selectedRows.some((c) => c.logs) && (
              <Link href={mergedLogsHref(selectedRows.filter((c) => c.logs))} className="rounded-md px-3 py-1.5 text-sm font-medium text-sky-800 ring-1 ring-sky-200 hover:bg-sky-50">
                Logs of {selectedRows.filter((c) => c.logs).length}
              </Link>
            )}
            <Button onClick={() => setUpdating(selectedRows.map((c) => ({ hostId: c.hostId, hostName: c.hostName, id: c.id, name: c.name })))}>Update {selectedRows.length}</Button>
          </div>
        </Card>
      )}
      {rowRequest && <ContainerActions headless targets={[toTarget(rowRequest.row)]} request={rowRequest} />}
      {rolloutId && <RolloutProgress key={rolloutId} rolloutId={rolloutId} />}
      <UpdateDialog
        targets={updating}
        title={`Update ${updating?.length === 1 ? "1 container" : `${updating?.length ?? 0} containers`}?`}
        onClose={() => setUpdating(null)}
        onStarted={(id) => {
          setRolloutId(id);
          clearSelection();
        }}
      />
      <ErrorNote error={list.error} />
      <Card>
        <div className="flex flex-wrap items-center justify-end gap-2 border-b border-slate-200 px-4 py-2 text-sm">
          <Menu.Root modal={false}>
            <Menu.Trigger className="rounded-md px-3 py-1 text-sm font-medium ring-1 ring-slate-300 hover:bg-slate-100">Columns</Menu.Trigger>
            <Menu.Portal>
              <Menu.Content align="end" sideOffset={4} className="z-40 min-w-40 rounded-md border border-slate-200 bg-white p-1 shadow-lg">
                {HIDEABLE.map((col) => (
                  <Menu.CheckboxItem
                    key={col.id}
                    checked={table.getColumn(col.id)?.getIsVisible() ?? true}
                    onCheckedChange={(v) => table.getColumn(col.id)?.toggleVisibility(v)}
                    onSelect={(e) => e.preventDefault()}
                    className="flex cursor-default items-center gap-2 rounded px-2 py-1.5 text-sm outline-none data-[highlighted]:bg-sky-100"
                  >
                    <span className="w-4" aria-hidden>
                      <Menu.ItemIndicator>✓</Menu.ItemIndicator>
                    </span>
                    {col.label}
                  </Menu.CheckboxItem>
                ))}
              </Menu.Content>
            </Menu.Portal>
          </Menu.Root>
          <label className="flex items-center gap-1.5">
            <span>Per page</span>
            <Select value={view.size} onChange={(e) => setParam({ size: e.target.value === "50" ? "" : e.target.value })} className="py-1">
              {PAGE_SIZES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </Select>
          </label>
        </div>
        <div className="overflow-x-auto">
          <table className="table-cards w-full text-left text-sm" aria-label="Containers" aria-rowcount={total + 1} data-rows-for={data && !list.isPlaceholderData ? q : undefined}>
            <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
              {table.getHeaderGroups().map((g) => (
                <tr key={g.id}>
                  {g.headers.map((h) => {
                    const sorted = h.column.getIsSorted();
                    const sortable = h.column.getCanSort() && h.column.id in SORT_OF;
                    return (
                      <th key={h.id} scope="col" className={`px-3 py-2 font-medium ${h.column.id === "select" ? "w-8 pl-4" : ""}`} aria-sort={sortable ? (sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : "none") : undefined}>
                        {sortable ? (
                          <button type="button" onClick={h.column.getToggleSortingHandler()} className="inline-flex items-center gap-1 uppercase hover:text-slate-800">
                            {flexRender(h.column.columnDef.header, h.getContext())}
                            <span aria-hidden className={sorted ? "" : "opacity-30"}>
                              {sorted === "asc" ? "▲" : sorted === "desc" ? "▼" : "↕"}
                            </span>
                          </button>
                        ) : (
                          flexRender(h.column.columnDef.header, h.getContext())
                        )}
                      </th>
                    );
                  })}
                </tr>
              ))}
            </thead>
            <tbody className="divide-y divide-slate-100" onKeyDown={onRowKey}>
              {table.getRowModel().rows.map((row, i) => (
                <ContainerRowView
                  key={row.id}
                  row={row}
                  index={firstShown + i + 1}
                  selected={row.getCanSelect() ? row.getIsSelected() || !!allMatching : undefined}
                  now={now}
                  hosts={hostById}
                  columns={columnsShown}
                />
              ))}
            </tbody>
          </table>
        </div>
        {list.isPending && (
          <div className="p-6">
            <Spinner label="Loading containers…" />
          </div>
        )}
        {data && data.total === 0 && (
          <p className="p-6 text-sm text-slate-500">
            {q || view.state !== "all" || view.hostId || view.outdated ? "No container matches these filters." : "No containers yet. Add a host, or run one on a host that is already here."}
          </p>
        )}
        {data && data.total > 0 && (
          <footer className="flex flex-wrap items-center justify-between gap-2 border-t border-slate-200 px-4 py-2 text-sm text-slate-600">
            <span data-testid="page-range">
              {firstShown}–{Math.min((view.page + 1) * view.size, data.total)} of {data.total}
            </span>
            <span className="flex gap-2">
              <Button disabled={view.page === 0} onClick={() => setParam({ page: String(view.page - 1) })}>
                Previous
              </Button>
              <Button disabled={(view.page + 1) * view.size >= data.total} onClick={() => setParam({ page: String(view.page + 1) })}>
                Next
              </Button>
            </span>
          </footer>
        )}
      </Card>
    </div>
  );
}
