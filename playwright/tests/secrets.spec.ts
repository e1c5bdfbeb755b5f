import path from "node:path";
import { expect, test } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { runContainer } from "../../apps/web/test/support/engine";
import { E2E_OPERATOR, E2E_VIEWER } from "../global-setup";

test("[VIEWER] sees a container's env names with values and arguments hidden; an operator sees them", async ({ page, browser }) => {
  await runContainer("stv-e2e-secrets", ["sleep", "987654"], undefined, ["-e", "API_KEY=e2e-secret-value", "-e", "MODE=prod"]);
  await signInAs(page, E2E_VIEWER);
  await page.getByRole("link", { name: "stv-e2e-secrets" }).first().click();
  await expect(page.getByText("API_KEY=<redacted>", { exact: true })).toBeVisible();
  await expect(page.getByTestId("secrets-redacted")).toContainText("need the logs permission");
  await expect(page.getByText("sleep <redacted>").first()).toBeVisible();
  await expect(page.locator("body")).not.toContainText("e2e-secret-value");
  await expect(page.locator("body")).not.toContainText("987654");
  await page.screenshot({ path: path.join(SHOTS, "container-redacted.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(SHOTS, "container-redacted-phone.png"), fullPage: true });

  const operator = await browser.newPage();
  await signInAs(operator, E2E_OPERATOR);
  await operator.getByRole("link", { name: "stv-e2e-secrets" }).first().click();
  await expect(operator.getByText("API_KEY=e2e-secret-value", { exact: true })).toBeVisible();
  await expect(operator.getByTestId("secrets-redacted")).toHaveCount(0);
  await operator.close();
});
