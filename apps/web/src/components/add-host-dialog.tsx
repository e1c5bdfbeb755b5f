"use client";

import { useEffect, useRef, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { FleetTokenForm, OpenJoinTokens } from "./join-tokens";
import { Tabs } from "./tabs";
import { Button, CopyButton, Dialog, ErrorNote, RelativeTime, Spinner, useNow } from "./ui";

type HostKind = "service" | "container";

/**
 * "Add host": makes a join token when asked (one host, or several) and shows the line to run for how
 * the agent will run there. Nothing is minted by opening the dialog: every token is a credential
 * until it is used or expires, and is listed below until then.
 */
export function AddHostDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.hosts.createJoinToken.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.hosts.joinTokens.queryKey() }) }));
  const { mutate, reset } = create;
  const [kind, setKind] = useState<HostKind>("service");
  const lines = useRef<HTMLDivElement>(null);
  const now = useNow(30_000);

  useEffect(() => {
    if (!open) reset();
  }, [open, reset]);
  // The button that asked for the token is gone: focus goes to what it made.
  useEffect(() => {
    if (create.data) lines.current?.focus();
  }, [create.data]);
  const uses = create.data?.maxUses ?? 1;

  return (
    <Dialog open={open} onClose={onClose} title="Add host">
      <div className="space-y-4 text-sm">
        <p className="text-slate-600">
          Run one line on the new host. The agent dials out to Stevedore, so the host needs no open port; it trades the join token for a credential of its own.
        </p>
        {!create.data && (
          <div className="flex flex-wrap items-center gap-3">
            <Button variant="primary" onClick={() => mutate({})} disabled={create.isPending}>
              Create a one-time join token
            </Button>
            {create.isPending && <Spinner label="Creating a join token…" />}
          </div>
        )}
        <ErrorNote error={create.error} />
        {create.data && (
          <div ref={lines} tabIndex={-1} className="space-y-4 outline-none" data-testid="join-lines">
            {create.data.warning && (
              <p role="alert" data-testid="join-warning" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-red-800">
                {create.data.warning}
              </p>
            )}
            {create.data.loopback && <LoopbackNote addresses={create.data.loopback.addresses} />}
            <Tabs
              label="How the agent runs on the host"
              value={kind}
              onChange={(k) => setKind(k as HostKind)}
              items={[
                {
                  value: "service",
                  label: "Service (systemd)",
                  content: () => (
                    <CommandBlock
                      label={`Needs Node.js ≥ 20 and curl${create.data.caPin ? ", openssl" : ""} on the host`}
                      command={create.data.command}
                      hint={`Downloads the agent into /opt/stevedore-agent, checks its SHA-256, enrolls the host and starts the stevedore-agent service. Run it again later to upgrade; add --uninstall to remove it.${create.data.caPin ? " The line first fetches Stevedore's CA certificate and installs only if its public key matches the pin it carries; the agent then trusts that CA alone." : ""}`}
                    />
                  ),
                },
                {
                  value: "container",
                  label: "Container",
                  content: () => (
                    <CommandBlock
                      label="Needs the Docker Engine (the image is built from infra/agent.Dockerfile)"
                      command={create.data.containerCommand}
                      hint="Upgrade: docker rm -f stevedore-agent, then the same command with the new image: the credential stays in the stevedore-agent volume and the used token is ignored."
                    />
                  ),
                },
              ]}
            />
            {create.data.caPin && (
              <p className="text-slate-500">
                CA pin (the SHA-256 of the public key of Stevedore&apos;s CA): <code className="break-all font-mono text-xs" data-testid="ca-pin">{create.data.caPin}</code>
              </p>
            )}
            <p className="text-slate-500">
              {uses === 1 ? "The token works once" : `The token enrolls up to ${uses} hosts`} and expires <RelativeTime at={create.data.expiresAt.getTime()} now={now} />. A host appears in the list as soon as its agent connects.
            </p>
          </div>
        )}
        <FleetTokenForm pending={create.isPending} onCreate={(opts) => mutate(opts)} />
        <OpenJoinTokens />
      </div>
    </Dialog>
  );
}

/** The default URL names this machine: say so before someone runs a line that cannot work elsewhere. */
function LoopbackNote({ addresses }: { addresses: string[] }) {
  return (
    <div role="alert" data-testid="join-loopback" className="space-y-1 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-amber-900">
      <p>
        Stevedore&apos;s URL is a loopback address: only an agent on this machine can reach it. For another host, set <code className="font-mono text-xs">PUBLIC_URL</code> to an address it can reach and restart
        Stevedore{addresses.length > 0 ? "; this machine has:" : "."}
      </p>
      {addresses.length > 0 && (
        <ul className="font-mono text-xs">
          {addresses.map((a) => (
            <li key={a}>PUBLIC_URL={a}</li>
          ))}
        </ul>
      )}
      <p className="text-xs">Agents use plain http only to loopback: give Stevedore TLS (TLS_CERT_FILE and TLS_KEY_FILE) and an https:// URL, or install with --insecure-http at your own risk.</p>
    </div>
  );
}

function CommandBlock({ label, command, hint }: { label: string; command: string; hint: string }) {
  return (
    <div className="space-y-1">
      <div className="flex items-center justify-between">
        <span className="font-medium">{label}</span>
        <CopyButton text={command} />
      </div>
      <pre data-testid="join-command" className="palette-fixed whitespace-pre-wrap break-all rounded-md bg-slate-900 p-3 font-mono text-xs text-slate-100">
        {command}
      </pre>
      <p className="text-xs text-slate-500">{hint}</p>
    </div>
  );
}
