import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { runContainer } from "../../apps/web/test/support/engine";
import { E2E_ADMIN } from "../global-setup";
import { appPages, horizontalOverflow, widestElements } from "./pages";

const CONTAINER = "stv-e2e-a11y";
/** Pages whose screenshots are kept to be looked at (every page is checked). */
const SHOWN = new Set(["login", "overview", "containers", "container-overview", "container-logs", "container-terminal", "hosts", "host", "users", "updates", "tokens", "settings"]);

/** axe's serious and critical findings on the page as it is now, one line each. */
async function seriousViolations(page: Page, name: string): Promise<string[]> {
  // Violations only: axe skips building the report of what passed, most of its time on a big page.
  const result = await new AxeBuilder({ page }).options({ resultTypes: ["violations"] }).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.slice(0, 4).map((n) => `${n.target.join(" ")} ${n.failureSummary?.split("\n").slice(1, 2).join("") ?? ""}`).join(" | ")}`);
}

for (const scheme of ["light", "dark"] as const) {
  for (const width of [1400, 390]) {
    test.describe(`${scheme} at ${width} px`, () => {
      // The system's preference (the theme is left on System), at the desktop or the phone size; with
      // reduced motion, so axe reads each colour as it ends up, not halfway through a fade.
      test.use({ colorScheme: scheme, reducedMotion: "reduce", viewport: { width, height: width === 390 ? 844 : 900 } });

      test(`[ADMIN] every page has no serious or critical axe violation${width === 390 ? " and is no wider than the phone" : ""}, ${scheme} at ${width} px`, async ({ page, browser }) => {
        test.setTimeout(240_000);
        const found: string[] = [];

        // The sign-in page, signed out.
        // (axe needs a page of a context made with newContext, not browser.newPage.)
        const anonContext = await browser.newContext({ colorScheme: scheme, reducedMotion: "reduce", viewport: { width, height: 844 }, baseURL: process.env.STEVEDORE_E2E_URL });
        const anon = await anonContext.newPage();
        await anon.goto("/login");
        await expect(anon.getByRole("button", { name: "Sign in" })).toBeVisible();
        await expect(anon.locator("html")).toHaveClass(scheme === "dark" ? /\bdark\b/ : /^(?!.*\bdark\b)/);
        found.push(...(await seriousViolations(anon, "login")));
        await anon.screenshot({ path: path.join(SHOTS, `a11y-login-${scheme}-${width}.png`), fullPage: true });
        await anonContext.close();

        await runContainer(`${CONTAINER}-${scheme}-${width}`, ["sh", "-c", "echo ready; sleep 100000"]).catch(() => "");
        await signInAs(page, E2E_ADMIN);
        for (const p of await appPages(page, `${CONTAINER}-${scheme}-${width}`)) {
          await page.goto(p.path);
          await p.ready(page);
          found.push(...(await seriousViolations(page, p.name)));
          if (width === 390) {
            // Nothing sticks out sideways on a phone; the lists drawn as cards are still tables to a screen reader.
            const over = await horizontalOverflow(page);
            if (over > 0) found.push(`${p.name} is ${over} px too wide: ${(await widestElements(page)).join("; ")}`);
            if (p.name === "containers") expect(await page.getByRole("table", { name: "Containers" }).getByRole("row").count()).toBeGreaterThan(1);
          }
          if (SHOWN.has(p.name)) await page.screenshot({ path: path.join(SHOTS, `a11y-${p.name}-${scheme}-${width}.png`), fullPage: true });
        }
        expect(found, found.join("\n")).toEqual([]);
      });
    });
  }
}
