import crypto from "node:crypto";
import http from "node:http";
import path from "node:path";
import { expect, test, type Page } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { docker, runContainer } from "../../apps/web/test/support/engine";
import { E2E_ADMIN, E2E_OPERATOR, E2E_VIEWER } from "../global-setup";
import { horizontalOverflow, inEachScheme, seriousViolations } from "./pages";

/** In this spec's port range (19100-19199). */
const RECEIVER_PORT = 19101;
const RUN = Date.now().toString(36);
const CHANNEL = `e2e hook ${RUN}`;
const RULE = `e2e exits ${RUN}`;
const CONTAINER = `stv-e2e-alert-${RUN}`;
const HMAC_KEY = `e2e-hmac-${RUN}-secret`;
const HOOK_PATH = `/hook/token-${RUN}`;

interface Received {
  event: string;
  container: string | null;
  signatureOk: boolean;
}

/** A real webhook receiver: records each notification and whether its HMAC signature checks out. */
const received: Received[] = [];
const receiver = http.createServer((req, res) => {
  let body = "";
  req.on("data", (d: Buffer) => (body += d.toString()));
  req.on("end", () => {
    const ts = String(req.headers["x-stevedore-timestamp"] ?? "");
    const expected = `sha256=${crypto.createHmac("sha256", HMAC_KEY).update(`${ts}.${body}`).digest("hex")}`;
    const json = JSON.parse(body) as { event: string; alert: { container: string | null } | null };
    received.push({ event: json.event, container: json.alert?.container ?? null, signatureOk: req.headers["x-stevedore-signature"] === expected });
    res.writeHead(204).end();
  });
});

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(RECEIVER_PORT, "127.0.0.1", resolve));
});

test.afterAll(async () => {
  // Removed, the container's alert resolves (and leaves nothing firing for later specs).
  await docker(["rm", "-f", CONTAINER]).catch(() => "");
  await new Promise((resolve) => receiver.close(resolve));
});

/** The navigation's firing count (no badge: none firing). */
async function firingCount(page: Page): Promise<number> {
  const badge = page.getByRole("navigation", { name: "Main" }).getByTestId("firing-count");
  return (await badge.count()) ? Number(/\d+/.exec((await badge.textContent()) ?? "")![0]) : 0;
}

