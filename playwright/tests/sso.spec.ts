import path from "node:path";
import { expect, test } from "./test";
import { SHOTS } from "./sign-in";
import { E2E_ADMIN } from "../global-setup";
import { TestIdp } from "../../apps/web/test/support/oidc-idp";
import { apiClient, signIn } from "../../apps/web/test/support/stack";

/**
 * Single sign-on through Chromium: a real OpenID provider in the test process, set up in Settings
 * through the API, and the sign-in page's button all the way back to a signed-in page. The provider
 * and policy are removed afterwards (other specs expect the plain sign-in page).
 */
test.describe("single sign-on", () => {
  const url = process.env.STEVEDORE_E2E_URL!;
  let idp: TestIdp;
  let admin: ReturnType<typeof apiClient>;
  let saved: Awaited<ReturnType<ReturnType<typeof apiClient>["sso"]["get"]["query"]>>["policy"];

  test.beforeAll(async () => {
    idp = await TestIdp.start([`${url}/api/auth/callback/e2e-idp`]);
    admin = apiClient(url, await signIn(url, E2E_ADMIN.email, E2E_ADMIN.password));
    saved = (await admin.sso.get.query()).policy;
    await admin.sso.saveProvider.mutate({ id: "e2e-idp", name: "E2E IdP", issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, scopes: ["openid", "email", "profile", "groups"] });
    await admin.sso.setPolicy.mutate({ ...saved, allowSignUp: true, allowedDomains: ["sso.e2e.test"], mapGroups: true, defaultRole: "none", rules: [{ idpGroup: "ops", hostGroup: null, role: "viewer" }] });
    idp.users.set("sam", { email: "sam@sso.e2e.test", emailVerified: true, name: "Sam SSO", groups: ["ops"] });
    idp.signInAs = "sam";
  });

  test.afterAll(async () => {
    await admin?.sso.setPolicy.mutate(saved);
    await admin?.sso.removeProvider.mutate({ id: "e2e-idp" }).catch(() => undefined);
    await idp?.close();
  });

  test("signs in with the provider's button and lands signed in, with the role its group maps to", async ({ page }) => {
    await page.goto("/login?next=/containers");
    const button = page.getByRole("button", { name: "Sign in with E2E IdP" });
    await expect(button).toBeVisible();
    await page.screenshot({ path: path.join(SHOTS, "sso-sign-in.png") });
    await button.click();
    await expect(page).toHaveURL((u) => u.pathname === "/containers");
    await expect(page.getByText("sam@sso.e2e.test").first()).toBeVisible();
    const sam = (await admin.users.list.query()).find((u) => u.email === "sam@sso.e2e.test");
    expect(sam?.role).toBe("viewer");

    // No password here to change or to confirm with: the profile offers the authenticator app alone.
    await page.goto("/profile");
    await expect(page.getByRole("button", { name: "Set up authenticator app" })).toBeVisible();
    await expect(page.getByRole("form", { name: "Change password" })).toHaveCount(0);
    await page.getByRole("button", { name: "Set up authenticator app" }).click();
    await page.getByRole("form", { name: "Confirm" }).getByRole("button", { name: "Continue" }).click();
    await expect(page.getByAltText("QR code for your authenticator app")).toBeVisible();
  });
});
