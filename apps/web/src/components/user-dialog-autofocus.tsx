import type { ReactNode } from "react";

/**
 * Marks the control a <dialog> focuses when it opens. React's `autoFocus` calls focus() at mount,
 * before showModal() runs and moves focus to the first control (the ✕); showModal() honours the HTML
 * attribute instead. The wrapper takes no room (`display: contents`).
 */
export function DialogAutofocus({ children }: { children: ReactNode }) {
  return (
    <span className="contents" ref={(el) => el?.querySelector("input, select, textarea, button")?.setAttribute("autofocus", "")}>
      {children}
    </span>
  );
}
