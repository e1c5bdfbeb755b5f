import path from "node:path";
import { expect, test, type Page } from "./test";
import { RESTART_MARKER } from "@stevedore/protocol";
import { SHOTS, signInAs } from "./sign-in";
import { docker, runContainer } from "../../apps/web/test/support/engine";
import { E2E_ADMIN, E2E_VIEWER } from "../global-setup";

/** The page at the desktop and the phone size the issue was seen at. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.screenshot({ path: path.join(SHOTS, `${name}-1400.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(SHOTS, `${name}-390.png`), fullPage: true });
  await page.setViewportSize({ width: 1400, height: 900 });
}

async function openContainer(page: Page, name: string): Promise<void> {
  await page.goto(`/containers?q=${name}`);
  await page.getByTestId("container-row").filter({ hasText: name }).getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
}

test("[VIEWER] without the logs grant is told why there are no logs; an unchanged container has no changes; a first sample's charts have sane axes", async ({ page }) => {
  test.setTimeout(60_000);
  const id = await runContainer("stv-e2e-quiet", ["sleep", "100000"]);
  expect(await docker(["diff", id])).toBe("");
  await signInAs(page, E2E_VIEWER);
  await openContainer(page, "stv-e2e-quiet");

  await expect(page.getByTestId("log-viewer")).toHaveCount(0);
  await expect(page.getByTestId("missing-permission")).toContainText("logs need the logs permission on");
  await expect(page.getByTestId("missing-permission")).toContainText("an admin can grant");

  await page.getByRole("button", { name: "Show changes" }).click();
  await expect(page.getByTestId("container-diff")).toContainText("No changes in the container's writable layer");
  await expect(page.getByTestId("container-diff")).not.toContainText("malformed");

  // The first sample: every chart's value ticks are distinct labels (no "0.0% 0.0% 0.0%").
  const charts = page.getByTestId("stats-chart");
  await expect(charts.first()).toHaveAttribute("data-points", /^[1-9]/, { timeout: 20_000 });
  for (const chart of await charts.all()) {
    const ticks = (await chart.getAttribute("data-ticks"))!.split(" | ");
    expect(ticks.length, await chart.getAttribute("data-title") ?? "").toBeGreaterThanOrEqual(2);
    expect(new Set(ticks).size).toBe(ticks.length);
    // The time axis uPlot drew: a minute or so, not the 1,000 days it picks for one point.
    const span = Number(await chart.locator("[data-x-span]").getAttribute("data-x-span"));
    expect(span).toBeGreaterThanOrEqual(60);
    expect(span).toBeLessThan(15 * 60);
  }
  await shoot(page, "container-page-viewer");
  await docker(["rm", "-f", id]);
});

test("[ADMIN] the logs panel follows the container through a restart by itself", async ({ page }) => {
  test.setTimeout(60_000);
  // The writable layer survives a restart: each run counts itself.
  const id = await runContainer("stv-e2e-restarts", ["sh", "-c", "n=$(($(cat /runs 2>/dev/null || echo 0)+1)); echo $n > /runs; echo run-$n; i=0; while true; do i=$((i+1)); echo tick-$n-$i; sleep 0.3; done"]);
  await signInAs(page, E2E_ADMIN);
  await openContainer(page, "stv-e2e-restarts");
  const viewer = page.getByTestId("log-viewer");
  const lines = viewer.getByTestId("log-line");
  await expect(viewer.getByText("live", { exact: true })).toBeVisible();
  await expect(lines.filter({ hasText: "tick-1-3" })).toHaveCount(1);

  await docker(["restart", "-t", "1", id]);
  await expect(lines.filter({ hasText: RESTART_MARKER })).toHaveCount(1, { timeout: 15_000 });
  await expect(lines.filter({ hasText: "run-2" })).toHaveCount(1);
  await expect(lines.filter({ hasText: "tick-2-3" })).toHaveCount(1);
  await expect(viewer.getByText("live", { exact: true })).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Reconnect" })).toHaveCount(0);
  await shoot(page, "container-page-restarted");
  await docker(["rm", "-f", id]);
});
