import path from "node:path";
import { expect, test } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { E2E_ADMIN } from "../global-setup";

const DANA = "dana@e2e.stevedore.test";

test("[ADMIN] adds an operator with a generated password, who then signs in with it", async ({ page }) => {
  await signInAs(page, E2E_ADMIN);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByTestId("user-row").filter({ hasText: E2E_ADMIN.email })).toContainText("(you)");

  await page.getByRole("button", { name: "Add user" }).click();
  const dialog = page.getByRole("dialog", { name: "Add user" });
  await dialog.getByLabel("Email").fill(DANA);
  await dialog.getByLabel("Name").fill("Dana Operator");
  await dialog.getByLabel("Role").selectOption("operator");
  await dialog.getByRole("button", { name: "Add user" }).click();

  await expect(dialog.getByRole("status")).toHaveText(`${DANA} was added as operator. Give them this password:`);
  await expect(dialog.getByText("Shown only this once")).toBeVisible();
  const password = (await dialog.getByTestId("generated-password").textContent())!.trim();
  expect(password).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$/);
  await page.screenshot({ path: path.join(SHOTS, "users-added.png") });
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(dialog).toBeHidden();

  const row = page.getByTestId("user-row").filter({ hasText: DANA });
  await expect(row).toContainText("Dana Operator");
  await expect(row.getByLabel(`Role of ${DANA}`)).toHaveValue("operator");
  await expect(row).toContainText("active");
  await page.screenshot({ path: path.join(SHOTS, "users.png"), fullPage: true });

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await signInAs(page, { email: DANA, password });
  const header = page.getByRole("banner");
  await expect(header.getByText(DANA)).toBeVisible();
  await expect(header.getByText("operator", { exact: true })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" })).toHaveCount(0);

  await page.goto("/users");
  await expect(page.getByText("Only admins manage users.")).toBeVisible();
});

test("[ADMIN] changes a role inline, disables, enables and resets a password, from the keyboard", async ({ page, playwright }) => {
  const ERIN = "erin@e2e.stevedore.test";
  await signInAs(page, E2E_ADMIN);
  await page.goto("/users");

  await page.getByRole("button", { name: "Add user" }).click();
  const add = page.getByRole("dialog", { name: "Add user" });
  await expect(add.getByLabel("Email")).toBeFocused();
  await page.keyboard.type(ERIN);
  await page.keyboard.press("Tab");
  await page.keyboard.type("Erin");
  await add.getByLabel("Password").fill("erin-chosen-password");
  await page.keyboard.press("Enter");
  await expect(add.getByRole("status")).toHaveText(`${ERIN} was added as viewer. They sign in with the password you set.`);
  await expect(add.getByTestId("generated-password")).toHaveCount(0);
  await page.keyboard.press("Escape");
  await expect(add).toBeHidden();

  // The same email again: the server's own words reach the dialog.
  await page.getByRole("button", { name: "Add user" }).click();
  await add.getByLabel("Email").fill(ERIN.toUpperCase());
  await add.getByLabel("Name").fill("Erin again");
  await add.getByRole("button", { name: "Add user" }).click();
  await expect(add.getByRole("alert")).toHaveText(`a user with the email ${ERIN} already exists`);
  await add.getByRole("button", { name: "Cancel" }).click();

  const row = page.getByTestId("user-row").filter({ hasText: ERIN });
  const role = row.getByLabel(`Role of ${ERIN}`);
  await role.selectOption("operator");
  await row.getByRole("button", { name: "Save" }).press("Enter");
  await expect(row.getByRole("button", { name: "Save" })).toHaveCount(0);
  await page.reload();
  await expect(role).toHaveValue("operator");

  await page.getByRole("searchbox", { name: "Filter users" }).fill("erin");
  await expect(page.getByTestId("user-row")).toHaveCount(1);

  await row.getByRole("button", { name: `Disable ${ERIN}` }).press("Enter");
  const disable = page.getByRole("dialog", { name: "Disable user" });
  await expect(disable).toContainText("They are signed out at once");
  await disable.getByRole("button", { name: "Disable" }).click();
  await expect(disable).toBeHidden();
  await expect(row).toContainText("disabled");

  // Sign-in attempts from outside the page, so the admin's browser session stays as it is.
  const api = await playwright.request.newContext({ baseURL: process.env.STEVEDORE_E2E_URL });
  const signInErin = async (password: string): Promise<number> => {
    for (;;) {
      const res = await api.post("/api/auth/sign-in/email", { data: { email: ERIN, password }, headers: { origin: process.env.STEVEDORE_E2E_URL! } });
      // The same sign-in rate limit as above.
      if (res.status() !== 429) return res.status();
      await new Promise((r) => setTimeout(r, Number(res.headers()["x-retry-after"] ?? 10) * 1000));
    }
  };
  expect(await signInErin("erin-chosen-password")).toBe(403);

  await row.getByRole("button", { name: `Enable ${ERIN}` }).click();
  await page.getByRole("dialog", { name: "Enable user" }).getByRole("button", { name: "Enable" }).click();
  await expect(row).toContainText("active");
  expect(await signInErin("erin-chosen-password")).toBe(200);

  await row.getByRole("button", { name: `Reset password of ${ERIN}` }).click();
  const reset = page.getByRole("dialog", { name: "Reset password" });
  await reset.getByRole("button", { name: "Reset password" }).click();
  const newPassword = (await reset.getByTestId("generated-password").textContent())!.trim();
  await page.screenshot({ path: path.join(SHOTS, "users-reset.png") });
  await reset.getByRole("button", { name: "Done" }).click();
  expect(await signInErin(newPassword)).toBe(200);
  await api.dispose();
});
