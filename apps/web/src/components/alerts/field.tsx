import { useId, type ReactNode } from "react";

/** A labelled form field: the label names the control by id (`children` gets it), a hint below. `plain`: a caption, no control to name. */
export function Field({ label, hint, className = "", plain = false, children }: { label: string; hint?: string; className?: string; plain?: boolean; children: (id: string) => ReactNode }) {
  const id = useId();
  return (
    <div className={`space-y-1 ${className}`}>
      {plain ? (
        <span className="block font-medium">{label}</span>
      ) : (
        <label htmlFor={id} className="block font-medium">
          {label}
        </label>
      )}
      {children(id)}
      {hint && <p className="text-xs text-slate-500">{hint}</p>}
    </div>
  );
}
