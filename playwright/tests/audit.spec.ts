import path from "node:path";
import { expect, test } from "./test";
import { SHOTS, oneTimeJoinToken, signInAs } from "./sign-in";
import { E2E_ADMIN } from "../global-setup";
import { docker, runContainer } from "../../apps/web/test/support/engine";

test("[ADMIN] finds an audited action, filters, expands it, verifies the chain and exports the filtered trail", async ({ page }) => {
  await signInAs(page, E2E_ADMIN);

  // Something audited, through the UI: "Add host" makes a join token (a host.join-token entry).
  await page.getByRole("link", { name: "Hosts" }).click();
  await oneTimeJoinToken(page);
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
  const toggle = rows.first().getByRole("button", { name: /^The 1 entry of this request$/ });
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
  const firstToggle = rows.first().getByRole("button", { name: /entr(y|ies) of this/ });
  if ((await firstToggle.getAttribute("aria-expanded")) !== "true") await firstToggle.click();
  await page.screenshot({ path: path.join(SHOTS, "audit.png"), fullPage: true });
});

test("[ADMIN] a terminal session is one row (opened, started, closed) found by its action; a quoted search is exact; the recordings list opens its player; times say when exactly; cards at 390 px", async ({ page }) => {
  for (const name of ["stv-e2e-ux-1", "stv-e2e-ux-10", "stv-e2e-ux-11"]) await runContainer(name);
  await runContainer("stv-e2e-audit-term", ["sh"], undefined, ["-it"]);
  await signInAs(page, E2E_ADMIN);

  // A session through the UI: attach, echo, detach.
  await page.getByTestId("container-row").filter({ hasText: "stv-e2e-audit-term" }).getByRole("link", { name: "stv-e2e-audit-term" }).click();
  await page.getByRole("tab", { name: "Terminal" }).click();
  await page.getByRole("button", { name: "Attach" }).click();
  const terminal = page.getByTestId("terminal");
  await expect(page.getByTestId("terminal-status")).toHaveText(/^live/);
  await terminal.click();
  await page.keyboard.type("echo audited-$((20+3))");
  await page.keyboard.press("Enter");
  await expect(terminal.locator(".xterm-rows")).toContainText("audited-23");
  await page.keyboard.press("Control+p");
  await page.keyboard.press("Control+q");
  await expect(page.getByTestId("terminal-ended")).toHaveText("Detached. The container is still running.");

  // The Action filter lists terminal actions; the session is one row, its outcome the close's.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).click();
  const rows = page.getByTestId("audit-row");
  await expect(rows.first()).toBeVisible();
  const actions = await page.getByLabel("Action").locator("option").allTextContents();
  for (const a of ["terminal.attach", "terminal.exec", "terminal.close", "image.pull", "registry.add", "logs.download", "token.create", "user.create", "host.revoke"]) expect(actions).toContain(a);
  await page.getByLabel("Action").selectOption("terminal.attach");
  await expect(page).toHaveURL(/action=terminal\.attach/);
  const session = rows.filter({ hasText: "stv-e2e-audit-term" }).first();
  await expect(session).toContainText("terminal.attach");
  await expect(session).toContainText("closed");
  await expect(session).toContainText("succeeded");
  await expect(session).toHaveAttribute("data-entries", "3");
  const expand = session.getByRole("button", { name: "The 3 entries of this request" });
  await expand.focus();
  await page.keyboard.press("Enter");
  await expect(expand).toHaveAttribute("aria-expanded", "true");
  const entries = page.getByRole("table").getByTestId("audit-details").first().getByTestId("audit-entry");
  await expect(entries).toHaveCount(3);
  await expect(entries.nth(0)).toContainText("terminal.attach");
  await expect(entries.nth(0)).toContainText("requested");
  await expect(entries.nth(1)).toContainText("succeeded");
  await expect(entries.nth(2)).toContainText("terminal.close");
  await expect(entries.nth(2).getByTestId("audit-params")).toContainText('"durationMs"');

  // The row's time: relative, and the exact time with its zone on keyboard focus (its tooltip).
  const time = session.locator("time").first();
  await expect(time).toHaveText(/ago$/);
  await time.focus();
  await expect(page.getByRole("tooltip")).toHaveText(/\d{1,2}:\d\d:\d\d.*(UTC|GMT)/);
  await page.screenshot({ path: path.join(SHOTS, "audit-grouped.png"), fullPage: true });
  await page.keyboard.press("Escape");

  // Quoted: exactly stv-e2e-ux-1 (its create and start, one row); unquoted: ux-10 and ux-11 too.
  await page.getByRole("button", { name: "Clear filters" }).click();
  await page.getByLabel("Search").fill('"stv-e2e-ux-1"');
  await expect(page).toHaveURL(/q=%22stv-e2e-ux-1%22/);
  await expect(page.getByRole("table")).toHaveAttribute("aria-busy", "false");
  await expect(rows.filter({ hasText: "stv-e2e-ux-1" }).first()).toBeVisible();
  for (const text of await rows.allTextContents()) {
    expect(text).toContain("stv-e2e-ux-1");
    expect(text).not.toMatch(/stv-e2e-ux-1\d/);
  }
  await page.getByLabel("Search").fill("stv-e2e-ux-1");
  await expect(rows.filter({ hasText: "stv-e2e-ux-10" }).first()).toBeVisible();
  await expect(rows.filter({ hasText: "stv-e2e-ux-11" }).first()).toBeVisible();

  // Recordings: linked from the audit page, the session with who, where and how long, opening its player.
  await page.getByRole("link", { name: "Terminal recordings" }).click();
  await expect(page.getByRole("heading", { name: "Terminal recordings" })).toBeVisible();
  await page.getByLabel("Filter").fill("stv-e2e-audit-term");
  const recording = page.getByTestId("recording-row").filter({ hasText: "stv-e2e-audit-term" });
  await expect(recording).toHaveCount(1);
  await expect(recording).toContainText(E2E_ADMIN.email);
  await expect(recording).toContainText("e2e-host");
  await page.getByRole("button", { name: "Duration" }).click();
  await expect(page.getByRole("columnheader", { name: "Duration" })).toHaveAttribute("aria-sort", "descending");
  await page.screenshot({ path: path.join(SHOTS, "recordings.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId("recording-card").filter({ hasText: "stv-e2e-audit-term" })).toBeVisible();
  expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
  await page.screenshot({ path: path.join(SHOTS, "recordings-390.png"), fullPage: true });
  await page.setViewportSize({ width: 1400, height: 900 });
  await recording.getByRole("link", { name: "stv-e2e-audit-term" }).click();
  await expect(page.getByRole("heading", { name: "Terminal recording: stv-e2e-audit-term" })).toBeVisible();
  const facts = page.getByTestId("recording-facts");
  await expect(facts).toContainText(E2E_ADMIN.email);
  await expect(facts).toContainText("e2e-host");
  await expect(facts).toContainText("attach");
  await page.getByTestId("recording-player").locator(".ap-player").click();
  await page.keyboard.press("9");
  await expect(page.getByTestId("recording-player")).toContainText("audited-23");
  await page.screenshot({ path: path.join(SHOTS, "recording-facts.png"), fullPage: true });

  // The audit page at 390 px: cards, nothing wider than the screen.
  await page.goto("/audit");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId("audit-card").first()).toBeVisible();
  expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
  await page.screenshot({ path: path.join(SHOTS, "audit-390.png"), fullPage: true });
  for (const name of ["stv-e2e-ux-1", "stv-e2e-ux-10", "stv-e2e-ux-11", "stv-e2e-audit-term"]) await docker(["rm", "-f", name]).catch(() => "");
});
