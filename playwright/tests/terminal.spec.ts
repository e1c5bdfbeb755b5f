import path from "node:path";
import type { WebSocketRoute } from "@playwright/test";
import { expect, test } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { docker, runContainer } from "../../apps/web/test/support/engine";
import { E2E_ADMIN } from "../global-setup";

test("[ADMIN] attaches to a container in the browser, runs echo hello, detaches with Ctrl-P Ctrl-Q and the container keeps running; the session's recording plays", async ({ page }) => {
  const id = await runContainer("stv-e2e-term", ["sh"], undefined, ["-it"]);
  await signInAs(page, E2E_ADMIN);
  await page.getByTestId("container-row").filter({ hasText: "stv-e2e-term" }).getByRole("link", { name: "stv-e2e-term" }).click();
  await page.getByRole("tab", { name: "Terminal" }).click();
  // The terminal's socket goes through the test, so it can drop it like a network blip would.
  const sockets: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/terminal\?/, (ws) => {
    ws.connectToServer();
    sockets.push(ws);
  });
  await page.getByRole("button", { name: "Attach" }).click();
  const terminal = page.getByTestId("terminal");
  await expect(page.getByTestId("terminal-status")).toHaveText(/^live/);
  await terminal.click();
  await page.keyboard.type("echo hel''lo-$((6*7))");
  await page.keyboard.press("Enter");
  await expect(terminal.locator(".xterm-rows")).toContainText("hello-42");
  await page.screenshot({ path: path.join(SHOTS, "terminal.png"), fullPage: true });

  // Keys typed while the socket is down, and the rejoin held back, arrive once it is back.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route(/terminals\.join/, async (route) => {
    await held;
    await route.continue();
  });
  await sockets[0]!.close();
  await expect(page.getByTestId("terminal-status")).toHaveText(/^reconnecting/);
  await page.keyboard.type("echo typed-while-$((1+1))-away");
  await page.keyboard.press("Enter");
  release();
  await expect(page.getByTestId("terminal-status")).toHaveText(/^live/);
  await expect(terminal.locator(".xterm-rows")).toContainText("typed-while-2-away");
  expect(sockets).toHaveLength(2);

  await page.keyboard.press("Control+p");
  await page.keyboard.press("Control+q");
  await expect(page.getByTestId("terminal-ended")).toHaveText("Detached. The container is still running.");
  await expect(page.getByTestId("container-status")).toHaveText(/^Up /);
  expect(await docker(["inspect", "-f", "{{.State.Running}}", id])).toBe("true");

  // The audit trail has the session, with its recording.
  // One row for the session: its open, its start and its close.
  await page.goto("/audit?action=terminal.close");
  const row = page.getByTestId("audit-row").filter({ hasText: "terminal.attach" }).filter({ hasText: "closed" }).first();
  await expect(row).toContainText(E2E_ADMIN.email);
  await row.getByRole("link", { name: "Play recording" }).click();
  await expect(page.getByRole("heading", { name: "Terminal recording" })).toBeVisible();
  await expect(page.getByTestId("recording-player").locator(".ap-player")).toBeVisible();
  await page.getByTestId("recording-player").locator(".ap-player").click();
  await page.keyboard.press("9");
  await expect(page.getByTestId("recording-player")).toContainText("hello-42");
  await page.screenshot({ path: path.join(SHOTS, "terminal-recording.png"), fullPage: true });
});

test("[ADMIN] runs an interactive TTY container from the form (like docker run -it) and lands attached to its shell", async ({ page }) => {
  await signInAs(page, E2E_ADMIN);
  await page.getByRole("link", { name: "Run container" }).click();
  // The host list arrives once the page is live (typing into a page still hydrating is lost).
  await expect(page.getByRole("checkbox", { name: /e2e-host/ })).toBeChecked();
  await page.getByLabel("Image").fill("stevedore-test/busybox:latest");
  await page.getByLabel("Name", { exact: true }).fill("stv-e2e-it");
  await page.getByLabel("Command and arguments").fill("sh");
  await page.getByLabel("Labels").fill("stevedore.test=1");
  await page.getByLabel("Interactive (keep stdin open)").check();
  await page.getByLabel("Allocate a TTY").check();
  await expect(page.getByTestId("docker-run-line")).toHaveText("docker run -d -i -t --name stv-e2e-it --label stevedore.test=1 stevedore-test/busybox:latest sh");
  await page.getByRole("button", { name: /^Run on 1 host$/ }).click();

  await expect(page.getByRole("heading", { name: "stv-e2e-it" })).toBeVisible();
  const terminal = page.getByTestId("terminal");
  await expect(page.getByTestId("terminal-status")).toHaveText(/^live/);
  await terminal.click();
  await page.keyboard.type("echo pid-$$");
  await page.keyboard.press("Enter");
  // Attached to PID 1, not a new process.
  await expect(terminal.locator(".xterm-rows")).toContainText("pid-1");
  await page.keyboard.press("Control+p");
  await page.keyboard.press("Control+q");
  await expect(page.getByTestId("terminal-ended")).toHaveText("Detached. The container is still running.");
});

