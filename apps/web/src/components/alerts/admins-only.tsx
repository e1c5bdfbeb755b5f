import { Card } from "../ui";
import { AlertTabs } from "./alert-tabs";

/** What a non-admin who follows a link to the rules or channels sees: why, instead of an error. */
export function AdminsOnly({ what }: { what: string }) {
  return (
    <div className="space-y-4">
      <AlertTabs />
      <h1 className="text-xl font-semibold">{what}</h1>
      <Card>
        <p className="p-4 text-sm text-slate-700">{what} are managed by admins. You see the alerts of your hosts on the Alerts tab.</p>
      </Card>
    </div>
  );
}
