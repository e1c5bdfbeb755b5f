import path from "node:path";
import { expect, test, type Page } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { TEST_LABEL, docker } from "../../apps/web/test/support/engine";
import { pushMarkedImage } from "../../apps/web/test/support/registry";
import { E2E_ADMIN, E2E_OPERATOR } from "../global-setup";

async function shoot(page: Page, name: string): Promise<void> {
  for (const [width, height] of [[1400, 900], [390, 844]] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1400, height: 900 });
}

/** A healthcheck that passes at once, so the health gate takes a second, not the 30 s of watching. */
const HEALTHY = { healthcheck: "--interval=1s --timeout=1s --retries=1 CMD true" };

test("[OPERATOR] a tag pushed again shows as an update: Check now, the badge and the filter, then Update with progress to done; Edit and recreate keeps the rest", async ({ page }) => {
  test.setTimeout(120_000);
  const registry = { host: process.env.STEVEDORE_E2E_REGISTRY!, dockerConfig: null };
  const repo = "stevedore-test/e2e-upd";
  const reference = `${registry.host}/${repo}:1.0.0`;
  const images = [await pushMarkedImage(registry, [`${repo}:1.0.0`], "e2e-v1", HEALTHY)];
  // sleep as PID 1 ignores SIGTERM: a short stop timeout keeps the recreate's stop short.
  const id = (await docker(["run", "-d", "--name", "stv-e2e-upd", "--label", TEST_LABEL, "--stop-timeout", "1", "-e", "MODE=one", reference])).trim();
  const made: string[] = [id];
  try {
    await signInAs(page, E2E_OPERATOR);
    await page.getByRole("link", { name: "Updates" }).click();
    await page.getByRole("button", { name: "Check now" }).click();
    await expect(page.getByRole("status").filter({ hasText: /Checked \d+ image references?: 0 outdated/ })).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId("update-row").filter({ hasText: reference })).toHaveCount(0);

    images.push(await pushMarkedImage(registry, [`${repo}:1.0.0`, `${repo}:1.0.1`], "e2e-v2", HEALTHY));
    await page.getByRole("button", { name: "Check now" }).click();
    await expect(page.getByRole("status").filter({ hasText: /Checked \d+ image references?: 1 outdated/ })).toBeVisible({ timeout: 20_000 });
    const row = page.getByTestId("update-row").filter({ hasText: reference });
    await expect(row).toContainText("new image under this tag");
    await expect(row).toContainText("1.0.1 patch");
    await expect(row.getByRole("link", { name: /stv-e2e-upd on e2e-host · outdated/ })).toBeVisible();
    await expect(page.getByTestId("update-schedule")).toContainText(/Last checked .*: \d+ references?, \d+ registry requests?, 1 outdated\. Next scheduled check (in .*|due now)\./);
    await shoot(page, "updates");

    // The containers list: the badge, and the filter that keeps only outdated containers.
    await page.goto("/containers");
    // The rows come from the browser's own query: once one shows, the page is live (a click on a page
    // still hydrating is lost).
    await expect(page.getByTestId("container-row").first()).toBeVisible();
    await page.getByRole("button", { name: "Update available" }).click();
    await expect(page).toHaveURL(/updates=available/);
    const rows = page.getByTestId("container-row");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute("data-name", "stv-e2e-upd");
    await expect(rows.first().getByTestId("update-badge")).toHaveText("update · 1.0.1 patch");
    await shoot(page, "containers-outdated");
    // A selection can be updated too: it asks first, naming what it updates (cancelled here; the Updates page does it below).
    await rows.first().getByRole("checkbox", { name: "Select stv-e2e-upd" }).check();
    await page.getByRole("button", { name: "Update 1", exact: true }).click();
    const selectionDialog = page.getByRole("dialog", { name: "Update 1 container?" });
    await expect(selectionDialog.getByRole("listitem")).toHaveText([/stv-e2e-upd/]);
    await selectionDialog.getByRole("button", { name: "Cancel" }).click();
    await expect(selectionDialog).toBeHidden();

    // Update from the Updates page: asks first naming the container, then the rollout to done.
    await page.getByRole("link", { name: "Updates" }).click();
    await row.getByRole("button", { name: "Update 1 container" }).click();
    const dialog = page.getByRole("dialog", { name: /Update 1 container of/ });
    await expect(dialog).toContainText("stv-e2e-upd");
    await dialog.getByRole("button", { name: "Update" }).click();
    await expect(row.getByTestId("rollout-heading")).toHaveText(/Updating 1 container|Done/);
    await expect(row.getByTestId("rollout-heading")).toHaveText("Done: 1 container up to date", { timeout: 60_000 });
    await expect(row.getByTestId("rollout-target")).toContainText("replaced");
    await expect(row.getByTestId("rollout-target")).toContainText("healthy");
    await shoot(page, "updates-done");
    const updated = JSON.parse(await docker(["inspect", "stv-e2e-upd"])) as { Id: string; Image: string; Config: { Env: string[] } }[];
    expect(updated[0]!.Image).toBe(images[1]);
    expect(updated[0]!.Config.Env).toContain("MODE=one");
    made.push(updated[0]!.Id);

    // Edit and recreate from the container's page: the form comes filled, a change goes through the same gate.
    await page.goto(`/containers?q=stv-e2e-upd`);
    await page.getByTestId("container-row").getByRole("link", { name: "stv-e2e-upd" }).click();
    await page.getByRole("link", { name: "Edit and recreate" }).click();
    await expect(page.getByRole("heading", { name: "Edit and recreate stv-e2e-upd" })).toBeVisible();
    const env = page.getByLabel("Environment");
    await expect(env).toHaveValue(/MODE=one/);
    await env.fill("MODE=two");
    await expect(page.getByTestId("docker-run-line")).toContainText("-e MODE=two");
    await shoot(page, "edit-and-recreate");
    await page.getByRole("button", { name: "Recreate", exact: true }).click();
    await page.getByRole("dialog", { name: "Recreate stv-e2e-upd?" }).getByRole("button", { name: "Recreate" }).click();
    await expect(page.getByTestId("rollout-heading")).toHaveText("Done: 1 container recreated", { timeout: 60_000 });
    const edited = JSON.parse(await docker(["inspect", "stv-e2e-upd"])) as { Id: string; Config: { Env: string[] } }[];
    expect(edited[0]!.Config.Env).toContain("MODE=two");
    made.push(edited[0]!.Id);
  } finally {
    await docker(["rm", "-f", ...made]).catch(() => "");
    await docker(["rmi", "-f", ...images]).catch(() => "");
  }
});

