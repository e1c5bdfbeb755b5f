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
  await dialog.getByLabel("Username").fill(E2E_REGISTRY_USER.username);
  // HTTPS to a plain-HTTP registry: said in words, not as OpenSSL's code alone.
  await dialog.getByRole("button", { name: "Test connection" }).click();
  await expect(dialog.getByRole("alert")).toContainText('this registry speaks plain HTTP, not HTTPS; tick "Plain HTTP"');
  await page.screenshot({ path: path.join(SHOTS, "registry-tls-hint.png") });
  await dialog.getByLabel(/Plain HTTP/).check();
  await dialog.getByLabel("Password or token").fill("not-the-password");
  await dialog.getByRole("button", { name: "Test connection" }).click();
  await expect(dialog.getByRole("alert")).toContainText(`refused the credentials for ${E2E_REGISTRY_USER.username}`);
  // Saving what the test just refused asks first.
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByTestId("save-untested-warning")).toContainText("The last connection test failed");
  await expect(dialog.getByRole("button", { name: "Save anyway" })).toBeVisible();
  await dialog.getByLabel("Password or token").fill(E2E_REGISTRY_USER.password);
  await expect(dialog.getByTestId("save-untested-warning")).toHaveCount(0);
  await dialog.getByRole("button", { name: "Test connection" }).click();
  await expect(dialog.getByRole("status")).toContainText("Connected");
  await dialog.getByRole("button", { name: "Save" }).click();

  const card = page.getByTestId("registry-card").filter({ hasText: "Team registry" });
  await expect(card).toContainText(`credentials stored (${E2E_REGISTRY_USER.username})`);
  await card.getByRole("button", { name: "Browse" }).click();
  await page.getByRole("button", { name: "stevedore-test/e2e-private" }).click();
  // Each tag with its digest, download size and build date, from the registry's manifests.
  const tag = page.getByTestId("registry-tag").filter({ has: page.getByText("2.0.1", { exact: true }) });
  await expect(tag.getByTestId("tag-digest")).toHaveText(/^[0-9a-f]{12}/);
  await expect(tag.getByTestId("tag-size")).toHaveText(/\d(\.\d)? (KB|MB|KiB|MiB)/);
  await expect(tag.getByTestId("tag-created")).toContainText(/built .*ago/);
  await tag.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, "registry-tags.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(SHOTS, "registry-tags-phone.png"), fullPage: true });
  expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1400, height: 900 });
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

test("[ADMIN] Remove is on the registry's row and asks in the app's own dialog; revoking an API token too", async ({ page }) => {
  page.on("dialog", (d) => {
    throw new Error(`a browser dialog appeared: ${d.message()}`);
  });
  await signInAs(page, E2E_ADMIN);
  await page.goto("/registries");
  await page.getByRole("button", { name: "Add registry" }).click();
  const dialog = page.getByRole("dialog", { name: "Add registry" });
  await dialog.getByLabel("Name", { exact: true }).fill("Scratch registry");
  await dialog.getByLabel("Address").fill("127.0.0.1:18451"); // nothing listens there
  await dialog.getByLabel(/Plain HTTP/).check();
  await dialog.getByRole("button", { name: "Test connection" }).click();
  await expect(dialog.getByRole("alert")).toContainText("cannot reach 127.0.0.1:18451: ECONNREFUSED");
  await dialog.getByRole("button", { name: "Save" }).click();
  await dialog.getByRole("button", { name: "Save anyway" }).click();
  await expect(dialog).toBeHidden();
  const card = page.getByTestId("registry-card").filter({ hasText: "Scratch registry" });
  await expect(card).toBeVisible();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(SHOTS, "registries-phone.png"), fullPage: true });
  expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
  await page.setViewportSize({ width: 1400, height: 900 });

  await card.getByRole("button", { name: "Remove Scratch registry" }).click();
  const confirm = page.getByRole("dialog", { name: "Remove Scratch registry?" });
  await expect(confirm.getByRole("list", { name: "Registry to remove" })).toContainText("127.0.0.1:18451");
  await page.screenshot({ path: path.join(SHOTS, "registry-remove-confirm.png") });
  await confirm.getByRole("button", { name: "Remove Scratch registry" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Removed Scratch registry" })).toBeVisible();
  await expect(card).toHaveCount(0);

  const name = `e2e-revoke-${Date.now()}`;
  await page.goto("/tokens");
  await page.getByRole("button", { name: "New token" }).click();
  const create = page.getByRole("dialog", { name: "New API token" });
  await create.getByLabel("Name").fill(name);
  await create.getByRole("button", { name: "Create token" }).click();
  await expect(create.getByTestId("new-token")).toBeVisible();
  await create.getByRole("button", { name: "Done" }).click();
  const token = page.getByTestId("token-row").filter({ hasText: name });
  await token.getByRole("button", { name: `Revoke ${name}` }).click();
  const revoke = page.getByRole("dialog", { name: `Revoke ${name}?` });
  await expect(revoke).toContainText("Scripts using it stop working at once");
  await page.screenshot({ path: path.join(SHOTS, "token-revoke-confirm.png") });
  await revoke.getByRole("button", { name: `Revoke ${name}` }).click();
  await expect(page.getByTestId("toast").filter({ hasText: `Revoked ${name}` })).toBeVisible();
  await expect(token.getByText("revoked", { exact: true })).toBeVisible();
});
