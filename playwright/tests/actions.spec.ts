import path from "node:path";
import { expect, test, type Page } from "./test";
import { AGENT_ENROLL_PATH } from "@stevedore/protocol";
import { docker, runContainer, waitFor } from "../../apps/web/test/support/engine";
import { RawAgent } from "../../apps/web/test/support/raw-agent";
import { SHOTS, oneTimeJoinToken, signInAs } from "./sign-in";
import { E2E_ADMIN, E2E_OPERATOR } from "../global-setup";

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1400, height: 900 };

async function shootBoth(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: path.join(SHOTS, `${name}-phone.png`) });
  await page.setViewportSize(DESKTOP);
}

const stateOf = async (name: string) => JSON.parse(await docker(["inspect", name]))[0].State as { Status: string; ExitCode: number };

test("[OPERATOR] Stop asks first naming each container and host, and the outcome is confirmed", async ({ page }) => {
  const names = ["stv-e2e-act-a", "stv-e2e-act-b", "stv-e2e-act-c"];
  for (const n of names) await runContainer(n);
  await signInAs(page, E2E_OPERATOR);
  await page.getByLabel("Filter by name, image, id, command or host").fill("stv-e2e-act-");
  for (const n of names) await page.getByLabel(`Select ${n}`).check();

  await page.getByRole("toolbar", { name: "Container actions" }).getByRole("button", { name: "Stop…" }).click();
  const dialog = page.getByRole("dialog", { name: "Stop 3 containers?" });
  await expect(dialog).toBeVisible();
  const listed = dialog.getByRole("list", { name: "Containers" }).getByRole("listitem");
  await expect(listed).toHaveCount(3);
  for (const n of names) await expect(listed.filter({ hasText: n })).toContainText("on e2e-host");
  await shootBoth(page, "actions-stop-confirm");
  // Nothing happened yet: the dialog asks before anything is sent.
  expect((await stateOf(names[0]!)).Status).toBe("running");

  await dialog.getByLabel("Seconds to wait after SIGTERM before SIGKILL").fill("0");
  await dialog.getByRole("button", { name: "Stop 3 containers" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Stopped 3 containers" })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("status", { name: "Notifications" })).toContainText("Stopped 3 containers");
  for (const n of names) expect((await stateOf(n)).Status).toBe("exited");
  await shootBoth(page, "actions-stopped-toast");
});

test("[OPERATOR] Kill offers the signal with SIGTERM first, and more than 10 targets need the count typed", async ({ page }) => {
  const names = Array.from({ length: 11 }, (_, i) => `stv-e2e-many-${String(i).padStart(2, "0")}`);
  await Promise.all(names.map((n) => runContainer(n)));
  await signInAs(page, E2E_OPERATOR);
  await page.getByLabel("Filter by name, image, id, command or host").fill("stv-e2e-many-");
  await expect(page.getByTestId("container-row")).toHaveCount(11);
  await page.getByLabel("Select all on this page").check();

  await page.getByRole("toolbar", { name: "Container actions" }).getByRole("button", { name: "Kill…" }).click();
  const dialog = page.getByRole("dialog", { name: "Kill 11 containers?" });
  await expect(dialog.getByLabel("Signal")).toHaveValue("SIGTERM");
  await expect(dialog.getByRole("list", { name: "Containers" }).getByRole("listitem")).toHaveCount(11);
  const confirm = dialog.getByRole("button", { name: "Send SIGKILL" });
  await dialog.getByLabel("Signal").selectOption("SIGKILL");
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel("Type 11 to confirm").fill("10");
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel("Type 11 to confirm").fill("11");
  await shootBoth(page, "actions-kill-typed");
  await confirm.click();
  await expect(page.getByTestId("toast").filter({ hasText: "Sent SIGKILL to 11 containers" })).toBeVisible({ timeout: 30_000 });
  for (const n of names) expect((await stateOf(n)).ExitCode).toBe(137);
});

test("[OPERATOR] Remove lists what it removes and offers Force for a running container instead of failing", async ({ page }) => {
  await runContainer("stv-e2e-rm-running");
  await signInAs(page, E2E_OPERATOR);
  await page.getByLabel("Filter by name, image, id, command or host").fill("stv-e2e-rm-running");
  // The filter is in the URL (debounced) before a click navigates away, so it cannot overwrite the navigation.
  await expect(page).toHaveURL(/q=stv-e2e-rm-running/);
  await page.getByTestId("container-row").filter({ hasText: "stv-e2e-rm-running" }).getByRole("link", { name: "stv-e2e-rm-running" }).click();
  await expect(page.getByRole("heading", { name: "stv-e2e-rm-running" })).toBeVisible();

  await page.getByRole("toolbar", { name: "Container actions" }).getByRole("button", { name: "Remove…" }).click();
  const dialog = page.getByRole("dialog", { name: "Remove stv-e2e-rm-running?" });
  await expect(dialog.getByRole("list", { name: "Containers" })).toContainText("stv-e2e-rm-running");
  await expect(dialog).toContainText("stv-e2e-rm-running is running: check Force, or stop first.");
  const confirm = dialog.getByRole("button", { name: "Remove stv-e2e-rm-running" });
  await expect(confirm).toBeDisabled();
  await dialog.getByRole("checkbox", { name: /Force/ }).check();
  await expect(dialog).toContainText("killed (SIGKILL, no clean shutdown) and then removed");
  await shootBoth(page, "actions-remove-force");
  await confirm.click();
  await expect(page).toHaveURL(/\/containers$/);
  // The toast outlives the page it was started on.
  await expect(page.getByTestId("toast").filter({ hasText: "Removed stv-e2e-rm-running" })).toBeVisible();
  await expect(docker(["inspect", "stv-e2e-rm-running"])).rejects.toThrow();
});

test("[ADMIN] a refused agent says which side to upgrade; Revoke asks in the app's dialog; revoked hosts stay listed with when and by whom", async ({ page }) => {
  await signInAs(page, E2E_ADMIN);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Hosts" }).click();
  const token = await oneTimeJoinToken(page);
  await page.keyboard.press("Escape");
  const base = process.env.STEVEDORE_E2E_URL!;
  const enrolled = await page.request.post(`${base}${AGENT_ENROLL_PATH}`, { data: { token, hostname: "stv-e2e-old-agent" } });
  const { credential } = (await enrolled.json()) as { credential: string };

  // An agent that speaks protocol 0 is refused; the host's card says so instead of only "offline".
  const raw = new RawAgent(base, credential);
  await raw.opened();
  raw.hello(0);
  await waitFor(() => raw.closed, { what: "the old agent closed" });
  const card = page.getByTestId("host-card").filter({ hasText: "stv-e2e-old-agent" });
  await expect(card.getByText("agent too old", { exact: true })).toBeVisible();
  await expect(card.getByTestId("host-refused-protocol")).toContainText("agent too old: upgrade it. It speaks protocol 0");
  await card.scrollIntoViewIfNeeded();
  await shootBoth(page, "hosts-refused-protocol");

  // No browser confirm(): a page-level dialog would fail this test.
  page.on("dialog", (d) => {
    throw new Error(`a browser dialog appeared: ${d.message()}`);
  });
  await card.getByRole("button", { name: "Revoke…" }).click();
  const dialog = page.getByRole("dialog", { name: "Revoke stv-e2e-old-agent?" });
  await expect(dialog).toContainText("disconnects its agent now and refuses its credential");
  await shootBoth(page, "hosts-revoke-confirm");
  await dialog.getByRole("button", { name: "Revoke stv-e2e-old-agent" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Revoked stv-e2e-old-agent" })).toBeVisible();
  await expect(card).toHaveCount(0);

  await page.getByRole("button", { name: "Show revoked hosts" }).click();
  const row = page.getByTestId("revoked-host").filter({ hasText: "stv-e2e-old-agent" });
  await expect(row).toContainText(`by ${E2E_ADMIN.email}`);
  await expect(row).toContainText("revoked");
  await expect(row.getByRole("link", { name: "audit entry" })).toBeVisible();
  await row.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, "hosts-revoked.png"), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: path.join(SHOTS, "hosts-revoked-phone.png"), fullPage: true });
});
