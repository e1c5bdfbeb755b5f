"use client";

import { ThemeProvider as NextThemes, useTheme } from "next-themes";
import { useSyncExternalStore, type ReactNode } from "react";

/**
 * The theme: System (the default, follows prefers-color-scheme), Light or Dark, kept in localStorage by
 * next-themes. Its inline script sets class="dark" on <html> before the first paint (no flash of the
 * wrong theme) and carries the response's CSP nonce. The palette remap lives in app/theme.css.
 */
export function ThemeProvider({ nonce, children }: { nonce: string | undefined; children: ReactNode }) {
  return (
    <NextThemes attribute="class" defaultTheme="system" enableSystem disableTransitionOnChange storageKey="stevedore-theme" nonce={nonce}>
      {children}
    </NextThemes>
  );
}

const CHOICES = [
  { value: "system", label: "System", icon: <path d="M3 4h14v9H3zM7 17h6M10 13v4" /> },
  { value: "light", label: "Light", icon: <path d="M10 6.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7zM10 2v2M10 16v2M2 10h2M16 10h2M4.3 4.3l1.4 1.4M14.3 14.3l1.4 1.4M4.3 15.7l1.4-1.4M14.3 5.7l1.4-1.4" /> },
  { value: "dark", label: "Dark", icon: <path d="M16 12.5A6.5 6.5 0 0 1 7.5 4a6.5 6.5 0 1 0 8.5 8.5z" /> },
] as const;

const subscribeNothing = () => () => {};

/** System / Light / Dark as a radio group of three small buttons: icons, or icons and words (`labelled`). */
export function ThemeToggle({ labelled = false }: { labelled?: boolean }) {
  const { theme, setTheme } = useTheme();
  // The stored choice is known only in the browser: render no selection on the server.
  const mounted = useSyncExternalStore(subscribeNothing, () => true, () => false);
  const current = mounted ? (theme ?? "system") : undefined;
  return (
    <div role="radiogroup" aria-label="Theme" className="inline-flex rounded-md p-0.5 ring-1 ring-slate-300">
      {CHOICES.map((c) => (
        <button
          key={c.value}
          type="button"
          role="radio"
          aria-checked={current === c.value}
          aria-label={c.label}
          title={`Theme: ${c.label.toLowerCase()}`}
          onClick={() => setTheme(c.value)}
          className="inline-flex items-center gap-1 rounded px-1.5 py-1 text-xs text-slate-600 hover:bg-slate-100 aria-checked:bg-slate-800 aria-checked:text-white"
        >
          <svg aria-hidden viewBox="0 0 20 20" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round">
            {c.icon}
          </svg>
          {labelled && c.label}
        </button>
      ))}
    </div>
  );
}