test("[ADMIN + JOINER] a second user watches the admin's shell read-only; the admin sees them by name and lets them type", async ({ page, browser }) => {
  const joinerUser = { email: "joiner@e2e.stevedore.test", password: "e2e-joiner-password" };
  await runContainer("stv-e2e-join", ["sh"], undefined, ["-it"]);
  await signInAs(page, E2E_ADMIN);
  // A viewer with a terminal grant on all hosts, made through the admin API with the admin's session.
  const trpc = async (procedure: string, input: unknown) => {
    const res = await page.request.post(`/api/trpc/${procedure}`, { headers: { "content-type": "application/json" }, data: { json: input } });
    expect(res.status(), await res.text()).toBe(200);
    return (await res.json()).result.data.json;
  };
  const created = await trpc("users.create", { ...joinerUser, name: "Joiner", role: "viewer" });
  await trpc("users.setGrants", { userId: created.user.id, grants: [{ group: "*", role: "terminal" }] });

  // The admin opens a shell.
  await page.getByTestId("container-row").filter({ hasText: "stv-e2e-join" }).getByRole("link", { name: "stv-e2e-join" }).click();
  await page.getByRole("tab", { name: "Terminal" }).click();
  await page.getByRole("button", { name: "Open shell" }).click();
  const ownerTerm = page.getByTestId("terminal");
  await expect(page.getByTestId("terminal-status")).toHaveText(/^live/);
  await ownerTerm.click();
  await page.keyboard.type("echo owner-$((20+1))");
  await page.keyboard.press("Enter");
  await expect(ownerTerm.locator(".xterm-rows")).toContainText("owner-21");

  // The joiner, in a browser of their own, finds the live session and watches it.
  const context = await browser.newContext({ baseURL: process.env.STEVEDORE_E2E_URL, viewport: { width: 1400, height: 900 } });
  const joiner = await context.newPage();
  await signInAs(joiner, joinerUser);
  await joiner.goto(page.url());
  const live = joiner.getByRole("list", { name: "Live sessions" });
  await expect(live).toContainText(E2E_ADMIN.email);
  await live.getByRole("button", { name: "Watch" }).click();
  const joinerTerm = joiner.getByTestId("terminal");
  await expect(joinerTerm.locator(".xterm-rows")).toContainText("owner-21");
  const banner = joiner.getByTestId("terminal-access");
  await expect(banner).toHaveAttribute("data-access", "read-only");
  await expect(banner).toContainText(`Read-only. You are watching ${E2E_ADMIN.email}'s session`);
  // Keys typed while read-only go nowhere: the terminal takes no input.
  await joinerTerm.click();
  await joiner.keyboard.type("echo ignored-$((5*5))");
  await joiner.keyboard.press("Enter");

  // The admin sees the joiner by name, read-only, with a switch to allow typing.
  // Only the owner (or an admin) may end the session.
  await expect(joiner.getByRole("button", { name: "End session" })).toHaveCount(0);
  const allow = page.getByRole("switch", { name: `Allow ${joinerUser.email} to type` });
  await expect(page.getByTestId("terminal-viewers")).toContainText(joinerUser.email);
  await expect(allow).toHaveAttribute("aria-checked", "false");
  await page.keyboard.type("echo still-$((6*6))");
  await page.keyboard.press("Enter");
  await expect(joinerTerm.locator(".xterm-rows")).toContainText("still-36");
  await expect(ownerTerm.locator(".xterm-rows")).not.toContainText("ignored-");
  await page.screenshot({ path: path.join(SHOTS, "terminal-owner-viewers-1400.png"), fullPage: true });
  await joiner.screenshot({ path: path.join(SHOTS, "terminal-joiner-read-only-1400.png"), fullPage: true });

  // Allowed, the joiner's input runs; the banner says so.
  await allow.click();
  await expect(allow).toHaveAttribute("aria-checked", "true");
  await expect(banner).toHaveAttribute("data-access", "may-type");
  await expect(banner).toContainText(`You may type. ${E2E_ADMIN.email} allowed you to type`);
  await joinerTerm.click();
  await joiner.keyboard.type("echo joined-$((3*4))");
  await joiner.keyboard.press("Enter");
  await expect(ownerTerm.locator(".xterm-rows")).toContainText("joined-12");
  await expect(joinerTerm.locator(".xterm-rows")).toContainText("joined-12");
  await joiner.screenshot({ path: path.join(SHOTS, "terminal-joiner-may-type-1400.png"), fullPage: true });
  await page.screenshot({ path: path.join(SHOTS, "terminal-owner-allowed-1400.png"), fullPage: true });

  // On a phone: the owner takes typing back; the joiner is told at once.
  await page.setViewportSize({ width: 390, height: 844 });
  await joiner.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(SHOTS, "terminal-owner-allowed-390.png"), fullPage: true });
  await joiner.screenshot({ path: path.join(SHOTS, "terminal-joiner-may-type-390.png"), fullPage: true });
  await allow.click();
  await expect(allow).toHaveAttribute("aria-checked", "false");
  await expect(banner).toHaveAttribute("data-access", "read-only");
  await expect(joinerTerm).toHaveAttribute("data-can-type", "false");
  await page.screenshot({ path: path.join(SHOTS, "terminal-owner-viewers-390.png"), fullPage: true });
  await joiner.screenshot({ path: path.join(SHOTS, "terminal-joiner-read-only-390.png"), fullPage: true });

  await page.getByRole("button", { name: "End session" }).click();
  await expect(joiner.getByTestId("terminal-ended")).toContainText("The session was closed");
  await context.close();
});
