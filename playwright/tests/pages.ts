import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "./test";

/** One page of the app as the accessibility spec visits it. */
export interface AppPage {
  name: string;
  path: string;
  /** Brings the page to the state to check once loaded (a tab selected), and waits for its content. */
  ready: (page: Page) => Promise<void>;
}

const heading = (name: string | RegExp) => async (page: Page) => {
  await expect(page.getByRole("heading", { name, level: 1 }).first()).toBeVisible();
};

/** A container page with one tab selected. */
function containerTab(path: string, tab: string): AppPage {
  return {
    name: `container-${tab.toLowerCase()}`,
    path,
    ready: async (page) => {
      await page.getByRole("tab", { name: tab }).click();
      await expect(page.getByRole("tab", { name: tab })).toHaveAttribute("aria-selected", "true");
      await expect(page.getByRole("tabpanel")).toBeVisible();
      // The tab is a navigation (?tab=): its head, the page title included, is back once it settles.
      await expect(page).toHaveTitle(/\S/);
    },
  };
}

/**
 * Every page of the app, signed in as an admin (who sees them all): the lists, one page of each kind
 * (container with each tab, host, image) found by following links as a person would.
 */
export async function appPages(page: Page, container: string): Promise<AppPage[]> {
  await page.goto(`/containers?q=${container}`);
  await page.getByTestId("container-row").filter({ hasText: container }).getByRole("link", { name: container }).first().click();
  await expect(page).toHaveURL(/\/containers\/[^/]+\/[^/]+/);
  await expect(page.getByRole("heading", { name: container, level: 1 })).toBeVisible();
  const containerPath = new URL(page.url()).pathname;

  await page.goto("/hosts");
  await page.getByTestId("host-card").filter({ hasText: "e2e-host" }).getByRole("link", { name: "e2e-host" }).click();
  await expect(page).toHaveURL(/\/hosts\/[^/]+$/);
  const hostPath = new URL(page.url()).pathname;

  await page.goto("/images");
  await page.getByRole("link", { name: "stevedore-test/busybox:latest" }).first().click();
  await expect(page).toHaveURL(/\/images\/[^/]+\/[^/]+/);
  const imagePath = new URL(page.url()).pathname;

  return [
    { name: "overview", path: "/overview", ready: heading("Overview") },
    { name: "containers", path: "/containers", ready: async (p) => void (await expect(p.getByTestId("container-row").first()).toBeVisible()) },
    ...["Overview", "Logs", "Terminal", "Stats", "Processes", "Changes", "Inspect"].map((t) => containerTab(containerPath, t)),
    { name: "hosts", path: "/hosts", ready: async (p) => void (await expect(p.getByTestId("host-card").first()).toBeVisible()) },
    { name: "host", path: hostPath, ready: heading("e2e-host") },
    { name: "images", path: "/images", ready: async (p) => void (await expect(p.getByRole("link", { name: "stevedore-test/busybox:latest" }).first()).toBeVisible()) },
    { name: "volumes", path: "/volumes", ready: async (p) => void (await expect(p.getByRole("table", { name: "Volumes" })).toBeVisible()) },
    { name: "networks", path: "/networks", ready: async (p) => void (await expect(p.getByTestId("network-row").filter({ hasText: "bridge" }).first()).toBeVisible()) },
    { name: "image", path: imagePath, ready: async (p) => void (await expect(p.getByRole("heading").first()).toBeVisible()) },
    { name: "registries", path: "/registries", ready: heading(/Registries/) },
    { name: "updates", path: "/updates", ready: heading(/Updates/) },
    // Empty or not (alerts.spec raises one later), each list is drawn; the alert page itself is checked in alerts.spec.
    { name: "alerts", path: "/alerts", ready: async (p) => void (await expect(p.getByRole("table", { name: "Alerts" })).toBeVisible()) },
    { name: "alert-rules", path: "/alerts/rules", ready: async (p) => void (await expect(p.getByRole("table", { name: "Rules" })).toBeVisible()) },
    { name: "alert-channels", path: "/alerts/channels", ready: async (p) => void (await expect(p.getByRole("table", { name: "Channels" })).toBeVisible()) },
    // A table at desktop width, a list of cards on a phone.
    { name: "audit", path: "/audit", ready: async (p) => void (await expect(p.getByRole("table").or(p.getByRole("list", { name: "Audit trail" })).first()).toBeVisible()) },
    { name: "recordings", path: "/recordings", ready: heading("Terminal recordings") },
    { name: "users", path: "/users", ready: heading(/Users/) },
    { name: "settings", path: "/settings", ready: heading(/Settings/) },
    { name: "profile", path: "/profile", ready: heading(/Profile|Your/) },
    { name: "tokens", path: "/tokens", ready: heading(/token/i) },
    { name: "run", path: "/run", ready: heading(/Run/) },
  ];
}

/** The page's width beyond the viewport, in CSS pixels (0 when nothing sticks out sideways). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
}

/**
 * The elements that make the page wider than the viewport, to name in a failure: past the right edge,
 * inside no scroll box that clips them, with a parent that is not past the edge itself.
 */
export async function widestElements(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const w = window.innerWidth + 1;
    const clipped = (el) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== "visible" && a.getBoundingClientRect().right <= w) return true;
      }
      return false;
    };
    return Array.from(document.body.querySelectorAll("*"))
      .filter((el) => el.getBoundingClientRect().right > w && !(el.parentElement && el.parentElement.getBoundingClientRect().right > w) && !clipped(el))
      .slice(0, 6)
      .map((el) => el.tagName.toLowerCase() + "." + (el.getAttribute("class") || "").slice(0, 90) + " right=" + Math.round(el.getBoundingClientRect().right) + " parent=" + (el.parentElement?.getAttribute("class") || "").slice(0, 60));
  })()`);
}

/** axe's serious and critical findings on the page as it is now, one line each. */
export async function seriousViolations(page: Page, name: string): Promise<string[]> {
  // Violations only: axe keeps no node details of what passed.
  const result = await new AxeBuilder({ page }).options({ resultTypes: ["violations"] }).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 4).map((n) => `${n.target.join(" ")} ${n.failureSummary?.split("\n").slice(1, 2).join("") ?? ""}`).join(" | ")}`);
}

const SCHEMES = ["light", "dark"] as const;

/** The page as it is, in each theme in turn (the theme is left on System, so it follows the emulated preference). */
export async function inEachScheme(page: Page, check: (scheme: (typeof SCHEMES)[number]) => Promise<void>): Promise<void> {
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
    await expect(page.locator("html")).toHaveClass(scheme === "dark" ? /\bdark\b/ : /^(?!.*\bdark\b)/);
    await check(scheme);
  }
}
