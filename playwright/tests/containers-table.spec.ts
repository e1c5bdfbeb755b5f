import path from "node:path";
import { expect, test, type Page } from "./test";
import { docker, runContainer } from "../../apps/web/test/support/engine";
import { SHOTS, signInAs } from "./sign-in";
import { E2E_OPERATOR } from "../global-setup";

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1400, height: 900 };
const FILTER = "Filter by name, image, id, command or host";
const N = 30;
const names = Array.from({ length: N }, (_, i) => `stv-e2e-tbl-${String(i).padStart(2, "0")}`);

async function shootBoth(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: path.join(SHOTS, `${name}-phone.png`) });
  await page.setViewportSize(DESKTOP);
}

const rowNames = (page: Page) => page.getByTestId("container-row").evaluateAll((rows) => rows.map((r) => (r as unknown as { getAttribute(name: string): string | null }).getAttribute("data-name")));
const stateOf = async (name: string) => JSON.parse(await docker(["inspect", name]))[0].State as { Status: string; ExitCode: number };

test.beforeAll(async () => {
  // A failed test starts a new worker, which runs this again.
  await docker(["rm", "-f", ...names]).catch(() => "");
  // Even ones carry team=ux; the first publishes a port on a specific address, so its link is known.
  await Promise.all(names.map((n, i) => runContainer(n, ["sleep", "100000"], undefined, [...(i % 2 === 0 ? ["--label", "team=ux"] : []), ...(i === 0 ? ["-p", "127.0.0.1:18089:80"] : [])])));
});

// The first test of a fresh server can submit the login form before the page has hydrated: load it once first.
test.beforeEach(async ({ page }) => {
  await page.goto("/login");
  await page.waitForLoadState("networkidle");
});

test("[OPERATOR] the table sorts by header (pointer and keyboard), filters by label, and its view lives in the URL", async ({ page }) => {
  await signInAs(page, E2E_OPERATOR);
  await page.getByLabel(FILTER).fill("label:team=ux stv-e2e-tbl");
  await expect(page.getByTestId("container-row")).toHaveCount(N / 2);
  await expect(page).toHaveURL(/q=label%3Ateam%3Dux/);
  // A free word finds a label as key=value.
  await page.getByLabel(FILTER).fill("team=ux stv-e2e-tbl");
  await expect(page.getByTestId("container-row")).toHaveCount(N / 2);

  const nameHeader = page.getByRole("columnheader", { name: /Name/ });
  await nameHeader.getByRole("button").click();
  await expect(nameHeader).toHaveAttribute("aria-sort", "ascending");
  await expect.poll(() => rowNames(page)).toEqual(names.filter((_, i) => i % 2 === 0));
  // By keyboard: the header is a button.
  await nameHeader.getByRole("button").focus();
  await page.keyboard.press("Enter");
  await expect(nameHeader).toHaveAttribute("aria-sort", "descending");
  await expect.poll(() => rowNames(page)).toEqual(names.filter((_, i) => i % 2 === 0).reverse());
  await page.getByLabel("Per page").selectOption("25");
  await expect(page).toHaveURL(/sort=name/);
  await expect(page).toHaveURL(/dir=desc/);
  await expect(page).toHaveURL(/size=25/);

  // The link reproduces the view: filter, order and page size.
  const url = page.url();
  await page.goto("/containers");
  await page.goto(url);
  await expect(page.getByLabel(FILTER)).toHaveValue("team=ux stv-e2e-tbl");
  await expect(page.getByRole("columnheader", { name: /Name/ })).toHaveAttribute("aria-sort", "descending");
  await expect(page.getByLabel("Per page")).toHaveValue("25");
  await expect.poll(() => rowNames(page)).toEqual(names.filter((_, i) => i % 2 === 0).reverse());

  // Published ports are links to the address they are bound to.
  await page.getByLabel(FILTER).fill("stv-e2e-tbl-00");
  await expect(page.getByTestId("container-row")).toHaveCount(1);
  await expect(page.getByTestId("container-row").getByRole("link", { name: "18089→80/tcp" })).toHaveAttribute("href", "http://127.0.0.1:18089");
  // The exact time, with its zone, opens on keyboard focus as well as hover.
  await page.getByTestId("container-row").locator("time").focus();
  const tooltip = page.getByRole("tooltip");
  await expect(tooltip).toBeVisible();
  await expect(tooltip).toHaveText(/\d{4}.*\d:\d\d:\d\d.*(UTC|GMT|[A-Z]{2,5})/);

  // Columns chosen stay chosen after a reload.
  await page.getByRole("button", { name: "Columns" }).click();
  await page.getByRole("menuitemcheckbox", { name: "Command" }).click();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("columnheader", { name: "Command" })).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId("container-row")).toHaveCount(1);
  await expect(page.getByRole("columnheader", { name: "Command" })).toHaveCount(0);
  await page.getByRole("button", { name: "Columns" }).click();
  await page.getByRole("menuitemcheckbox", { name: "Command" }).click();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("columnheader", { name: "Command" })).toHaveCount(1);
});

