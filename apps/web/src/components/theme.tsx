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
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
] as const;

const subscribeNothing = () => () => {};

/** System / Light / Dark as a radio group of three small buttons. */
export function ThemeToggle() {
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
          onClick={() => setTheme(c.value)}
          className="rounded px-2 py-0.5 text-xs text-slate-600 hover:bg-slate-100 aria-checked:bg-slate-800 aria-checked:text-white"
        >
          {c.label}
        </button>
      ))}
    </div>
  );
}
