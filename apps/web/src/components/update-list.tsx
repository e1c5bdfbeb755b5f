"use client";

import Link from "next/link";
import { useMemo, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/trpc/root";
import { useTRPC } from "@/lib/trpc";
import { newerText } from "./update-badge";
import { RolloutProgress } from "./rollout-progress";
import { Badge, Button, Card, ErrorNote, Input, RelativeTime, Select, Spinner, toast, useNow } from "./ui";
import { UpdateDialog } from "./update-dialog";

type Sort = "outdated" | "reference" | "checked";
type Row = inferRouterOutputs<AppRouter>["updates"]["list"][number];

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The fleet's images whose tag moved on, by reference, with the containers on each host that run them. */
export function UpdateList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const now = useNow(10_000);
  const [text, setText] = useState("");
  const [sort, setSort] = useState<Sort>("outdated");
  const report = useQuery(trpc.updates.list.queryOptions());
  const schedule = useQuery(trpc.updates.schedule.queryOptions());
  // Whether the caller operates any host (one asked for); "Check now" reads which, page by page, when pressed.
  const operates = useQuery(trpc.hosts.search.queryOptions({ operable: true, limit: 1 }));
  const [collecting, setCollecting] = useState(false);
  async function checkNow() {
    setCollecting(true);
    try {
      const ids: string[] = [];
      for (let offset = 0; ; offset += 500) {
        const page = await queryClient.fetchQuery(trpc.hosts.search.queryOptions({ operable: true, offset, limit: 500 }));
        ids.push(...page.items.map((h) => h.id));
        if (page.items.length < 500 || ids.length >= page.total) break;
      }
      check.mutate({ hostIds: ids });
    } catch (err) {
      toast({ tone: "error", title: "The update check failed", details: [(err as Error).message] });
    } finally {
      setCollecting(false);
    }
  }
  const check = useMutation(
    trpc.updates.check.mutationOptions({
      onSuccess: (s) => {
        toast({
          tone: "ok",
          title: `Checked ${plural(s.references, "image reference")}: ${s.outdated} outdated`,
          details: [`${plural(s.requests, "registry request")}${s.failed ? `; ${s.failed} could not be checked` : ""}`],
        });
        void queryClient.invalidateQueries({ queryKey: trpc.updates.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.containers.list.pathKey() });
      },
      onError: (err) => toast({ tone: "error", title: "The update check failed", details: [err.message] }),
    }),
  );

  const [updating, setUpdating] = useState<{ reference: string; targets: Row["containers"] } | null>(null);
  const [rollouts, setRollouts] = useState<Record<string, string>>({});

  const rows = useMemo(() => {
    const q = text.trim().toLowerCase();
    const matching = (report.data ?? []).filter((r) => !q || r.reference.toLowerCase().includes(q) || r.containers.some((c) => c.name.toLowerCase().includes(q) || c.hostName.toLowerCase().includes(q)));
    const by: Record<Sort, (a: (typeof matching)[number], b: (typeof matching)[number]) => number> = {
      outdated: (a, b) => b.outdated - a.outdated || a.reference.localeCompare(b.reference),
      reference: (a, b) => a.reference.localeCompare(b.reference),
      checked: (a, b) => b.checkedAt - a.checkedAt,
    };
    return matching.sort(by[sort]);
  }, [report.data, text, sort]);

  const last = schedule.data?.last;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">Updates</h1>
          <p className="text-sm text-slate-600" data-testid="update-schedule">
            {last ? (
              <>
                Last checked <RelativeTime at={last.finishedAt} now={now} />: {plural(last.references, "reference")}, {plural(last.requests, "registry request")}, {last.outdated} outdated
                {last.failed ? `, ${last.failed} failed` : ""}.
              </>
            ) : (
              "Not checked yet."
            )}
            {schedule.data?.nextAt && (
              <>
                {" "}
                {/* A due check starts within a minute (each replica polls), so a time in the past reads "due now". */}
                {schedule.data.nextAt > now ? (
                  <>
                    Next scheduled check <RelativeTime at={schedule.data.nextAt} now={now} />.
                  </>
                ) : (
                  "Next scheduled check due now."
                )}
              </>
            )}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <Input type="search" aria-label="Filter by image, container or host" placeholder="Filter by image, container, host…" value={text} onChange={(e) => setText(e.target.value)} className="w-64" />
          <Select aria-label="Sort" value={sort} onChange={(e) => setSort(e.target.value as Sort)}>
            <option value="outdated">Most outdated first</option>
            <option value="reference">By image</option>
            <option value="checked">Recently checked</option>
          </Select>
          {(operates.data?.total ?? 0) > 0 && (
            <Button variant="primary" disabled={check.isPending || collecting} onClick={() => void checkNow()}>
              {collecting ? "Reading your hosts…" : check.isPending ? "Checking registries…" : "Check now"}
            </Button>
          )}
        </div>
      </div>
      <ErrorNote error={report.error ?? schedule.error} />
      {check.isPending && <Spinner label="Asking each registry what its tags name now…" />}
      <Card>
        {report.isPending && (
          <div className="p-6">
            <Spinner label="Loading…" />
          </div>
        )}
        {report.data && rows.length === 0 && (
          <p className="p-6 text-sm text-slate-500">{text ? "No image matches this filter." : "Every checked image is what its tag names in its registry."}</p>
        )}
        <ul className="divide-y divide-slate-100">
          {rows.map((r) => (
            <li key={r.reference} data-testid="update-row" className="space-y-2 p-4">
              <div className="flex flex-wrap items-center gap-2">
                <span className="break-all font-mono text-sm font-medium">{r.reference}</span>
                {r.outdated > 0 && <Badge tone="amber">new image under this tag</Badge>}
                {newerText(r.newer) && <Badge tone="sky">{newerText(r.newer)}</Badge>}
                <span className="ml-auto text-xs text-slate-500">
                  checked <RelativeTime at={r.checkedAt} now={now} />
                </span>
              </div>
              {r.error && <p className="text-sm text-red-700">The last check failed: {r.error}</p>}
              {r.containers.some((c) => c.update === "outdated" && c.operable) && !rollouts[r.reference] && (
                <Button variant="primary" onClick={() => setUpdating({ reference: r.reference, targets: r.containers.filter((c) => c.update === "outdated" && c.operable) })}>
                  Update {plural(r.containers.filter((c) => c.update === "outdated" && c.operable).length, "container")}
                </Button>
              )}
              {rollouts[r.reference] && (
                <RolloutProgress
                  rolloutId={rollouts[r.reference]!}
                  onDone={() => {
                    void queryClient.invalidateQueries({ queryKey: trpc.updates.pathKey() });
                  }}
                />
              )}
              <p className="text-xs text-slate-600">
                Outdated: {r.outdated} of {plural(r.total, "container")}
              </p>
              {automaticLines(r.containers).map(([line, n]) => (
                <p key={line} className="text-xs text-emerald-800">
                  {n === 1 ? "1 container updates itself" : `${n} containers update themselves`} {line}.
                </p>
              ))}
              <ul className="flex flex-wrap gap-2">
                {r.containers.map((c) => (
                  <li key={`${c.hostId}/${c.id}`}>
                    <Link
                      href={`/containers/${c.hostId}/${c.id}`}
                      className={`inline-flex items-center gap-1 rounded-md px-2 py-1 text-xs ring-1 hover:bg-slate-50 ${c.update === "outdated" ? "ring-amber-300" : "ring-slate-200"}`}
                    >
                      <span className="font-medium">{c.name}</span>
                      <span className="text-slate-500">on {c.hostName}</span>
                      <span className="text-slate-500">· {c.update === "outdated" ? "outdated" : c.update === "unknown" ? "unknown" : "current"}</span>
                      {c.automatic && (
                        <span className="text-emerald-800" title={`updates itself ${c.automatic}`}>
                          · automatic
                        </span>
                      )}
                    </Link>
                  </li>
                ))}
                {r.total > r.containers.length && <li className="text-xs text-slate-500">and {r.total - r.containers.length} more</li>}
              </ul>
            </li>
          ))}
        </ul>
      </Card>
      <UpdateDialog
        targets={updating?.targets ?? null}
        title={`Update ${plural(updating?.targets.length ?? 0, "container")} of ${updating?.reference ?? ""}?`}
        onClose={() => setUpdating(null)}
        onStarted={(rolloutId) => updating && setRollouts((prev) => ({ ...prev, [updating.reference]: rolloutId }))}
      />
    </div>
  );
}

/** The distinct automatic-update policies of a row's containers, with how many each covers. */
function automaticLines(containers: { automatic: string | null }[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const c of containers) if (c.automatic) counts.set(c.automatic, (counts.get(c.automatic) ?? 0) + 1);
  return [...counts];
}
