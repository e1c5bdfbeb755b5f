import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { SHOTS, signInAs } from "./sign-in";
import { TEST_LABEL, docker } from "../../apps/web/test/support/engine";
import { pushMarkedImage } from "../../apps/web/test/support/registry";
import { E2E_OPERATOR } from "../global-setup";

async function shoot(page: Page, name: string): Promise<void> {
  for (const [width, height] of [[1400, 900], [390, 844]] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1400, height: 900 });
}

test("[OPERATOR] a tag pushed again shows as an update: Check now, the Updates page, the badge and the filter", async ({ page }) => {
  test.setTimeout(90_000);
  const registry = { host: process.env.STEVEDORE_E2E_REGISTRY!, dockerConfig: null };
  const repo = "stevedore-test/e2e-upd";
  const reference = `${registry.host}/${repo}:1.0.0`;
  const images = [await pushMarkedImage(registry, [`${repo}:1.0.0`], "e2e-v1")];
  const id = (await docker(["run", "-d", "--name", "stv-e2e-upd", "--label", TEST_LABEL, reference])).trim();
  try {
    await signInAs(page, E2E_OPERATOR);
    await page.getByRole("link", { name: "Updates" }).click();
    await page.getByRole("button", { name: "Check now" }).click();
    await expect(page.getByRole("status").filter({ hasText: /Checked \d+ image references?: 0 outdated/ })).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId("update-row").filter({ hasText: reference })).toHaveCount(0);

    images.push(await pushMarkedImage(registry, [`${repo}:1.0.0`, `${repo}:1.0.1`], "e2e-v2"));
    await page.getByRole("button", { name: "Check now" }).click();
    await expect(page.getByRole("status").filter({ hasText: /Checked \d+ image references?: 1 outdated/ })).toBeVisible({ timeout: 20_000 });
    const row = page.getByTestId("update-row").filter({ hasText: reference });
    await expect(row).toContainText("new image under this tag");
    await expect(row).toContainText("1.0.1 patch");
    await expect(row.getByRole("link", { name: /stv-e2e-upd on e2e-host · outdated/ })).toBeVisible();
    await expect(page.getByTestId("update-schedule")).toContainText(/Last checked .*: \d+ references?, \d+ registry requests?, 1 outdated\. Next scheduled check in /);
    await shoot(page, "updates");

    // The containers list: the badge, and the filter that keeps only outdated containers.
    await page.goto("/containers");
    await page.getByRole("button", { name: "Update available" }).click();
    await expect(page).toHaveURL(/updates=available/);
    const rows = page.getByTestId("container-row");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute("data-name", "stv-e2e-upd");
    await expect(rows.first().getByTestId("update-badge")).toHaveText("update · 1.0.1 patch");
    await shoot(page, "containers-outdated");
  } finally {
    await docker(["rm", "-f", id]);
    await docker(["rmi", "-f", ...images]).catch(() => "");
  }
});
