"use client";

import { useState } from "react";
import { HostFilter } from "../host-filter";
import { Button, Input, Select } from "../ui";

type Use = "all" | "used" | "unused";

/** The volumes and networks lists' filter, as the list query takes it (empty choices left out). */
export function useResourceFilter() {
  const [name, setName] = useState("");
  const [hostId, setHostId] = useState("");
  const [driver, setDriver] = useState("");
  const [use, setUse] = useState<Use>("all");
  return {
    values: { name, hostId, driver, use },
    set: { name: setName, hostId: setHostId, driver: setDriver, use: setUse },
    input: { name: name || undefined, hostId: hostId || undefined, driver: driver || undefined, use },
  };
}

/** The filter controls (name, host, driver, in use) and, for those who may change something, Prune and Create. */
export function ResourceToolbar({
  noun,
  filter,
  drivers,
  onPrune,
  onCreate,
  canCreate,
}: {
  noun: "volume" | "network";
  filter: ReturnType<typeof useResourceFilter>;
  drivers: readonly string[] | undefined;
  onPrune: (() => void) | null;
  onCreate: (() => void) | null;
  canCreate: boolean;
}) {
  const { values, set } = filter;
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      <Input type="search" aria-label={`Search ${noun}s`} placeholder="Name…" value={values.name} onChange={(e) => set.name(e.target.value)} className="w-48" />
      <HostFilter value={values.hostId} onChange={set.hostId} />
      <Select aria-label="Driver" value={values.driver} onChange={(e) => set.driver(e.target.value)}>
        <option value="">Any driver</option>
        {drivers?.map((d) => (
          <option key={d} value={d}>
            {d}
          </option>
        ))}
      </Select>
      <Select aria-label="In use" value={values.use} onChange={(e) => set.use(e.target.value as Use)}>
        <option value="all">In use or not</option>
        <option value="used">In use</option>
        <option value="unused">Unused</option>
      </Select>
      {onPrune && (
        <Button onClick={onPrune} disabled={!canCreate}>
          Prune…
        </Button>
      )}
      {onCreate && (
        <Button variant="primary" onClick={onCreate} disabled={!canCreate}>
          Create {noun}
        </Button>
      )}
    </div>
  );
}