test("[ADMIN] a webhook channel and an exit rule; a container exits 3, its alert appears live with its delivery, and is acknowledged", async ({ page }) => {
  test.setTimeout(90_000);
  await signInAs(page, E2E_ADMIN);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /^Alerts/ }).click();
  await expect(page.getByRole("heading", { name: "Alerts", level: 1 })).toBeVisible();

  // Channel: a draft's test reaches the receiver and says so, then it is saved.
  await page.getByRole("navigation", { name: "Alerts, rules and channels" }).getByRole("link", { name: "Channels" }).click();
  await page.getByRole("button", { name: "Add channel" }).click();
  const form = page.getByRole("dialog", { name: "Add channel" });
  await form.getByLabel("Name", { exact: true }).fill(CHANNEL);
  await form.getByLabel("URL").fill(`http://127.0.0.1:${RECEIVER_PORT}${HOOK_PATH}`);
  await form.getByLabel("HMAC key").fill(HMAC_KEY);
  await form.getByRole("button", { name: "Send test" }).click();
  await expect(form.getByTestId("test-outcome")).toHaveText("Test delivered: the receiver answered 204.");
  expect(received).toContainEqual({ event: "test", container: null, signatureOk: true });
  await form.getByRole("button", { name: "Add channel" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: `Added channel ${CHANNEL}` })).toBeVisible();
  const row = page.getByTestId("channel-row").filter({ hasText: CHANNEL });
  await expect(row).toContainText("URL set");
  await expect(row).toContainText("HMAC key set");
  await expect(row).toContainText(`127.0.0.1:${RECEIVER_PORT}`);

  // Edited, its secrets are never shown back: only that they are set, with Replace.
  await row.getByRole("button", { name: `Edit ${CHANNEL}` }).click();
  const edit = page.getByRole("dialog", { name: `Edit channel ${CHANNEL}` });
  await expect(edit.getByTestId("secret-url")).toContainText("set");
  await expect(edit.getByTestId("secret-hmacKey")).toContainText("set");
  const html = await page.content();
  expect(html).not.toContain(HMAC_KEY);
  expect(html).not.toContain(HOOK_PATH);
  await edit.getByRole("button", { name: "Replace HMAC key" }).click();
  await expect(edit.getByLabel("HMAC key")).toHaveValue("");
  await edit.getByRole("button", { name: "Cancel" }).click();

  // Rule: a bad label pattern is named beside its field; then saved scoped by a name glob.
  await page.getByRole("navigation", { name: "Alerts, rules and channels" }).getByRole("link", { name: "Rules" }).click();
  await page.getByRole("button", { name: "Add rule" }).click();
  const rule = page.getByRole("dialog", { name: "Add rule" });
  await rule.getByLabel("Name", { exact: true }).fill(RULE);
  await expect(rule.getByLabel("When")).toHaveValue("container.exit");
  await rule.getByLabel("Severity").selectOption("critical");
  await rule.getByLabel("Container name").fill(`stv-e2e-alert-${RUN}*`);
  await rule.getByLabel("Label").fill("=oops");
  await rule.getByLabel(CHANNEL).check();
  await rule.getByRole("button", { name: "Add rule" }).click();
  await expect(rule.getByLabel("Label")).toHaveAttribute("aria-invalid", "true");
  await expect(rule.getByTestId("field-error")).toHaveText("a label pattern is key or key=value");
  await page.screenshot({ path: path.join(SHOTS, "alerts-rule-form-1400.png") });
  // The kinds change what the form asks: a restart loop's numbers, a host rule without container patterns.
  await rule.getByLabel("When").selectOption("container.restart-loop");
  await expect(rule.getByLabel("Restarts")).toHaveValue("3");
  await rule.getByLabel("When").selectOption("host.offline");
  await expect(rule.getByLabel("Container name")).toHaveCount(0);
  await expect(rule.getByLabel("Offline for (seconds)")).toHaveValue("60");
  await rule.getByLabel("When").selectOption("container.exit");
  await rule.getByLabel("Label").fill("");
  await rule.getByRole("button", { name: "Add rule" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: `Added rule ${RULE}` })).toBeVisible();
  await expect(page.getByTestId("rule-row").filter({ hasText: RULE })).toContainText(CHANNEL);

  // The container exits non-zero on the engine; the list and the count follow without a reload.
  await page.getByRole("navigation", { name: "Alerts, rules and channels" }).getByRole("link", { name: "Alerts" }).click();
  await expect(page.getByRole("table", { name: "Alerts" })).toBeVisible();
  const before = await firingCount(page);
  await runContainer(CONTAINER, ["sh", "-c", "sleep 1; exit 3"]);
  const alertRow = page.getByTestId("alert-row").filter({ hasText: CONTAINER });
  await expect(alertRow).toBeVisible({ timeout: 15_000 });
  await expect(alertRow).toHaveAttribute("data-state", "firing");
  await expect(alertRow).toContainText("critical");
  await expect.poll(() => firingCount(page)).toBe(before + 1);
  await page.screenshot({ path: path.join(SHOTS, "alerts-list-1400.png"), fullPage: true });
  // With the count showing, the full header still fits one row at 1280 px (theme.spec checks it without).
  await page.setViewportSize({ width: 1280, height: 800 });
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  const logo = await page.getByRole("banner").getByRole("link", { name: "Stevedore", exact: true }).boundingBox();
  const signOut = await page.getByRole("button", { name: "Sign out" }).boundingBox();
  expect(Math.abs(logo!.y + logo!.height / 2 - (signOut!.y + signOut!.height / 2))).toBeLessThan(4);
  await page.screenshot({ path: path.join(SHOTS, "alerts-header-1280.png") });
  await page.setViewportSize({ width: 1400, height: 900 });

  // Its page: where, the delivery as recorded (204), the signed webhook received.
  await alertRow.getByRole("link").first().click();
  await expect(page).toHaveURL(/\/alerts\/alr_/);
  await expect(page.getByRole("link", { name: "e2e-host" })).toBeVisible();
  await expect(page.getByRole("link", { name: CONTAINER })).toBeVisible();
  const delivery = page.getByTestId("delivery").filter({ hasText: CHANNEL });
  await expect(delivery).toContainText("delivered");
  await expect(delivery.getByTestId("delivery-attempt").first()).toContainText("204");
  expect(received).toContainEqual({ event: "firing", container: CONTAINER, signatureOk: true });
  await expect(page.getByRole("list", { name: "Timeline" })).toContainText(`"firing" delivered to ${CHANNEL}`);
  const found: string[] = [];
  await inEachScheme(page, async (scheme) => void found.push(...(await seriousViolations(page, `alert (${scheme})`))));
  expect(found, found.join("\n")).toEqual([]);

  // Acknowledged after asking: a toast, the state, and the count back down.
  await page.getByRole("button", { name: "Acknowledge…" }).click();
  const ask = page.getByRole("dialog", { name: "Acknowledge this alert?" });
  await expect(ask).toContainText(CONTAINER);
  await ask.getByRole("button", { name: "Acknowledge", exact: true }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Acknowledged:" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 }).locator("..")).toContainText("acknowledged");
  await expect(page.getByRole("list", { name: "Timeline" })).toContainText(`Acknowledged by ${E2E_ADMIN.email}`);
  await expect.poll(() => firingCount(page)).toBe(before);

  // The container's page shows its open alert, linking back.
  await page.getByRole("link", { name: CONTAINER }).click();
  await expect(page.getByRole("heading", { name: CONTAINER, level: 1 })).toBeVisible();
  await expect(page.getByTestId("open-alerts")).toContainText("1 open alert on this container");

  // At a phone's width: the list as cards, and the rule form.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/alerts");
  await expect(alertRow).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, "alerts-list-390.png"), fullPage: true });
  await page.goto("/alerts/rules");
  await page.getByTestId("rule-row").filter({ hasText: RULE }).getByRole("button", { name: `Edit ${RULE}` }).click();
  await expect(page.getByRole("dialog", { name: `Edit rule ${RULE}` }).getByLabel("Container name")).toHaveValue(`stv-e2e-alert-${RUN}*`);
  await page.screenshot({ path: path.join(SHOTS, "alerts-rule-form-390.png") });
});

