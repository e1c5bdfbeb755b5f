import { Select } from "./ui";

/** "All hosts" or one of them, for filtering a list. */
export function HostFilter({ hosts, value, onChange }: { hosts: readonly { id: string; name: string }[] | undefined; value: string; onChange: (hostId: string) => void }) {
  return (
    <Select aria-label="Host" value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">All hosts</option>
      {hosts?.map((h) => (
        <option key={h.id} value={h.id}>
          {h.name}
        </option>
      ))}
    </Select>
  );
}