test("[OPERATOR] a pasted docker run line fills the run form, naming what it cannot carry", async ({ page }) => {
  await signInAs(page, E2E_OPERATOR);
  await page.goto("/run");
  await page.getByText("Paste a docker run line").click();
  await page.getByLabel("docker run line").fill("docker run -d --name web -p 8080:80 -e MODE=prod -v data:/srv -m 256m --restart always --cap-add NET_ADMIN nginx:1.27");
  await page.getByRole("button", { name: "Fill the form" }).click();
  await expect(page.getByLabel("Image", { exact: true })).toHaveValue("nginx:1.27");
  await expect(page.getByLabel("Published ports")).toHaveValue("8080:80/tcp");
  await expect(page.getByLabel("Memory limit")).toHaveValue("256m");
  await expect(page.getByTestId("unsupported")).toContainText("--cap-add NET_ADMIN");
  await expect(page.getByTestId("docker-run-line")).toHaveText("docker run -d --name web --memory 256m --restart always -p 8080:80/tcp -v data:/srv -e MODE=prod nginx:1.27");
  await page.getByLabel("docker run line").fill("docker run --frobnicate nginx");
  await page.getByRole("button", { name: "Fill the form" }).click();
  await expect(page.getByTestId("paste-errors")).toContainText("unknown flag --frobnicate");
  await shoot(page, "run-form-pasted");
});

test("[ADMIN] the automatic-update policy is set in Settings: a rule with a maintenance window, the server's refusal shown in place", async ({ page }) => {
  await signInAs(page, E2E_ADMIN);
  await page.goto("/settings");
  const card = page.locator("section", { has: page.getByRole("heading", { name: "Automatic updates" }) });
  const fleet = card.getByLabel("Fleet default", { exact: true });
  await expect(fleet).toHaveValue("notify");
  try {
    await fleet.selectOption("patch");
    await card.getByLabel("Only in a maintenance window").check();
    // One day, three days from today: a window that cannot open while the rest of the suite runs.
    const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][(new Date().getUTCDay() + 3) % 7]!;
    const days = card.getByRole("group", { name: "Days" });
    for (const d of ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]) await days.getByLabel(d, { exact: true }).setChecked(d === day);
    await card.getByLabel("Time zone").fill("Mars/Olympus");
    await card.getByRole("button", { name: "Save update policy" }).click();
    await expect(card.getByRole("alert")).toContainText("not a time zone this server knows");
    await card.getByLabel("Time zone").fill("Europe/Berlin");
    await card.getByRole("button", { name: "Save update policy" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Update policy saved" })).toBeVisible();
    await shoot(page, "settings-update-policy");

    await page.reload();
    await expect(fleet).toHaveValue("patch");
    await expect(card.getByLabel("Time zone")).toHaveValue("Europe/Berlin");
    await expect(card.getByRole("group", { name: "Days" }).getByRole("checkbox", { checked: true })).toHaveCount(1);
  } finally {
    // Back to the default, so that nothing in the rest of the suite updates itself.
    await fleet.selectOption("notify");
    const save = card.getByRole("button", { name: "Save update policy" });
    if (await save.isEnabled()) await save.click();
    await expect(save).toBeDisabled();
  }
});
