import path from "node:path";
import { expect, test } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { docker, runContainer } from "../../apps/web/test/support/engine";
import { E2E_OPERATOR, E2E_VIEWER } from "../global-setup";

test("[OPERATOR] runs a container with a 64 MB memory limit from the form, sees it Up, and kills it", async ({ page }) => {
  await signInAs(page, E2E_OPERATOR);
  await page.getByRole("link", { name: "Run container" }).click();
  await expect(page).toHaveURL(/\/run/);

  await page.getByLabel("Image", { exact: true }).fill("stevedore-test/busybox");
  await expect(page.getByText("No tag: the engine runs")).toBeVisible();
  await page.getByLabel("Image", { exact: true }).fill("stevedore-test/busybox:latest");
  await page.getByLabel("Name", { exact: true }).fill("stv-e2e-limited");
  await page.getByLabel("Command and arguments").fill("sleep 100000");
  await page.getByLabel("Memory limit").fill("64m");
  await page.getByLabel("Init process as PID 1").check();
  await page.getByLabel("Labels").fill("stevedore.test=1");
  await expect(page.getByTestId("docker-run-line")).toHaveText(
    "docker run -d --name stv-e2e-limited --init --memory 64m --label stevedore.test=1 stevedore-test/busybox:latest sleep 100000",
  );
  await page.screenshot({ path: path.join(SHOTS, "run.png"), fullPage: true });
  await page.getByRole("button", { name: /^Run on 1 host$/ }).click();

  const started = page.getByRole("status").getByRole("link", { name: "stv-e2e-limited" });
  await expect(started).toBeVisible();
  const info = JSON.parse(await docker(["inspect", "stv-e2e-limited"]))[0];
  expect(info.HostConfig.Memory).toBe(64 * 1024 * 1024);
  expect(info.Config.Labels["io.stevedore.started-by"]).toBe(E2E_OPERATOR.email);

  await started.click();
  await expect(page.getByRole("heading", { name: "stv-e2e-limited" })).toBeVisible();
  await expect(page.getByTestId("container-status")).toHaveText(/^Up /);
  await expect(page.getByText(`Started by ${E2E_OPERATOR.email} through Stevedore`)).toBeVisible();
  await expect(page.getByText("memory 64 MiB")).toBeVisible();

  await page.getByRole("toolbar", { name: "Container actions" }).getByRole("button", { name: "Kill…" }).click();
  const kill = page.getByRole("dialog", { name: "Kill stv-e2e-limited?" });
  await kill.getByLabel("Signal").selectOption("SIGKILL");
  await kill.getByRole("button", { name: "Send SIGKILL" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Sent SIGKILL to stv-e2e-limited" })).toBeVisible();
  await expect(page.getByTestId("container-status")).toHaveText(/^Exited \(137\)/);
  await page.screenshot({ path: path.join(SHOTS, "container-killed.png"), fullPage: true });
  expect(JSON.parse(await docker(["inspect", "stv-e2e-limited"]))[0].State.ExitCode).toBe(137);

  // Both actions are in the audit trail under the operator's name.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).click();
  // The page has loaded its first rows (and is interactive) before the search is typed.
  await expect(page.getByTestId("audit-row").first()).toBeVisible();
  await page.getByLabel("Search").fill("stv-e2e-limited");
  await expect(page).toHaveURL(/q=stv-e2e-limited/);
  const mine = page.getByTestId("audit-row").filter({ hasText: E2E_OPERATOR.email }).filter({ hasText: "succeeded" });
  await expect(mine.filter({ hasText: "container.run" })).toHaveCount(1);
  await expect(mine.filter({ hasText: "container.kill" })).toHaveCount(1);
  await page.screenshot({ path: path.join(SHOTS, "audit-operator.png"), fullPage: true });
});

test("[VIEWER] sees no action buttons, and a direct API call is refused", async ({ page }) => {
  await runContainer("stv-e2e-viewer");
  await signInAs(page, E2E_VIEWER);
  await expect(page.getByRole("link", { name: "Run container" })).toHaveCount(0);
  const row = page.getByTestId("container-row").filter({ hasText: "stv-e2e-viewer" });
  await expect(row).toBeVisible();
  await expect(page.getByRole("checkbox")).toHaveCount(0);
  await row.getByRole("link", { name: "stv-e2e-viewer" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByRole("toolbar", { name: "Container actions" })).toHaveCount(0);

  const res = await page.request.post("/api/trpc/containers.operate", {
    headers: { "content-type": "application/json" },
    data: { json: { targets: [{ hostId: "host_x", id: "a".repeat(64) }], operation: { action: "kill" } } },
  });
  expect(res.status()).toBe(403);
  expect(await res.text()).toMatch(/FORBIDDEN/);
});

test("[OPERATOR] runs an image the host does not have: it is pulled first with per-layer progress, then runs", async ({ page }) => {
  const image = process.env.STEVEDORE_E2E_PULL_IMAGE!;
  await signInAs(page, E2E_OPERATOR);
  await page.goto("/run");
  await page.getByLabel("Image", { exact: true }).fill(image);
  await page.getByLabel("Name", { exact: true }).fill("stv-e2e-pulled");
  await page.getByLabel("Labels").fill("stevedore.test=1");
  await expect(page.getByTestId("image-missing")).toHaveText(/is not on e2e-host: it will be pulled there first/);
  await page.getByRole("button", { name: "Pull and run on 1 host" }).click();

  const host = page.getByTestId("pull-host").filter({ hasText: "e2e-host" });
  await expect(host.getByText(/Downloading/).first()).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, "run-pull-progress.png"), fullPage: true });
  await expect(host).toHaveAttribute("data-phase", "succeeded", { timeout: 30_000 });
  await expect(host.getByText(/sha256:[0-9a-f]{64}/)).toBeVisible();
  await expect(page.getByRole("status").getByRole("link", { name: "stv-e2e-pulled" })).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, "run-pulled.png"), fullPage: true });
  expect(JSON.parse(await docker(["inspect", "stv-e2e-pulled"]))[0].Config.Image).toBe(image);
});
