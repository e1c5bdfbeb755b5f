import path from "node:path";
import { expect, test } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { E2E_ADMIN } from "../global-setup";
import { apiClient, signIn } from "../../apps/web/test/support/stack";

test("a next that points off-site (/%5Cevil.com) lands on the overview after sign-in", async ({ page }) => {
  const offSite: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(process.env.STEVEDORE_E2E_URL!)) offSite.push(r.url());
  });
  await page.goto("/login?next=/%5Cevil.com");
  await page.getByLabel("Email").fill(E2E_ADMIN.email);
  await page.getByLabel("Password").fill(E2E_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${process.env.STEVEDORE_E2E_URL}/overview`);
  await expect(page.getByRole("banner").getByText(E2E_ADMIN.email)).toBeVisible();
  expect(offSite).toEqual([]);
});

test("a same-site next is honoured after sign-in", async ({ page }) => {
  await page.goto("/audit?q=kill");
  await expect(page).toHaveURL(/\/login\?next=%2Faudit%3Fq%3Dkill$/);
  await page.getByLabel("Email").fill(E2E_ADMIN.email);
  await page.getByLabel("Password").fill(E2E_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/audit\?q=kill$/);
});

test("pages carry the CSP with a nonce on every inline script, and the UI runs under it", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  const res = (await page.goto("/login"))!;
  const csp = res.headers()["content-security-policy"]!;
  expect(csp).toContain("frame-ancestors 'none'");
  expect(res.headers()["x-frame-options"]).toBe("DENY");
  const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
  const inline = await page.locator("script:not([src])").evaluateAll((scripts) => scripts.map((s) => (s as unknown as { nonce: string }).nonce));
  expect(inline.length).toBeGreaterThan(0);
  expect(inline.every((n) => n === nonce)).toBe(true);
  await signInAs(page, E2E_ADMIN);
  await expect(page.getByRole("heading", { name: "Containers" })).toBeVisible();
  expect(violations).toEqual([]);
});

test("changes their own password on the profile page at 390 px, by keyboard; other sessions end", async ({ page, browser }) => {
  const user = { email: "changer@e2e.stevedore.test", password: "changer-e2e-password-1" };
  const next = "changer-e2e-password-2";
  // Made by the admin through the API, as global-setup makes the others.
  const url = process.env.STEVEDORE_E2E_URL!;
  await apiClient(url, await signIn(url, E2E_ADMIN.email, E2E_ADMIN.password)).users.create.mutate({ ...user, name: "Changer", role: "viewer" });
  const otherCookie = await signIn(url, user.email, user.password);

  await page.setViewportSize({ width: 390, height: 844 });
  await signInAs(page, user);
  // On a phone the profile link is in the menu.
  await page.getByRole("banner").getByRole("button", { name: "Open menu" }).click();
  const profileLink = page.getByRole("dialog", { name: "Stevedore" }).getByRole("link", { name: user.email });
  await expect(profileLink).toBeInViewport();
  await profileLink.click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByRole("link", { name: "Manage your API tokens" })).toHaveAttribute("href", "/tokens");
  const form = page.getByRole("form", { name: "Change password" });

  // A wrong current password: a clear refusal, nothing changed.
  await form.getByLabel("Current password").focus();
  await page.keyboard.type("not-the-password-x");
  await page.keyboard.press("Tab");
  await page.keyboard.type(next);
  await page.keyboard.press("Tab");
  await page.keyboard.type(next);
  await page.keyboard.press("Enter");
  await expect(form.getByRole("alert")).toHaveText("the current password is not correct");

  await form.getByLabel("Current password").fill(user.password);
  await form.getByLabel("Confirm new password").focus();
  await page.keyboard.press("Enter");
  await expect(form.getByRole("status")).toHaveText("Password changed. 1 other session was signed out. This one stays signed in.");
  await expect(form.getByLabel("Current password")).toHaveValue("");
  const width = await page.evaluate<number>("document.documentElement.scrollWidth");
  expect(width).toBeLessThanOrEqual(390);
  await page.screenshot({ path: path.join(SHOTS, "profile-password-changed.png"), fullPage: true });

  await expect(apiClient(url, otherCookie).me.get.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
  await page.reload();
  await expect(page.getByRole("heading", { name: "Your profile" })).toBeVisible();
  const fresh = await browser.newPage();
  await signInAs(fresh, { email: user.email, password: next });
  await fresh.close();
});
