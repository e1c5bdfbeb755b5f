import path from "node:path";
import { expect, test } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { docker } from "../../apps/web/test/support/engine";
import { E2E_VIEWER } from "../global-setup";

test("[VIEWER] a host's page: its facts as the engine gives them, its load and disk now, its charts, and links to its containers and images", async ({ page }) => {
  test.setTimeout(60_000);
  await signInAs(page, E2E_VIEWER);
  await page.getByRole("link", { name: "Hosts" }).click();
  await page.getByTestId("host-card").filter({ hasText: "e2e-host" }).getByRole("link", { name: "e2e-host" }).click();
  await expect(page.getByRole("heading", { name: "e2e-host" })).toBeVisible();
  await expect(page).toHaveURL(/\/hosts\/[^/?]+$/);

  const facts = page.getByTestId("host-facts");
  await expect(facts).toContainText(`Docker ${await docker(["version", "-f", "{{.Server.Version}}"])}`);
  await expect(facts).toContainText(await docker(["info", "-f", "{{.DockerRootDir}}"]));
  const load = page.getByTestId("host-load");
  await expect(load.getByRole("meter", { name: "Disk" })).toHaveAttribute("aria-valuenow", /^\d+$/, { timeout: 20_000 });
  await expect(load).toContainText(/free of/);

  await page.getByRole("tab", { name: "Stats" }).click();
  await expect(page).toHaveURL(/tab=stats/);
  await expect(page.getByTestId("stats-chart").first()).toHaveAttribute("data-points", /^[1-9]/, { timeout: 20_000 });
  await page.screenshot({ path: path.join(SHOTS, "host-page-1400.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole("tab", { name: "Overview" }).click();
  await page.screenshot({ path: path.join(SHOTS, "host-page-390.png"), fullPage: true });
  await page.setViewportSize({ width: 1400, height: 900 });

  const hostId = new URL(page.url()).pathname.split("/").at(-1)!;
  await page.getByRole("link", { name: /^\d+ images?$/ }).click();
  await expect(page).toHaveURL(new RegExp(`/images\\?host=${hostId}$`));
  await expect(page.getByRole("button", { name: "Host: e2e-host", exact: true })).toBeVisible();
});
