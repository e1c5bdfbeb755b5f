import path from "node:path";
import { expect, test } from "@playwright/test";
import { SHOTS, signInAs } from "./sign-in";
import { docker, runContainer } from "../../apps/web/test/support/engine";
import { E2E_ADMIN } from "../global-setup";

test("[ADMIN] attaches to a container in the browser, runs echo hello, detaches with Ctrl-P Ctrl-Q and the container keeps running; the session's recording plays", async ({ page }) => {
  const id = await runContainer("stv-e2e-term", ["sh"], undefined, ["-it"]);
  await signInAs(page, E2E_ADMIN);
  await page.getByTestId("container-row").filter({ hasText: "stv-e2e-term" }).getByRole("link", { name: "stv-e2e-term" }).click();
  await page.getByRole("button", { name: "Attach" }).click();
  const terminal = page.getByTestId("terminal");
  await expect(page.getByTestId("terminal-status")).toHaveText(/^live/);
  await terminal.click();
  await page.keyboard.type("echo hel''lo-$((6*7))");
  await page.keyboard.press("Enter");
  await expect(terminal.locator(".xterm-rows")).toContainText("hello-42");
  await page.screenshot({ path: path.join(SHOTS, "terminal.png"), fullPage: true });

  await page.keyboard.press("Control+p");
  await page.keyboard.press("Control+q");
  await expect(page.getByTestId("terminal-ended")).toHaveText("Detached. The container is still running.");
  await expect(page.getByTestId("container-status")).toHaveText(/^Up /);
  expect(await docker(["inspect", "-f", "{{.State.Running}}", id])).toBe("true");

  // The audit trail has the session, with its recording.
  await page.goto("/audit?action=terminal.close");
  const row = page.getByTestId("audit-row").filter({ hasText: "terminal.close" }).first();
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
  await page.getByLabel("Name").fill("stv-e2e-it");
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
