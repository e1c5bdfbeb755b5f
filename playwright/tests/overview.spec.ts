import path from "node:path";
import { expect, test } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { docker, runContainer } from "../../apps/web/test/support/engine";
import { E2E_ADMIN } from "../global-setup";

test("[ADMIN] signing in lands on the overview: what is broken first, each host's load and disk, recent activity", async ({ page }) => {
  test.setTimeout(60_000);
  const failed = await runContainer("stv-e2e-failed", ["sh", "-c", "exit 3"]);
  const sick = await runContainer("stv-e2e-sick", ["sleep", "100000"], undefined, ["--health-cmd", "false", "--health-interval", "1s", "--health-retries", "1"]);
  await page.goto("/login");
  await page.getByLabel("Email").fill(E2E_ADMIN.email);
  await page.getByLabel("Password").fill(E2E_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/overview$/);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();

  // Both problems are named with what is wrong, and link to their container.
  const problems = page.getByTestId("overview-problem");
  await expect(problems.filter({ hasText: "stv-e2e-failed" })).toContainText("exited (3)");
  await expect(problems.filter({ hasText: "stv-e2e-sick" })).toContainText("unhealthy", { timeout: 20_000 });
  await expect(page.getByTestId("tile-Need attention")).not.toContainText(/^Need attention0/);

  // The host's disk is the engine's data filesystem, as the agent samples it with the stats.
  const host = page.getByTestId("overview-host").filter({ hasText: "e2e-host" });
  await expect(host.getByRole("meter", { name: "Disk" })).toHaveAttribute("aria-valuenow", /^\d+$/, { timeout: 20_000 });
  await expect(host).toContainText(/free/);
  await expect(host.getByRole("meter", { name: "Memory" })).toHaveAttribute("aria-valuenow", /^\d+$/);

  // One line per action, with its outcome: the users the suite made at the start.
  await expect(page.getByTestId("overview-activity")).toContainText("succeeded");
  await expect(page.getByTestId("overview-activity").getByText("requested", { exact: true })).toHaveCount(0);

  await page.screenshot({ path: path.join(SHOTS, "overview-1400.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(SHOTS, "overview-390.png"), fullPage: true });
  expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1400, height: 900 });

  // The containers list marks both broken (a red square, not the green dot of a healthy one), each
  // with what is wrong in words; a created time gives the exact instant with its zone on keyboard focus.
  await page.goto("/containers?q=stv-e2e-");
  const rowOf = (name: string) => page.getByTestId("container-row").filter({ has: page.getByRole("link", { name, exact: true }) });
  await expect(rowOf("stv-e2e-sick").locator("[data-tone]")).toHaveAttribute("data-tone", "bad");
  await expect(rowOf("stv-e2e-sick").getByTestId("container-status")).toContainText("(unhealthy)");
  await expect(rowOf("stv-e2e-failed").locator("[data-tone]")).toHaveAttribute("data-tone", "bad");
  await expect(rowOf("stv-e2e-failed")).toContainText(/Exited \(3\).*failed/);
  await rowOf("stv-e2e-failed").locator("time").focus();
  await expect(rowOf("stv-e2e-failed").getByRole("tooltip")).toBeVisible();
  await expect(rowOf("stv-e2e-failed").getByRole("tooltip")).toHaveText(/\d{1,2}:\d{2}:\d{2}.* (UTC|GMT[+-]?[\d:]*|[A-Z]{3,5})$/);
  await page.screenshot({ path: path.join(SHOTS, "containers-problems-1400.png") });
  await page.goto("/overview");

  // Fixed, it leaves the list by itself (pushed by the fleet's changes, not at the next poll).
  await docker(["rm", "-f", failed]);
  await expect(problems.filter({ hasText: "stv-e2e-failed" })).toHaveCount(0, { timeout: 5_000 });
  await problems.filter({ hasText: "stv-e2e-sick" }).getByRole("link", { name: "stv-e2e-sick" }).click();
  await expect(page.getByRole("heading", { name: "stv-e2e-sick" })).toBeVisible();
  await docker(["rm", "-f", sick]);
});

test("[ADMIN] an address no page answers says so, with a 404 and a way back", async ({ page }) => {
  await signInAs(page, E2E_ADMIN);
  const res = await page.goto("/no-such-page");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "This page does not exist" })).toBeVisible();
  await page.getByRole("link", { name: "Go to the overview" }).click();
  await expect(page).toHaveURL(/\/overview$/);
});
