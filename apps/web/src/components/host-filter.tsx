import { HostPicker } from "./host-picker";

/** "All hosts" or one of them, for filtering a list: a searchable picker over the server's hosts search. */
export function HostFilter({ value, onChange }: { value: string; onChange: (hostId: string) => void }) {
  return <HostPicker label="Host" noneLabel="All hosts" value={value} onChange={onChange} />;
}