test("[OPERATOR] rows by keyboard; the row menu by keyboard and pointer; its actions confirm and end in a toast", async ({ page }) => {
  await signInAs(page, E2E_OPERATOR);
  await page.getByLabel(FILTER).fill("stv-e2e-tbl-0");
  await page.getByRole("columnheader", { name: /Name/ }).getByRole("button").click();
  await expect.poll(() => rowNames(page)).toEqual(names.slice(0, 10));

  // Arrow keys move between rows; Space selects the focused one.
  const rows = page.getByTestId("container-row");
  await rows.first().focus();
  await page.keyboard.press("ArrowDown");
  await expect(rows.nth(1)).toBeFocused();
  await page.keyboard.press("Space");
  await expect(page.getByLabel("Select stv-e2e-tbl-01")).toBeChecked();
  await page.keyboard.press("Space");
  await expect(page.getByLabel("Select stv-e2e-tbl-01")).not.toBeChecked();

  // The menu by keyboard: Enter opens it, typing goes to the item, Enter chooses it.
  const trigger = page.getByRole("button", { name: "Actions for stv-e2e-tbl-02" });
  await trigger.focus();
  await page.keyboard.press("Enter");
  const menu = page.getByRole("menu");
  await expect(menu).toBeVisible();
  // A running container on a host where the caller operates: what it allows, in order (Logs and Terminal follow as granted).
  await expect(menu.getByRole("menuitem")).toContainText(["Stop…", "Restart…", "Kill…", "Pause", "Remove…", "Open"]);
  await expect(menu.getByRole("menuitem", { name: "Start", exact: true })).toHaveCount(0);
  await page.screenshot({ path: path.join(SHOTS, "containers-table-menu.png") });
  await page.keyboard.type("K");
  await expect(menu.getByRole("menuitem", { name: "Kill…" })).toBeFocused();
  await page.keyboard.press("Enter");
  const kill = page.getByRole("dialog", { name: "Kill stv-e2e-tbl-02?" });
  await expect(kill.getByLabel("Signal")).toHaveValue("SIGTERM");
  await expect(kill.getByLabel("Signal").locator("option")).toHaveText(["SIGTERM", "SIGKILL", "SIGINT", "SIGHUP", "SIGQUIT"]);
  await expect(kill.getByTestId("signal-meaning")).toContainText("clean up");
  await kill.getByLabel("Signal").selectOption("SIGKILL");
  await expect(kill.getByTestId("signal-meaning")).toContainText("cannot be caught");
  await shootBoth(page, "containers-table-kill");
  await page.keyboard.press("Escape");
  await expect(kill).toBeHidden();
  expect((await stateOf("stv-e2e-tbl-02")).Status).toBe("running");

  // The menu by pointer: Restart asks, names the target, and the outcome is a toast.
  await page.getByRole("button", { name: "Actions for stv-e2e-tbl-03" }).click();
  await page.getByRole("menuitem", { name: "Restart…" }).click();
  const restart = page.getByRole("dialog", { name: "Restart stv-e2e-tbl-03?" });
  await expect(restart.getByRole("list", { name: "Containers" })).toContainText("stv-e2e-tbl-03");
  await restart.getByLabel("Seconds to wait after SIGTERM before SIGKILL").fill("0");
  await restart.getByRole("button", { name: "Restart stv-e2e-tbl-03" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Restarted stv-e2e-tbl-03" })).toBeVisible({ timeout: 30_000 });
});

test("[OPERATOR] select-all is honest: the page first, then all N matching, and Stop on them asks for the count typed", async ({ page }) => {
  await signInAs(page, E2E_OPERATOR);
  await page.getByLabel(FILTER).fill("stv-e2e-tbl");
  await page.getByLabel("Per page").selectOption("25");
  await expect(page.getByTestId("container-row")).toHaveCount(25);
  await expect(page.getByTestId("page-range")).toHaveText(`1–25 of ${N}`);
  await page.getByLabel("Select all on this page").check();
  await expect(page.getByTestId("selection-count")).toHaveText("25 on this page selected");
  await page.getByRole("button", { name: `Select all ${N} matching` }).click();
  await expect(page.getByTestId("selection-count")).toHaveText(`All ${N} matching selected`);
  await shootBoth(page, "containers-table");

  await page.getByRole("toolbar", { name: "Container actions" }).getByRole("button", { name: "Stop…" }).click();
  const dialog = page.getByRole("dialog", { name: `Stop ${N} containers?` });
  await expect(dialog.getByRole("list", { name: "Containers" }).getByRole("listitem")).toHaveCount(N);
  const confirm = dialog.getByRole("button", { name: `Stop ${N} containers` });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(`Type ${N} to confirm`).fill("25");
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(`Type ${N} to confirm`).fill(String(N));
  await dialog.getByLabel("Seconds to wait after SIGTERM before SIGKILL").fill("0");
  await confirm.click();
  await expect(page.getByTestId("toast").filter({ hasText: `Stopped ${N} containers` })).toBeVisible({ timeout: 60_000 });
  // All of them, not only the page shown.
  for (const n of names) expect((await stateOf(n)).Status).toBe("exited");
  await page.getByLabel(FILTER).fill("stv-e2e-tbl status:exited");
  await expect(page.getByTestId("page-range")).toHaveText(`1–25 of ${N}`);
});
