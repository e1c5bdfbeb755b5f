import { humanDuration } from "@stevedore/protocol";

/** "less than a second ago", "3 minutes ago", "in 6 hours": lower case, as it mostly sits inside a sentence ("connected …"). */
export function ago(t: number, now: number): string {
  const d = humanDuration(Math.abs(now - t));
  const lower = `${d.charAt(0).toLowerCase()}${d.slice(1)}`;
  // A second of clock difference between server and browser is still "ago", not "in less than a second".
  return t > now + 1000 ? `in ${lower}` : `${lower} ago`;
}

/** The exact instant with its time zone ("7 Dec 2026, 11:32:51 UTC"), in the browser's locale. */
export function exactTime(t: number): string {
  return exactFormat.format(t);
}
// One formatter for every call: toLocaleString with options builds a new one each time, and every row of
// a list formats its times on each tick of the clock (it was a sixth of a keystroke's CPU on the containers page).
const exactFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "long" });

export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, "").slice(0, 12);
}
