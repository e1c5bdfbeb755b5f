import path from "node:path";
import { expect, test } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { runContainer } from "../../apps/web/test/support/engine";
import { E2E_ADMIN, E2E_GRANTEE } from "../global-setup";

test("[ADMIN] puts the host in a group and makes a viewer operator there; the viewer then gets actions on it", async ({ page, browser }) => {
  await runContainer("stv-e2e-granted");
  await signInAs(page, E2E_ADMIN);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Hosts" }).click();
  await page.getByRole("button", { name: "Edit groups of e2e-host" }).click();
  const groups = page.getByRole("dialog", { name: "Groups of e2e-host" });
  await groups.getByLabel("New group name").fill("staging");
  await groups.getByLabel("New group name").press("Enter");
  await expect(groups.getByRole("checkbox", { name: /staging/ })).toBeChecked();
  await groups.getByRole("button", { name: "Save groups" }).click();
  await expect(groups).toBeHidden();
  await expect(page.getByTestId("host-card").filter({ hasText: "e2e-host" }).getByTestId("host-groups")).toContainText("staging");
  await page.screenshot({ path: path.join(SHOTS, "hosts-groups.png"), fullPage: true });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
  await page.getByRole("button", { name: `Edit the grants of ${E2E_GRANTEE.email}` }).click();
  const grants = page.getByRole("dialog", { name: `Grants of ${E2E_GRANTEE.email}` });
  await grants.getByLabel("Grant on staging").selectOption("operator");
  await grants.getByRole("button", { name: "Save grants" }).click();
  await expect(grants).toBeHidden();
  await expect(page.getByTestId("user-row").filter({ hasText: E2E_GRANTEE.email }).getByTestId("user-grants")).toHaveText("staging");
  await page.screenshot({ path: path.join(SHOTS, "users-grants.png"), fullPage: true });

  const grantee = await browser.newPage();
  await signInAs(grantee, E2E_GRANTEE);
  await expect(grantee.getByRole("link", { name: "Run container" })).toBeVisible();
  await expect(grantee.getByRole("checkbox", { name: "Select stv-e2e-granted" })).toBeVisible();
  await grantee.goto("/hosts");
  await expect(grantee.getByTestId("host-card").filter({ hasText: "e2e-host" })).toContainText("you are operator here");
  await grantee.close();
});
