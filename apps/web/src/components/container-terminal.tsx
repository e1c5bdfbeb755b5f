"use client";

import { useEffect, useRef, useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { needsStepUp } from "@/lib/step-up";
import { SecondFactorCode } from "./second-factor-code";
import { TerminalView } from "./terminal-view";
import { Button, Card, ErrorNote, Input, RelativeTime, Select, useNow } from "./ui";

const SHELLS = ["sh", "bash", "custom"] as const;
/** A size to start with; the terminal sends its real size as soon as it is on screen. */
const INITIAL_SIZE = { cols: 120, rows: 32 };

interface Active {
  sessionId: string;
  ticket: string;
}

/** The browser keeps the session id per container, so a reload rejoins the same process. */
const storageKey = (hostId: string, id: string) => `stevedore.terminal.${hostId}.${id}`;

/**
 * Attach (PID 1's stdio, like `docker attach`) or Shell (a new process, like `docker exec -it`), the
 * live sessions on this container that can be joined, and the terminal itself.
 */
export function ContainerTerminal({ hostId, id, running, autoAttach }: { hostId: string; id: string; running: boolean; autoAttach?: boolean }) {
  const trpc = useTRPC();
  const now = useNow();
  const [active, setActive] = useState<Active | null>(null);
  const [shell, setShell] = useState<(typeof SHELLS)[number]>("sh");
  const [custom, setCustom] = useState("");
  const [user, setUser] = useState("");
  const prefs = useQuery(trpc.me.preferences.queryOptions());
  const me = useQuery(trpc.me.get.queryOptions());
  const sessions = useQuery({ ...trpc.terminals.list.queryOptions({ hostId, containerId: id }), refetchInterval: 5_000 });
  const open = useMutation(trpc.terminals.open.mutationOptions());
  const join = useMutation(trpc.terminals.join.mutationOptions());
  const close = useMutation(trpc.terminals.close.mutationOptions());
  const autoStarted = useRef(false);
  /** The last open or join, to run again once a step-up is done. */
  const lastAttempt = useRef<(() => void) | null>(null);
  const attempt = (run: () => void) => {
    lastAttempt.current = run;
    run();
  };

  const start = (r: Active) => {
    sessionStorage.setItem(storageKey(hostId, id), r.sessionId);
    setActive(r);
  };

  useEffect(() => {
    if (autoStarted.current) return;
    autoStarted.current = true;
    const saved = sessionStorage.getItem(storageKey(hostId, id));
    if (saved) {
      join.mutate({ sessionId: saved }, { onSuccess: start, onError: () => sessionStorage.removeItem(storageKey(hostId, id)) });
    } else if (autoAttach && running) {
      open.mutate({ hostId, containerId: id, mode: "attach", size: INITIAL_SIZE }, { onSuccess: start });
    }
    // Once, on the first render: a reload rejoins, an interactive run attaches.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const command = shell === "custom" ? custom.trim().split(/\s+/).filter(Boolean) : [shell];
  const others = sessions.data?.filter((s) => s.id !== active?.sessionId) ?? [];

  return (
    <Card title="Terminal">
      <div className="space-y-3 p-4">
        {!active && (
          <div className="flex flex-wrap items-end gap-3">
            <Button variant="primary" disabled={!running || open.isPending} onClick={() => attempt(() => open.mutate({ hostId, containerId: id, mode: "attach", size: INITIAL_SIZE }, { onSuccess: start }))}>
              Attach
            </Button>
            <span className="text-xs text-slate-500">to PID 1, like docker attach</span>
            <span className="mx-2 h-6 border-l border-slate-200" />
            <label className="space-y-1 text-sm">
              <span className="block text-xs text-slate-500">Command</span>
              <Select aria-label="Shell command" value={shell} onChange={(e) => setShell(e.target.value as (typeof SHELLS)[number])}>
                {SHELLS.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </Select>
            </label>
            {shell === "custom" && <Input aria-label="Custom command" placeholder="e.g. python3 -i" value={custom} onChange={(e) => setCustom(e.target.value)} className="w-56" />}
            <label className="space-y-1 text-sm">
              <span className="block text-xs text-slate-500">User</span>
              <Input aria-label="User" placeholder="default" value={user} onChange={(e) => setUser(e.target.value)} className="w-28" />
            </label>
            <Button disabled={!running || open.isPending || command.length === 0} onClick={() => attempt(() => open.mutate({ hostId, containerId: id, mode: "exec", command, user: user.trim() || undefined, size: INITIAL_SIZE }, { onSuccess: start }))}>
              Open shell
            </Button>
            {!running && <span className="text-sm text-slate-500">The container is not running.</span>}
          </div>
        )}
        {needsStepUp(open.error ?? join.error) ? (
          // The host is in a step-up group: the code is asked for here, then the same terminal opens.
          <div role="group" aria-label="Step-up" className="space-y-2 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm">
            <p>{(open.error ?? join.error)?.message}</p>
            <SecondFactorCode submitLabel="Verify and open" onVerified={() => lastAttempt.current?.()} />
          </div>
        ) : (
          <ErrorNote error={open.error ?? join.error ?? close.error} />
        )}
        {others.length > 0 && (
          <ul className="space-y-1 text-sm" aria-label="Live sessions">
            {others.map((s) => {
              const mine = me.data?.email === s.startedBy;
              return (
                <li key={s.id} className="flex flex-wrap items-center gap-2">
                  <span>
                    {s.startedBy}: {s.mode === "attach" ? "attached" : <code>{s.command.join(" ")}</code>}, <RelativeTime at={s.startedAt} now={now} />
                    {s.viewers > 0 && `, ${s.viewers} watching`}
                  </span>
                  <Button className="py-0.5 text-xs" title={mine ? "Rejoin your session" : "Watch read-only; its owner can allow you to type"} onClick={() => attempt(() => join.mutate({ sessionId: s.id }, { onSuccess: start }))}>
                    {mine ? "Join" : "Watch"}
                  </Button>
                </li>
              );
            })}
          </ul>
        )}
        {active && (
          <>
            <TerminalView
              key={active.ticket}
              sessionId={active.sessionId}
              ticket={active.ticket}
              detachKeys={prefs.data?.detachKeys}
              onEnded={() => sessionStorage.removeItem(storageKey(hostId, id))}
              onClose={() => close.mutate({ sessionId: active.sessionId })}
              mayCloseOthers={me.data?.highestRole === "admin"}
            />
            <Button className="py-1" onClick={() => setActive(null)}>
              Leave
            </Button>
            <span className="ml-2 text-xs text-slate-500">A session nobody watches ends after a minute; until then it can be joined again.</span>
          </>
        )}
      </div>
    </Card>
  );
}
