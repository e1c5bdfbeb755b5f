import path from "node:path";
import * as OTPAuth from "otpauth";
import { expect, test } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { E2E_ADMIN } from "../global-setup";
import { docker, runContainer } from "../../apps/web/test/support/engine";
import { apiClient, signIn } from "../../apps/web/test/support/stack";

test("a user sets up an authenticator app on the profile page; a terminal on a step-up host asks for a code in place, then opens", async ({ page, browser, baseURL }) => {
  const url = baseURL!;
  const admin = apiClient(url, await signIn(url, E2E_ADMIN.email, E2E_ADMIN.password));
  const user = { email: `factor-${Date.now()}@e2e.stevedore.test`, password: "e2e-factor-password" };
  const { user: created } = await admin.users.create.mutate({ ...user, name: "Factor", role: "viewer" });
  await admin.users.setGrants.mutate({ userId: created.id, grants: [{ group: "*", role: "terminal" }] });
  const name = `stv-e2e-factor-${Date.now()}`;
  const id = await runContainer(name, ["sh"], undefined, ["-it"]);
  // A second browser signed in before enrolment: its session has never proved a factor.
  const other = await browser.newContext();
  const second = await other.newPage();
  try {
    await signInAs(second, user);
    await signInAs(page, user);

    await page.goto("/profile");
    await page.getByRole("button", { name: "Set up authenticator app" }).click();
    await page.getByRole("textbox", { name: "Your password" }).fill(user.password);
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
    await expect(page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem")).toHaveCount(10);
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32((await page.getByTestId("totp-secret").textContent())!.trim()) });
    await page.screenshot({ path: path.join(SHOTS, "two-factor-enrol.png"), fullPage: true });
    await page.getByLabel("Code from your authenticator app").fill(totp.generate());
    await page.getByRole("button", { name: "Turn on" }).click();
    await expect(page.getByText("Sign-in asks for a code from your authenticator app.")).toBeVisible();

    await admin.twoFactor.setPolicy.mutate({ stepUpGroups: ["*"], stepUpMinutes: 10 });
    await second.goto(`/containers`);
    await second.getByTestId("container-row").filter({ hasText: name }).getByRole("link", { name }).click();
    await second.getByRole("tab", { name: "Terminal" }).click();
    await second.getByRole("button", { name: "Open shell" }).click();
    const prompt = second.getByRole("group", { name: "Step-up" });
    await expect(prompt).toContainText("needs a second-factor check within the last 10 minutes");
    await second.screenshot({ path: path.join(SHOTS, "two-factor-step-up.png"), fullPage: true });
    // The next period's code: the current one was spent on enrolment, and a used code is refused.
    await prompt.getByLabel("Code from your authenticator app").fill(totp.generate({ timestamp: Date.now() + 30_000 }));
    await prompt.getByRole("button", { name: "Verify and open" }).click();
    await expect(second.getByTestId("terminal-status")).toHaveText(/^live/);
  } finally {
    await admin.twoFactor.setPolicy.mutate({});
    await other.close();
    await docker(["rm", "-f", id]).catch(() => "");
  }
});