test("[OPERATOR] silences the alert on a host they operate; sees no rules or channels", async ({ page }) => {
  await signInAs(page, E2E_OPERATOR);
  await page.goto("/alerts");
  await expect(page.getByRole("navigation", { name: "Alerts, rules and channels" }).getByRole("link")).toHaveText(["Alerts"]);
  const alertRow = page.getByTestId("alert-row").filter({ hasText: CONTAINER });
  await expect(alertRow).toHaveAttribute("data-state", "acknowledged");
  await alertRow.getByRole("button", { name: /^Silence / }).click();
  const ask = page.getByRole("dialog", { name: "Silence this alert?" });
  await ask.getByLabel("For").selectOption({ label: "4 hours" });
  await ask.getByRole("button", { name: "Silence", exact: true }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Silenced until" })).toBeVisible();
  await expect(alertRow).toHaveAttribute("data-state", "silenced");
  await page.goto("/alerts/rules");
  await expect(page.getByText("Alert rules are managed by admins.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Add rule" })).toHaveCount(0);
});

test("[VIEWER] reads the alert and its deliveries, with nothing to act on", async ({ page }) => {
  await signInAs(page, E2E_VIEWER);
  await page.goto("/alerts");
  const alertRow = page.getByTestId("alert-row").filter({ hasText: CONTAINER });
  await expect(alertRow).toBeVisible();
  await expect(alertRow.getByRole("button")).toHaveCount(0);
  await alertRow.getByRole("link").first().click();
  await expect(page.getByTestId("delivery").filter({ hasText: CHANNEL })).toContainText("delivered");
  await expect(page.getByRole("button", { name: /Acknowledge|Silence/ })).toHaveCount(0);
  await page.goto("/alerts/channels");
  await expect(page.getByText("Alert channels are managed by admins.")).toBeVisible();
});
