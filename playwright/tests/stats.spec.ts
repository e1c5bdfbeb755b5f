import path from "node:path";
import { expect, test } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { docker, runContainer } from "../../apps/web/test/support/engine";
import { E2E_VIEWER } from "../global-setup";

test("[VIEWER] watches a busy container's stats charts move, reads its filesystem changes, and sees it among the fleet's top consumers", async ({ page }) => {
  test.setTimeout(90_000);
  const id = await runContainer("stv-e2e-busy", ["sh", "-c", "mkdir -p /work && echo hi > /work/out.txt; while :; do :; done"]);
  await signInAs(page, E2E_VIEWER);
  await page.goto(`/containers?q=stv-e2e-busy`);
  await page.getByTestId("container-row").filter({ hasText: "stv-e2e-busy" }).getByRole("link", { name: "stv-e2e-busy" }).click();
  await page.getByRole("tab", { name: "Stats" }).click();

  const cpuChart = page.getByTestId("stats-chart").filter({ hasText: "CPU" });
  // The agent samples every 5 s: the chart gains points while we watch.
  await expect(cpuChart).toHaveAttribute("data-points", /^[2-9]|\d\d/, { timeout: 30_000 });
  const before = Number(await cpuChart.getAttribute("data-points"));
  await expect.poll(async () => Number(await cpuChart.getAttribute("data-points")), { timeout: 20_000 }).toBeGreaterThan(before);
  await expect(page.getByTestId("stats-cpu")).toHaveText(/^\d+(\.\d)?%$/);
  expect(Number((await page.getByTestId("stats-cpu").textContent())!.replace("%", ""))).toBeGreaterThan(30);
  await page.screenshot({ path: path.join(SHOTS, "stats.png"), fullPage: true });

  await page.getByRole("tab", { name: "Changes" }).click();
  await page.getByRole("button", { name: "Show changes" }).click();
  const diff = page.getByTestId("container-diff");
  await expect(diff).toContainText("out.txt");
  await expect(diff).toContainText("1 added".replace("1", String((await docker(["diff", id])).split("\n").filter((l) => l.startsWith("A")).length)));

  await page.getByRole("link", { name: "Hosts" }).click();
  await expect(page.getByTestId("top-consumers")).toContainText("stv-e2e-busy");
  await expect(page.getByTestId("host-totals")).toContainText("CPU");
  await docker(["rm", "-f", id]);
});
