import path from "node:path";
import { expect, test } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { E2E_ADMIN } from "../global-setup";

test("[ADMIN] finds an audited action, filters, expands it, verifies the chain and exports the filtered trail", async ({ page }) => {
  await signInAs(page, E2E_ADMIN);

  // Something audited, through the UI: "Add host" makes a join token (a host.join-token entry).
  await page.getByRole("link", { name: "Hosts" }).click();
  await page.getByRole("button", { name: "Add host" }).click();
  await expect(page.getByTestId("join-command").first()).toContainText("--join stvjoin_");
  await page.keyboard.press("Escape");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).click();
  await expect(page).toHaveURL(/\/audit/);
  const rows = page.getByTestId("audit-row");
  const joinRow = rows.filter({ hasText: "host.join-token" }).filter({ hasText: E2E_ADMIN.email }).first();
  await expect(joinRow).toBeVisible();
  await expect(joinRow).toContainText("succeeded");
  await expect(joinRow).toContainText("join token");

  // Filter by action: the choice goes to the URL and every row shown has that action.
  await page.getByLabel("Action").selectOption("host.join-token");
  await expect(page).toHaveURL(/action=host\.join-token/);
  const table = page.getByRole("table");
  await expect(table).toHaveAttribute("aria-busy", "false"); // the previous rows stay up while the new ones load
  await expect(rows.first()).toBeVisible();
  for (const text of await rows.allTextContents()) expect(text).toContain("host.join-token");

  // Expand the newest entry with the keyboard: parameters, request id, hashes.
  const toggle = rows.first().getByRole("button", { name: /^Details of entry #\d+$/ });
  await toggle.focus();
  await page.keyboard.press("Enter");
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  const details = page.getByTestId("audit-details").first();
  await expect(details.getByTestId("audit-params")).toContainText('"expiresAt"');
  await expect(details.locator("code[title]").first()).toHaveAttribute("title", /^[0-9a-f]{64}$/);

  // Its request id filters to that one request, shown as a removable chip.
  const requestId = (await details.getByRole("button", { name: /^req_/ }).textContent())!;
  await details.getByRole("button", { name: requestId }).click();
  await expect(page).toHaveURL(new RegExp(`requestId=${requestId}`));
  await expect(page.getByText("every entry of this one request")).toBeVisible();
  await expect(rows).toHaveCount(1);

  // Export the filtered set with the session: the same filters, so exactly that entry.
  const csvHref = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
  expect(csvHref).toContain(`requestId=${requestId}`);
  const csv = await (await page.request.get(csvHref!)).text();
  expect(csv.trimEnd().split("\r\n")).toHaveLength(2);
  expect(csv).toContain(`,${requestId},succeeded,host.join-token,user,${E2E_ADMIN.email},`);

  await page.getByRole("button", { name: "Remove the request filter" }).click();
  await expect(page).not.toHaveURL(/requestId=/);
  await expect(page).toHaveURL(/action=host\.join-token/);

  // Checkpoint the head to the witnesses, then verify the chain against it (admins only).
  await page.getByRole("button", { name: "Checkpoint now" }).click();
  await expect(page.getByTestId("audit-checkpoint-result")).toHaveText(/^Checkpoint at entry #\d+ kept by audit-checkpoints\.jsonl$/);
  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByTestId("audit-verify-result")).toHaveText(/^✓ Intact: \d+ entr(y|ies)$/);
  await expect(page.getByTestId("audit-verify-checkpoints")).toHaveText(/^Reaches \d+ signed checkpoints?, the newest at entry #\d+ \(/);
  await expect(page.getByTestId("audit-verify-witness-warning")).toHaveCount(0);

  // Search and a time range together (both debounced): neither undoes the other.
  await page.getByLabel("Search").fill("e2e.stevedore");
  await page.getByLabel("From").fill("2020-01-01T00:00");
  await expect(page).toHaveURL(/q=e2e\.stevedore/);
  await expect(page).toHaveURL(/from=2020-01-01T\d\d%3A00%3A00\.000Z|from=2019-12-31T/);
  await expect(page).toHaveURL(/action=host\.join-token/);
  await expect(table).toHaveAttribute("aria-busy", "false");
  await expect(joinRow).toBeVisible();

  // Back to everything, one entry open, for the screenshot.
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(/\/audit\??$/);
  await expect(rows.first()).toBeVisible();
  const firstToggle = rows.first().getByRole("button", { name: /^Details of entry/ });
  if ((await firstToggle.getAttribute("aria-expanded")) !== "true") await firstToggle.click();
  await page.screenshot({ path: path.join(SHOTS, "audit.png"), fullPage: true });
});
