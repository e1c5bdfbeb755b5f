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

  // Overview first; each tab this viewer may not use says what it needs and who grants it.
  await expect(page.getByRole("tab", { name: "Overview" })).toHaveAttribute("aria-selected", "true");
  await page.getByRole("tab", { name: "Logs" }).click();
  await expect(page.getByTestId("log-viewer")).toHaveCount(0);
  await expect(page.getByTestId("missing-permission")).toContainText("logs need the logs permission on");
  await expect(page.getByTestId("missing-permission")).toContainText("an admin can grant");
  await page.getByRole("tab", { name: "Terminal" }).click();
  await expect(page.getByTestId("missing-permission")).toContainText("terminal needs the terminal permission on");

  await page.getByRole("tab", { name: "Changes" }).click();
  await page.getByRole("button", { name: "Show changes" }).click();
  await expect(page.getByTestId("container-diff")).toContainText("No changes in the container's writable layer");
  await expect(page.getByTestId("container-diff")).not.toContainText("malformed");

  await page.getByRole("tab", { name: "Stats" }).click();
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
  await page.getByRole("tab", { name: "Logs" }).click();
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

test("[ADMIN] the container page reads top-down: tabs by keyboard and in the URL, ports as links, the terminal as tall as the window", async ({ page }) => {
  const id = await runContainer("stv-e2e-tabs", ["sleep", "100000"], undefined, ["-p", "18189:80", "-p", "127.0.0.1:18190:81"]);
  await signInAs(page, E2E_ADMIN);
  await openContainer(page, "stv-e2e-tabs");
  // A port published on every address links to the host (once, though the engine lists 0.0.0.0 and ::);
  // one bound to an address links to that address, as the containers table does.
  const ports = page.getByTestId("container-ports");
  await expect(ports.getByRole("link", { name: /open e2e-host:18189/ })).toHaveAttribute("href", "http://e2e-host:18189");
  await expect(ports.getByRole("link", { name: /open 127\.0\.0\.1:18190/ })).toHaveAttribute("href", "http://127.0.0.1:18190");
  await expect(ports).toContainText("127.0.0.1:18190 → 81/tcp");
  await expect(ports.getByRole("link")).toHaveCount(2);
  await expect(page.getByTestId("container-networks")).toContainText("bridge");

  // Arrow keys move between tabs, Enter opens one, and the URL keeps it through a reload.
  await page.getByRole("tab", { name: "Overview" }).click();
  await expect(page.getByRole("tab", { name: "Overview" })).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("tab", { name: "Logs" })).toBeFocused();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("tab", { name: "Terminal" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/tab=terminal/);
  await page.reload();
  await expect(page.getByRole("tab", { name: "Terminal" })).toHaveAttribute("aria-selected", "true");
  await page.getByRole("button", { name: "Open shell" }).click();
  await expect(page.getByTestId("terminal-status")).toHaveText(/^live/);
  // The terminal grows with the window instead of staying 29 rows.
  const small = (await page.getByTestId("terminal").boundingBox())!.height;
  await page.setViewportSize({ width: 1400, height: 1300 });
  await expect.poll(async () => (await page.getByTestId("terminal").boundingBox())!.height).toBeGreaterThan(small + 300);
  await page.setViewportSize({ width: 1400, height: 900 });
  await shoot(page, "container-page-terminal");

  await page.getByRole("tab", { name: "Inspect" }).click();
  await expect(page.getByTestId("inspect-tree").locator('[data-path="Name"]')).toContainText('"/stv-e2e-tabs"');
  await page.getByTestId("inspect-tree").locator('[data-path="Config"] > details > summary').click();
  await expect(page.getByTestId("inspect-tree").locator('[data-path="Config.Image"]')).toContainText("stevedore-test/busybox");
  await shoot(page, "container-page-inspect");
  await docker(["rm", "-f", id]);
});
