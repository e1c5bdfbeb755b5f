import path from "node:path";
import { expect, test } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { E2E_ADMIN } from "../global-setup";
import { horizontalOverflow } from "./pages";

const html = (page: import("./test").Page) => page.locator("html");
const DARK = /\bdark\b/;

test.describe("the system's dark preference", () => {
  test.use({ colorScheme: "dark" });

  test("[ADMIN] is followed until the toggle says otherwise; the choice survives a reload", async ({ page }) => {
    const refused: string[] = [];
    page.on("console", (m) => void (/Content Security Policy/.test(m.text()) && refused.push(m.text())));
    await signInAs(page, E2E_ADMIN);
    await expect(html(page)).toHaveClass(DARK);
    // The page really is dark: the body's background is the remapped slate-50 (slate-950).
    const bg = await page.evaluate<string>("getComputedStyle(document.body).backgroundColor");
    expect(bg).not.toMatch(/oklch\(0?\.98|rgb\(248, 250, 252\)/);
    const theme = page.getByRole("radiogroup", { name: "Theme" });
    await expect(theme.getByRole("radio", { name: "System" })).toHaveAttribute("aria-checked", "true");

    await theme.getByRole("radio", { name: "Light" }).click();
    await expect(html(page)).not.toHaveClass(DARK);
    await page.reload();
    await expect(html(page)).not.toHaveClass(DARK);
    await expect(page.getByRole("radiogroup", { name: "Theme" }).getByRole("radio", { name: "Light" })).toHaveAttribute("aria-checked", "true");
    // No flash: the theme script comes in the HTML before any content, carrying the CSP nonce, and the
    // browser ran it (no CSP refusal).
    const served = await (await page.request.get("/hosts")).text();
    const script = served.search(/<script nonce="[^"]+">[^<]*stevedore-theme/);
    expect(script).toBeGreaterThan(0);
    expect(script).toBeLessThan(served.indexOf("<main"));
    expect(refused).toEqual([]);

    await page.getByRole("radiogroup", { name: "Theme" }).getByRole("radio", { name: "System" }).click();
    await expect(html(page)).toHaveClass(DARK);
  });
});

test("[ADMIN] at 1280 px, the narrowest with the full header, the navigation and account fit in one row", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInAs(page, E2E_ADMIN);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await expect(page.getByRole("banner").getByText("admin", { exact: true })).toBeVisible();
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
  // One row: the sign-out button sits level with the logo.
  const logo = await page.getByRole("banner").getByRole("link", { name: "Stevedore", exact: true }).boundingBox();
  const signOut = await page.getByRole("button", { name: "Sign out" }).boundingBox();
  expect(Math.abs(logo!.y + logo!.height / 2 - (signOut!.y + signOut!.height / 2))).toBeLessThan(4);
});

test.describe("at 390 px", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("[ADMIN] the menu opens, navigates and closes by keyboard", async ({ page }) => {
    await signInAs(page, E2E_ADMIN);
    await page.goto("/overview");
    // The desktop navigation is hidden; the menu button stands in for it.
    await expect(page.getByRole("navigation", { name: "Main" })).toHaveCount(0);
    const button = page.getByRole("button", { name: "Open menu" });
    await button.focus();
    await page.keyboard.press("Enter");
    const menu = page.getByRole("dialog", { name: "Stevedore" });
    await expect(menu).toBeVisible();
    await page.screenshot({ path: path.join(SHOTS, "phone-menu-390.png") });
    // Escape closes it and gives focus back to the button.
    await page.keyboard.press("Escape");
    await expect(menu).toHaveCount(0);
    await expect(button).toBeFocused();

    // Open again, Tab to "Hosts", follow it: the page changes and the menu closes.
    await page.keyboard.press("Enter");
    await expect(menu).toBeVisible();
    const hosts = menu.getByRole("link", { name: "Hosts" });
    for (let i = 0; i < 12 && (await page.evaluate<string | undefined>("document.activeElement?.textContent")) !== "Hosts"; i++) await page.keyboard.press("Tab");
    await expect(hosts).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/hosts$/);
    await expect(page.getByRole("heading", { name: "Hosts", level: 1 })).toBeVisible();
    await expect(menu).toHaveCount(0);

    // Focus stays inside while it is open: tabbing all the way round never reaches the page behind.
    await button.focus();
    await page.keyboard.press("Enter");
    await expect(menu).toBeVisible();
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press("Tab");
      expect(await page.evaluate<boolean>(`document.querySelector('[role="dialog"]').contains(document.activeElement)`)).toBe(true);
    }
    await page.keyboard.press("Escape");
    await expect(menu).toHaveCount(0);
  });
});

test("the icon is linked from every page and served to anyone, so browsers stop asking for a missing favicon", async ({ page, playwright }) => {
  const missing: string[] = [];
  page.on("response", (r) => void (r.status() === 404 && missing.push(r.url())));
  await page.goto("/login");
  const href = await page.locator('head link[rel="icon"]').getAttribute("href");
  expect(href).toMatch(/^\/icon\.svg/);
  // Signed out (a fresh request context with no cookie): the login page's own icon must load.
  const anon = await playwright.request.newContext({ baseURL: process.env.STEVEDORE_E2E_URL });
  const icon = await anon.get(href!, { maxRedirects: 0 });
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toContain("image/svg+xml");
  await anon.dispose();
  await signInAs(page, E2E_ADMIN);
  await page.goto("/hosts");
  await expect(page.getByRole("heading", { name: "Hosts", level: 1 })).toBeVisible();
  expect(missing).toEqual([]);
});
