import path from "node:path";
import { expect, test } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { TEST_IMAGE, docker } from "../../apps/web/test/support/engine";
import { E2E_OPERATOR } from "../global-setup";

test("[OPERATOR] finds an image, reads its layers and history, sees the host's layer tree, tags and removes the tag", async ({ page }) => {
  await docker(["rmi", "stevedore-test/e2e-retag:1"]).catch(() => "");
  const baseId = await docker(["image", "inspect", "-f", "{{.Id}}", TEST_IMAGE]);
  await signInAs(page, E2E_OPERATOR);
  await page.getByRole("link", { name: "Images" }).click();
  await page.getByLabel("Search images").fill("stevedore-test/busybox");
  const row = page.getByTestId("image-row").filter({ hasText: TEST_IMAGE });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(baseId.slice(7, 19));
  await page.screenshot({ path: path.join(SHOTS, "images.png"), fullPage: true });

  await row.getByRole("link", { name: TEST_IMAGE }).click();
  await expect(page.getByRole("heading", { name: TEST_IMAGE })).toBeVisible();
  const history = page.getByTestId("image-history");
  await expect(history).toContainText("COPY");
  await expect(history).toContainText("no layer"); // the CMD step
  await page.screenshot({ path: path.join(SHOTS, "image-history.png"), fullPage: true });

  await page.getByRole("link", { name: "Images" }).first().click();
  await page.getByLabel("Host").selectOption({ label: "e2e-host" });
  await page.getByRole("link", { name: "Layer tree of e2e-host" }).click();
  await expect(page.getByTestId("layer-savings")).toContainText("Sharing saves");
  await expect(page.getByTestId("layer-node").getByRole("link", { name: TEST_IMAGE })).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, "layer-tree.png"), fullPage: true });

  await page.goto("/images");
  await page.getByLabel("Search images").fill("stevedore-test/busybox");
  await page.getByRole("button", { name: `Tag ${TEST_IMAGE}` }).click();
  await page.getByLabel("Repository").fill("stevedore-test/e2e-retag");
  await page.getByLabel("Tag", { exact: true }).fill("1");
  await page.getByRole("dialog").getByRole("button", { name: "Tag" }).click();
  await expect(page.getByRole("dialog")).toBeHidden();
  await expect.poll(() => docker(["image", "inspect", "-f", "{{.Id}}", "stevedore-test/e2e-retag:1"]).catch(() => "")).toBe(baseId);

  await page.getByLabel("Search images").fill("e2e-retag");
  await page.getByTestId("image-row").getByRole("button", { name: /^Remove / }).click();
  await page.getByRole("dialog").getByLabel("the tag stevedore-test/e2e-retag:1 only").check();
  await expect(page.getByRole("dialog")).toContainText("removes the tag stevedore-test/e2e-retag:1");
  await page.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
  await expect(page.getByRole("dialog")).toBeHidden();
  await expect.poll(() => docker(["image", "inspect", "stevedore-test/e2e-retag:1"]).then(() => "present", () => "gone")).toBe("gone");
  expect(await docker(["image", "inspect", "-f", "{{.Id}}", TEST_IMAGE])).toBe(baseId);
});
