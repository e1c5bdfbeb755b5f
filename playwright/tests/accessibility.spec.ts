import path from "node:path";
import { expect, test, type Page } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { runContainer } from "../../apps/web/test/support/engine";
import { E2E_ADMIN } from "../global-setup";
import { appPages, horizontalOverflow, inEachScheme, seriousViolations, widestElements } from "./pages";

const CONTAINER = "stv-e2e-a11y";
/** Pages whose screenshots are kept to be looked at (every page is checked). */
const SHOWN = new Set(["login", "overview", "containers", "container-overview", "container-logs", "container-terminal", "hosts", "host", "users", "updates", "tokens", "settings", "alerts"]);

for (const width of [1400, 390]) {
  test.describe(`at ${width} px`, () => {
    // With reduced motion, so axe reads each colour as it ends up, not halfway through a fade.
    test.use({ reducedMotion: "reduce", viewport: { width, height: width === 390 ? 844 : 900 } });

    test(`[ADMIN] every page, light and dark, has no serious or critical axe violation${width === 390 ? " and is no wider than the phone" : ""} at ${width} px`, async ({ page, browser }) => {
      test.setTimeout(240_000);
      const found: string[] = [];
      const check = async (p: Page, name: string, scheme: string) => {
        found.push(...(await seriousViolations(p, `${name} (${scheme})`)));
        if (width === 390) {
          // Nothing sticks out sideways on a phone.
          const over = await horizontalOverflow(p);
          if (over > 0) found.push(`${name} (${scheme}) is ${over} px too wide: ${(await widestElements(p)).join("; ")}`);
        }
        if (SHOWN.has(name)) await p.screenshot({ path: path.join(SHOTS, `a11y-${name}-${scheme}-${width}.png`), fullPage: true });
      };

      // The sign-in page, signed out.
      // (axe needs a page of a context made with newContext, not browser.newPage.)
      const anonContext = await browser.newContext({ reducedMotion: "reduce", viewport: { width, height: 844 }, baseURL: process.env.STEVEDORE_E2E_URL });
      const anon = await anonContext.newPage();
      await anon.goto("/login");
      await expect(anon.getByRole("button", { name: "Sign in" })).toBeVisible();
      await inEachScheme(anon, (scheme) => check(anon, "login", scheme));
      await anonContext.close();

      await runContainer(`${CONTAINER}-${width}`, ["sh", "-c", "echo ready; sleep 100000"]).catch(() => "");
      await signInAs(page, E2E_ADMIN);
      for (const p of await appPages(page, `${CONTAINER}-${width}`)) {
        await page.goto(p.path);
        await p.ready(page);
        // The lists drawn as cards are still tables to a screen reader.
        if (p.name === "containers") expect(await page.getByRole("table", { name: "Containers" }).getByRole("row").count()).toBeGreaterThan(1);
        await inEachScheme(page, (scheme) => check(page, p.name, scheme));
      }
      expect(found, found.join("\n")).toEqual([]);
    });
  });
}
