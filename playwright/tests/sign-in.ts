import path from "node:path";
import { expect, type Page } from "@playwright/test";

/** Where the tests leave their screenshots (playwright/results), to be looked at after a run. */
export const SHOTS = path.resolve(import.meta.dirname, "..", "results");

/**
 * Signs in through the login page, as a person does following a link to the containers list (which
 * most tests start from), and lands there. Signing in without a link lands on the overview.
 */
export async function signInAs(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.goto("/login?next=/containers");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // The path itself: the login page's own URL carries "/containers" in its next parameter.
  await expect(page).toHaveURL((url) => url.pathname === "/containers");
}

/** Hosts → Add host → a one-time join token, as an admin does it; the token, read from the line shown (the dialog stays open). */
export async function oneTimeJoinToken(page: Page): Promise<string> {
  await page.getByRole("button", { name: "Add host" }).click();
  await page.getByRole("button", { name: "Create a one-time join token" }).click();
  const line = page.getByTestId("join-command").first();
  await expect(line).toContainText("--join stvjoin_");
  return /stvjoin_[A-Za-z0-9_-]{43}/.exec((await line.textContent()) ?? "")![0];
}
