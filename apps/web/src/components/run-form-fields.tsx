"use client";

import { cloneElement, useId, useState, type ReactElement, type ReactNode } from "react";
import type { NetworkRow } from "@/lib/run-form";
import { Button, Input, Select } from "./ui";

type Control = ReactElement<{ id?: string; "aria-describedby"?: string; "aria-invalid"?: boolean; "data-field"?: string }>;

/**
 * A labelled control with its problems underneath. The hint and the problems are linked as its
 * description (read out, not part of its name); a control with problems is `aria-invalid`, which is
 * also how the form finds the first one to focus.
 */
export function Field({ label, hint, errors, field, children }: { label: string; hint?: ReactNode; errors?: readonly string[]; field: string; children: Control }) {
  const id = useId();
  // The problem first: it is what a screen reader user needs to hear when the field is focused.
  const described = [errors?.length ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="space-y-1 text-sm">
      <label htmlFor={id} className="block font-medium">
        {label}
      </label>
      {cloneElement(children, { id, "aria-describedby": described, "aria-invalid": errors?.length ? true : undefined, "data-field": field })}
      {errors && errors.length > 0 && <FieldErrors id={`${id}-error`} errors={errors} />}
      {hint && (
        <span id={`${id}-hint`} className="block text-xs text-slate-500">
          {hint}
        </span>
      )}
    </div>
  );
}

export function FieldErrors({ id, errors }: { id?: string; errors: readonly string[] }) {
  return (
    <ul id={id} className="space-y-0.5 text-xs font-medium text-red-700" data-testid="field-error">
      {errors.map((e) => (
        <li key={e}>{e}</li>
      ))}
    </ul>
  );
}

/** A host network as the picker offers it: on which of the chosen hosts it exists. */
export interface NetworkChoice {
  name: string;
  driver: string;
  /** Chosen hosts that lack it (the run fails there). */
  missingOn: string[];
}

/**
 * The networks a container joins, picked from the chosen hosts' own (`docker network ls`), each with
 * its DNS aliases. None: the engine's default bridge. The first is the one the container is created on.
 */
export function NetworkPicker({ rows, choices, onChange, errors, loading }: { rows: NetworkRow[]; choices: NetworkChoice[]; onChange: (rows: NetworkRow[]) => void; errors?: readonly string[]; loading: boolean }) {
  const update = (i: number, patch: Partial<NetworkRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  // A network the spec names that the hosts do not list (an edited container's, or a host not answering) stays choosable.
  const names = [...new Set([...choices.map((c) => c.name), ...rows.map((r) => r.name).filter(Boolean)])];
  const choice = (name: string) => choices.find((c) => c.name === name);
  return (
    <fieldset className="space-y-2 text-sm" aria-invalid={errors?.length ? true : undefined} data-field="networks" tabIndex={errors?.length ? -1 : undefined}>
      <legend className="font-medium">Networks</legend>
      {rows.length === 0 && <p className="text-xs text-slate-500">The engine&apos;s default bridge. Add a network to join one of the host&apos;s own, with aliases other containers there reach it by.</p>}
      {rows.map((r, i) => {
        const missing = choice(r.name)?.missingOn ?? [];
        return (
          <div key={i} className="grid grid-cols-[1fr_1fr_auto] items-end gap-2" data-testid="network-row">
            <label className="space-y-1">
              <span className="block text-xs text-slate-600">Network {i + 1}</span>
              <Select value={r.name} onChange={(e) => update(i, { name: e.target.value })} className="w-full" aria-label={`Network ${i + 1}`}>
                <option value="">choose…</option>
                {names.map((n) => (
                  <option key={n} value={n}>
                    {n}
                    {choice(n) ? ` (${choice(n)!.driver})` : " (not listed by the host)"}
                  </option>
                ))}
              </Select>
            </label>
            <label className="space-y-1">
              <span className="block text-xs text-slate-600">Aliases on network {i + 1}</span>
              <Input value={r.aliases} onChange={(e) => update(i, { aliases: e.target.value })} className="w-full font-mono" placeholder="api, api.internal" aria-label={`Aliases on network ${i + 1}`} />
            </label>
            <Button onClick={() => onChange(rows.filter((_, j) => j !== i))} aria-label={`Remove network ${i + 1}`}>
              Remove
            </Button>
            {missing.length > 0 && <p className="col-span-3 text-xs text-amber-800">Not on {missing.join(", ")}: the run fails there.</p>}
          </div>
        );
      })}
      <div className="flex items-center gap-2">
        <Button onClick={() => onChange([...rows, { name: "", aliases: "" }])}>Add network</Button>
        {loading && <span className="text-xs text-slate-500">Reading the hosts&apos; networks…</span>}
      </div>
      {errors && errors.length > 0 && <FieldErrors errors={errors} />}
    </fieldset>
  );
}

/** A named volume as the run form offers it: on which of the chosen hosts it exists. */
export interface VolumeChoice {
  name: string;
  driver: string;
  /** Chosen hosts that lack it (the engine would create an empty one there). */
  missingOn: string[];
}

/**
 * Adds `name:/path` for a named volume that exists on the chosen hosts (read from them), so a volume
 * is chosen rather than retyped; a name typed by hand still works (the engine then creates it).
 */
export function VolumePicker({ choices, loading, onAdd }: { choices: VolumeChoice[]; loading: boolean; onAdd: (line: string) => void }) {
  const [name, setName] = useState("");
  const [target, setTarget] = useState("");
  const id = useId();
  const chosen = choices.find((c) => c.name === name);
  const ready = !!chosen && target.startsWith("/");
  return (
    <div className="flex flex-wrap items-end gap-2 text-sm" data-testid="volume-picker">
      <label htmlFor={`${id}-v`} className="sr-only">
        Named volume on the hosts
      </label>
      <Select id={`${id}-v`} value={name} onChange={(e) => setName(e.target.value)} className="min-w-40">
        <option value="">{loading ? "Reading the hosts' volumes…" : choices.length ? "Choose a named volume…" : "No named volumes on these hosts"}</option>
        {choices.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name}
            {c.missingOn.length ? ` (not on ${c.missingOn.join(", ")})` : ""}
          </option>
        ))}
      </Select>
      <label htmlFor={`${id}-t`} className="sr-only">
        Path in the container for the volume
      </label>
      <Input id={`${id}-t`} value={target} onChange={(e) => setTarget(e.target.value)} placeholder="/path/in/container" className="w-44" />
      <Button
        disabled={!ready}
        onClick={() => {
          onAdd(`${name}:${target}`);
          setName("");
          setTarget("");
        }}
      >
        Add volume
      </Button>
    </div>
  );
}
