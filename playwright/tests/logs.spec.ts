import path from "node:path";
import { expect, test } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { runContainer } from "../../apps/web/test/support/engine";
import { E2E_ADMIN, E2E_VIEWER } from "../global-setup";

test("[ADMIN] opens a container's logs, sees new lines arrive live with stderr marked and ANSI colours, and searches for one", async ({ page }) => {
  await runContainer("stv-e2e-logs", ["sh", "-c", "i=0; while true; do i=$((i+1)); echo \"tick-$i\"; printf '\\033[32mgreen-%s\\033[0m\\n' $i; echo \"oops-$i\" >&2; sleep 0.3; done"]);
  await signInAs(page, E2E_ADMIN);
  await page.getByTestId("container-row").filter({ hasText: "stv-e2e-logs" }).getByRole("link", { name: "stv-e2e-logs" }).click();
  await page.getByRole("tab", { name: "Logs" }).click();
  const viewer = page.getByTestId("log-viewer");
  await expect(viewer.getByText("live", { exact: true })).toBeVisible();
  const lines = viewer.getByTestId("log-line");
  await expect(lines.filter({ hasText: "tick-3" })).toHaveCount(1);
  // New lines keep arriving while the page is open.
  await expect(lines.filter({ hasText: "tick-8" })).toHaveCount(1);
  await expect(lines.filter({ hasText: "oops-2" })).toHaveAttribute("data-stderr", "true");
  await expect(lines.filter({ hasText: "green-2" }).locator("span[style*='color']").filter({ hasText: "green-2" })).toHaveCount(1);

  await viewer.getByLabel("Search the logs").fill("tick-5");
  await viewer.getByLabel("Search the logs").press("Enter");
  await expect(viewer.getByTestId("log-search-count")).toHaveText("1 of 1");
  await expect(viewer.locator("mark", { hasText: "tick-5" })).toBeVisible();
  await viewer.getByLabel("Timestamps").check();
  await expect(lines.filter({ hasText: "tick-5" })).toContainText(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
  await page.screenshot({ path: path.join(SHOTS, "logs.png"), fullPage: true });

  // "Until" reads up to a time and stops following: the last line stays put while the container goes on.
  const now = await page.evaluate(() => {
    const d = new Date();
    d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
    return d.toISOString().slice(0, 19);
  });
  await viewer.getByLabel("Until").fill(now);
  await expect(lines.filter({ hasText: "tick-3" })).toHaveCount(1);
  await page.waitForTimeout(1_000);
  const last = await lines.last().textContent();
  await page.waitForTimeout(1_500);
  expect(await lines.last().textContent()).toBe(last);
});

test("[ADMIN] follows two containers merged in one view, each line named", async ({ page }) => {
  await runContainer("stv-e2e-logs-a", ["sh", "-c", "while true; do echo from-a; sleep 0.3; done"]);
  await runContainer("stv-e2e-logs-b", ["sh", "-c", "while true; do echo from-b; sleep 0.3; done"]);
  await signInAs(page, E2E_ADMIN);
  await page.getByLabel("Filter by name, image, id, command or host").fill("stv-e2e-logs-");
  await page.getByLabel("Select stv-e2e-logs-a").check();
  await page.getByLabel("Select stv-e2e-logs-b").check();
  await page.getByRole("link", { name: "Logs of 2" }).click();
  await expect(page.getByRole("heading", { name: "Logs of 2 containers" })).toBeVisible();
  const lines = page.getByTestId("log-line");
  await expect(lines.filter({ hasText: "stv-e2e-logs-afrom-a" }).first()).toBeVisible();
  await expect(lines.filter({ hasText: "stv-e2e-logs-bfrom-b" }).first()).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, "logs-merged.png"), fullPage: true });
});

test("[VIEWER] without the logs grant sees no logs, and the Logs tab says why", async ({ page }) => {
  await runContainer("stv-e2e-logs-secret", ["sh", "-c", "echo secret; sleep 100000"]);
  await signInAs(page, E2E_VIEWER);
  await page.getByTestId("container-row").filter({ hasText: "stv-e2e-logs-secret" }).getByRole("link", { name: "stv-e2e-logs-secret" }).click();
  await expect(page.getByRole("heading", { name: "stv-e2e-logs-secret" })).toBeVisible();
  await page.getByRole("tab", { name: "Logs" }).click();
  await expect(page.getByTestId("missing-permission")).toContainText("logs need the logs permission on");
  await expect(page.getByTestId("log-viewer")).toHaveCount(0);
});
