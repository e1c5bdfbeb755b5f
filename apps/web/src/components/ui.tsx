"use client";

import { useEffect, useId, useRef, useState, useSyncExternalStore, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from "react";
import Link from "next/link";
import { ago, exactTime } from "@/lib/format";

// A small, consistent component set: every page is built from these.

type Variant = "primary" | "secondary" | "danger" | "ghost";
const VARIANTS: Record<Variant, string> = {
  primary: "bg-sky-700 text-white hover:bg-sky-800 disabled:bg-sky-300",
  secondary: "bg-white text-slate-800 ring-1 ring-slate-300 hover:bg-slate-100 disabled:text-slate-500",
  danger: "bg-white text-red-700 ring-1 ring-red-300 hover:bg-red-50 disabled:text-red-300",
  ghost: "text-slate-700 hover:bg-slate-200/60",
};

export function Button({ variant = "secondary", className = "", ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant }) {
  return (
    <button
      type="button"
      className={`inline-flex items-center gap-1.5 rounded-md px-3 py-1.5 text-sm font-medium transition-colors disabled:cursor-not-allowed ${VARIANTS[variant]} ${className}`}
      {...props}
    />
  );
}

export function Input({ className = "", ...props }: InputHTMLAttributes<HTMLInputElement>) {
  return <input className={`rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm shadow-xs placeholder:text-slate-500 aria-invalid:border-red-600 ${className}`} {...props} />;
}

export function Select({ className = "", ...props }: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select className={`rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm aria-invalid:border-red-600 ${className}`} {...props} />;
}

type Tone = "green" | "red" | "amber" | "slate" | "sky";
const TONES: Record<Tone, string> = {
  green: "bg-emerald-50 text-emerald-800 ring-emerald-600/20",
  red: "bg-red-50 text-red-800 ring-red-600/20",
  amber: "bg-amber-50 text-amber-900 ring-amber-600/30",
  slate: "bg-slate-100 text-slate-700 ring-slate-500/20",
  sky: "bg-sky-50 text-sky-800 ring-sky-600/20",
};

export function Badge({ tone = "slate", children, title }: { tone?: Tone; children: ReactNode; title?: string }) {
  return (
    <span title={title} className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${TONES[tone]}`}>
      {children}
    </span>
  );
}

export function Card({ title, actions, children, className = "" }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`rounded-lg border border-slate-200 bg-white shadow-xs ${className}`}>
      {(title || actions) && (
        <header className="flex items-center justify-between gap-2 border-b border-slate-200 px-4 py-2.5">
          <h2 className="text-sm font-semibold text-slate-800">{title}</h2>
          <div className="flex items-center gap-2">{actions}</div>
        </header>
      )}
      {children}
    </section>
  );
}

/** Re-renders every `intervalMs` so relative times stay true without refetching. */
export function useNow(intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

/**
 * "7 minutes ago" as a focusable <time>, with the exact time and its zone in a tooltip that hover and
 * keyboard focus (a tap, on touch) both open, read out as the time's description. CSS only, no state
 * or portal: it is cheap enough for every row of a long list. Hidden (not merely invisible) until
 * opened, so it never widens a phone's page.
 */
export function RelativeTime({ at, now, children, className = "", align = "start" }: { at: number | null; now: number; children?: ReactNode; className?: string; align?: "start" | "end" }) {
  const id = useId();
  if (at === null) return <span className="text-slate-500">never</span>;
  return (
    <span className="group relative inline-block">
      <time dateTime={new Date(at).toISOString()} tabIndex={0} aria-describedby={id} className={`cursor-help rounded decoration-dotted outline-offset-2 hover:underline focus:underline ${className}`}>
        {children ?? ago(at, now)}
      </time>
      <span
        role="tooltip"
        id={id}
        className={`pointer-events-none absolute top-full ${align === "end" ? "right-0" : "left-0"} z-20 mt-1 hidden whitespace-nowrap rounded bg-slate-900 px-2 py-1 text-xs font-normal text-white shadow group-focus-within:block group-hover:block`}
      >
        {exactTime(at)}
      </span>
    </span>
  );
}

/** Copies to the clipboard; on plain http (no Clipboard API) it falls back to a selected textarea. */
export function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
}

export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  return (
    <Button
      onClick={() => {
        void copyText(text).then(
          () => setState("copied"),
          () => setState("failed"),
        );
        setTimeout(() => setState("idle"), 1500);
      }}
    >
      {state === "copied" ? "Copied" : state === "failed" ? "Select and copy by hand" : label}
    </Button>
  );
}

/** A modal on the native <dialog>: focus is trapped and Escape closes it, for free. */
export function Dialog({ open, onClose, title, children }: { open: boolean; onClose: () => void; title: string; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} onClose={onClose} aria-label={title} className="m-auto w-full max-w-2xl rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40">
      <div className="flex items-center justify-between border-b border-slate-200 px-5 py-3">
        <h2 className="font-semibold">{title}</h2>
        <Button variant="ghost" aria-label="Close" onClick={onClose}>
          ✕
        </Button>
      </div>
      <div className="px-5 py-4">{children}</div>
    </dialog>
  );
}

export function ErrorNote({ error }: { error: { message: string } | null | undefined }) {
  if (!error) return null;
  return (
    <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
      {error.message}
    </p>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <span role="status" className="inline-flex items-center gap-2 text-sm text-slate-500">
      <span className="size-3.5 animate-spin rounded-full border-2 border-slate-300 border-t-sky-600" aria-hidden />
      {label}
    </span>
  );
}

/** The way back to a list, above a page's title. */
export function BackLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <Link href={href} className="text-sm text-sky-700 hover:underline">
      ← {children}
    </Link>
  );
}

/** More targets than this and a confirmation must be typed (the count), not just clicked. */
export const TYPED_CONFIRM_OVER = 10;

/**
 * Asks before a destructive action, on the same native <dialog> as every other dialog. `children`
 * names the targets; with `typed`, the confirm button waits until that text is typed.
 */
export function ConfirmDialog({
  open,
  onClose,
  onConfirm,
  title,
  confirmLabel,
  typed,
  blocked,
  children,
}: {
  open: boolean;
  onClose: () => void;
  onConfirm: () => void;
  title: string;
  confirmLabel: string;
  /** Text the user must type first (e.g. the number of containers); omitted for small actions. */
  typed?: string;
  /** Why confirming is not possible yet (shown beside the button), or null. */
  blocked?: string | null;
  children: ReactNode;
}) {
  const [text, setText] = useState("");
  const inputId = useId();
  const ready = !blocked && (typed === undefined || text.trim() === typed);
  // The typed text never carries over to the next time the dialog opens.
  const close = () => {
    setText("");
    onClose();
  };
  return (
    <Dialog open={open} onClose={close} title={title}>
      <form
        className="space-y-3 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          if (!ready) return;
          setText("");
          onConfirm();
        }}
      >
        {children}
        {typed !== undefined && (
          <label htmlFor={inputId} className="block space-y-1">
            <span className="font-medium">
              Type <span className="font-mono">{typed}</span> to confirm
            </span>
            <Input id={inputId} value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" inputMode="numeric" className="w-32" />
          </label>
        )}
        <div className="flex flex-wrap items-center justify-end gap-2">
          {blocked && <span className="mr-auto text-amber-800">{blocked}</span>}
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" variant="danger" disabled={!ready}>
            {confirmLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** What an action will touch, one line each, scrolling past a dozen. */
export function TargetList({ label, items }: { label: string; items: { key: string; name: string; detail?: string }[] }) {
  return (
    <ul aria-label={label} className="max-h-48 divide-y divide-slate-100 overflow-y-auto rounded-md border border-slate-200">
      {items.map((t) => (
        <li key={t.key} className="flex flex-wrap justify-between gap-x-3 px-3 py-1.5">
          <span className="font-medium break-all">{t.name}</span>
          {t.detail && <span className="text-slate-600">{t.detail}</span>}
        </li>
      ))}
    </ul>
  );
}

// Outcome toasts: a module-level list so one survives the navigation its action causes (a removed
// container's page goes back to the list), shown by the one <Toaster> in the app shell.
export interface ToastMessage {
  id: number;
  tone: "ok" | "error" | "mixed";
  title: string;
  details?: string[];
}
const TOAST_MS = { ok: 6_000, mixed: 15_000, error: 15_000 } as const;
const NO_TOASTS: ToastMessage[] = [];
let toasts: ToastMessage[] = NO_TOASTS;
let nextToastId = 1;
const toastListeners = new Set<() => void>();
function setToasts(next: ToastMessage[]) {
  toasts = next;
  for (const l of toastListeners) l();
}
export function dismissToast(id: number): void {
  setToasts(toasts.filter((t) => t.id !== id));
}
export function toast(message: Omit<ToastMessage, "id">): void {
  const id = nextToastId++;
  // The newest first; a burst of actions keeps the last five.
  setToasts([{ ...message, id }, ...toasts].slice(0, 5));
  setTimeout(() => dismissToast(id), TOAST_MS[message.tone]);
}

const TOAST_TONES = { ok: "border-emerald-300 bg-emerald-50 text-emerald-900", mixed: "border-amber-300 bg-amber-50 text-amber-900", error: "border-red-300 bg-red-50 text-red-900" } as const;

export function Toaster() {
  const list = useSyncExternalStore(
    (l) => {
      toastListeners.add(l);
      return () => toastListeners.delete(l);
    },
    () => toasts,
    () => NO_TOASTS,
  );
  return (
    <div role="status" aria-live="polite" aria-label="Notifications" data-testid="toasts" className="pointer-events-none fixed right-4 bottom-4 z-50 flex w-[min(26rem,calc(100vw-2rem))] flex-col gap-2">
      {list.map((t) => (
        <div key={t.id} data-testid="toast" data-tone={t.tone} className={`pointer-events-auto rounded-md border px-3 py-2 text-sm shadow-lg ${TOAST_TONES[t.tone]}`}>
          <div className="flex items-start justify-between gap-2">
            <p className="font-medium">{t.title}</p>
            <button type="button" aria-label="Dismiss" className="-mr-1 rounded px-1 leading-none hover:bg-black/5" onClick={() => dismissToast(t.id)}>
              ✕
            </button>
          </div>
          {t.details?.map((d, i) => (
            <p key={i} className="mt-0.5 break-words">
              {d}
            </p>
          ))}
        </div>
      ))}
    </div>
  );
}
