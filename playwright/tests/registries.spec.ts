import path from "node:path";
import { expect, test } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { docker } from "../../apps/web/test/support/engine";
import { E2E_ADMIN, E2E_REGISTRY_USER } from "../global-setup";

test("[ADMIN] adds a private registry with credentials, browses it, pulls an image with per-layer progress, then runs it", async ({ page }) => {
  const address = process.env.STEVEDORE_E2E_PRIVATE_REGISTRY!;
  await signInAs(page, E2E_ADMIN);
  await page.getByRole("link", { name: "Registries" }).click();
  await page.getByRole("button", { name: "Add registry" }).click();
  const dialog = page.getByRole("dialog", { name: "Add registry" });
  await dialog.getByLabel("Name", { exact: true }).fill("Team registry");
  await dialog.getByLabel("Address").fill(address);
  await dialog.getByLabel(/Plain HTTP/).check();
  await dialog.getByLabel("Username").fill(E2E_REGISTRY_USER.username);
  await dialog.getByLabel("Password or token").fill("not-the-password");
  await dialog.getByRole("button", { name: "Test connection" }).click();
  await expect(dialog.getByRole("alert")).toContainText(`refused the credentials for ${E2E_REGISTRY_USER.username}`);
  await dialog.getByLabel("Password or token").fill(E2E_REGISTRY_USER.password);
  await dialog.getByRole("button", { name: "Test connection" }).click();
  await expect(dialog.getByRole("status")).toContainText("Connected");
  await dialog.getByRole("button", { name: "Save" }).click();

  const card = page.getByTestId("registry-card").filter({ hasText: "Team registry" });
  await expect(card).toContainText(`credentials stored (${E2E_REGISTRY_USER.username})`);
  await card.getByRole("button", { name: "Browse" }).click();
  await page.getByRole("button", { name: "stevedore-test/e2e-private" }).click();
  await page.getByRole("button", { name: "Pull stevedore-test/e2e-private:2.0.1" }).click();
  const pull = page.getByRole("dialog", { name: "Pull image" });
  await expect(pull.getByLabel("Image")).toHaveValue(`${address}/stevedore-test/e2e-private:2.0.1`);
  await pull.getByRole("button", { name: "Pull to 1 host" }).click();
  const host = pull.getByTestId("pull-host").filter({ hasText: "e2e-host" });
  await expect(host.getByText(/Downloading/).first()).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, "registry-pull.png"), fullPage: true });
  await expect(host).toHaveAttribute("data-phase", "succeeded", { timeout: 30_000 });
  await expect(host.getByText(/sha256:[0-9a-f]{64}/)).toBeVisible();
  await expect(pull.getByText(/^Pulled /)).toBeVisible();

  await pull.getByRole("link", { name: "Run it…" }).click();
  await expect(page.getByLabel("Image", { exact: true })).toHaveValue(`${address}/stevedore-test/e2e-private:2.0.1`);
  await page.getByLabel("Name", { exact: true }).fill("stv-e2e-private");
  await page.getByLabel("Labels").fill("stevedore.test=1");
  await page.getByRole("button", { name: /^Run on 1 host$/ }).click();
  await expect(page.getByRole("status").getByRole("link", { name: "stv-e2e-private" })).toBeVisible();
  expect(await docker(["inspect", "-f", "{{.State.Running}}", "stv-e2e-private"])).toBe("true");
});

test("[ADMIN] a pull that fails on every host says so in its heading, not \"Pulled\"", async ({ page }) => {
  const address = process.env.STEVEDORE_E2E_PRIVATE_REGISTRY!;
  await signInAs(page, E2E_ADMIN);
  await page.goto("/images");
  await page.getByRole("button", { name: "Pull image" }).click();
  const pull = page.getByRole("dialog", { name: "Pull image" });
  await pull.getByLabel("Image").fill(`${address}/stevedore-test/e2e-private:0.0.0-missing`);
  await pull.getByRole("button", { name: "Pull to 1 host" }).click();
  await expect(pull.getByTestId("pull-host").filter({ hasText: "e2e-host" })).toHaveAttribute("data-phase", "failed", { timeout: 30_000 });
  await expect(pull.getByText(/^Could not pull /)).toBeVisible();
  await expect(pull.getByText(/^Pulled /)).toHaveCount(0);
  // Nothing to run: the image is on no host.
  await expect(pull.getByRole("button", { name: "Close" }).filter({ hasText: "Close" })).toBeVisible();
  await expect(pull.getByRole("link", { name: "Run it…" })).toHaveCount(0);
});
