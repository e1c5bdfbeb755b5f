import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { docker } from "../../apps/web/test/support/engine";
import { E2E_ADMIN, E2E_OPERATOR } from "../global-setup";

const NARROW = { width: 390, height: 844 };
const WIDE = { width: 1400, height: 900 };

test("[ADMIN] sets a group's bind-mount rule; [OPERATOR] the run form shows it, and the server's refusal", async ({ page, browser }) => {
  const allowed = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "stv-e2e-binds-")));
  fs.writeFileSync(path.join(allowed, "hello.txt"), "from the host\n");

  await signInAs(page, E2E_ADMIN);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Hosts" }).click();
  await page.getByRole("button", { name: "Edit groups of e2e-host" }).click();
  const groups = page.getByRole("dialog", { name: "Groups of e2e-host" });
  await groups.getByLabel("New group name").fill("binds");
  await groups.getByLabel("New group name").press("Enter");
  await groups.getByRole("button", { name: "Save groups" }).click();
  await expect(groups).toBeHidden();

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  const card = page.locator("section", { has: page.getByRole("heading", { name: "Run policy: bind mounts" }) });
  await expect(card.getByLabel("Fleet default", { exact: true })).toHaveValue("none");
  await card.getByLabel("Group binds", { exact: true }).selectOption("prefixes");
  // A prefix that holds the engine socket cannot be saved: the server says why.
  await card.getByLabel("Group binds: allowed host path prefixes, one per line").fill("/var");
  await card.getByRole("button", { name: "Save run policy" }).click();
  await expect(card.getByRole("alert")).toHaveText("groups.0.bindMounts.prefixes.0: /var holds /var/run/docker.sock (the engine socket), which gives root on the host: it cannot be allowed to non-admins");
  await card.getByLabel("Group binds: allowed host path prefixes, one per line").fill(`${allowed}/`);
  await card.getByRole("button", { name: "Save run policy" }).click();
  await expect(card.getByRole("status")).toHaveText("Saved.");
  await expect(card.getByLabel("Group binds: allowed host path prefixes, one per line")).toHaveValue(allowed);
  await card.screenshot({ path: path.join(SHOTS, "settings-run-policy.png") });
  await page.setViewportSize(NARROW);
  await page.screenshot({ path: path.join(SHOTS, "settings-run-policy-390.png"), fullPage: true });

  const operatorContext = await browser.newContext({ viewport: WIDE });
  const op = await operatorContext.newPage();
  await signInAs(op, E2E_OPERATOR);
  await op.goto("/run");
  await op.getByLabel("Image").fill("stevedore-test/busybox:latest");
  // Before any mount is typed, the policy for the chosen host is on the form.
  const policy = op.getByTestId("bind-policy");
  await expect(policy).toContainText(`Bind mounts: only under ${allowed} on e2e-host.`);
  await expect(policy).toContainText("Never /, the engine socket, /etc");

  await op.getByLabel("Name", { exact: true }).fill("stv-e2e-refused-bind");
  await op.getByLabel("Command and arguments").fill("sleep 100000");
  await op.getByLabel("Labels").fill("stevedore.test=1");
  await op.getByLabel("Volumes and binds").fill("/etc:/host-etc:ro");
  await expect(op.getByTestId("bind-refusals")).toHaveText(
    "Will be refused on e2e-host: bind mount of /etc refused: it is /etc (the host's configuration), which gives root on the host; only admins may mount it",
  );
  await op.getByRole("button", { name: /^Run on 1 host$/ }).click();
  // The server's refusal goes beside the field it concerns, which gets the focus.
  const volumes = op.getByLabel("Volumes and binds");
  await expect(volumes).toHaveAttribute("aria-invalid", "true");
  await expect(volumes).toHaveAccessibleDescription(
    /^run policy on e2e-host: bind mount of \/etc refused: it is \/etc \(the host's configuration\), which gives root on the host; only admins may mount it /,
  );
  await expect(volumes).toBeFocused();
  await expect(docker(["inspect", "stv-e2e-refused-bind"])).rejects.toThrow(/No such/);
  await op.screenshot({ path: path.join(SHOTS, "run-bind-refused.png"), fullPage: true });
  await op.setViewportSize(NARROW);
  await op.screenshot({ path: path.join(SHOTS, "run-bind-refused-390.png"), fullPage: true });
  await op.setViewportSize(WIDE);

  // Under the allowed prefix it runs, with the bind.
  await op.getByLabel("Name", { exact: true }).fill("stv-e2e-allowed-bind");
  await op.getByLabel("Volumes and binds").fill(`${allowed}:/data:ro`);
  await expect(op.getByTestId("bind-refusals")).toHaveCount(0);
  await op.getByRole("button", { name: /^Run on 1 host$/ }).click();
  await expect(op.getByRole("status").getByRole("link", { name: "stv-e2e-allowed-bind" })).toBeVisible();
  const info = JSON.parse(await docker(["inspect", "stv-e2e-allowed-bind"]))[0];
  expect(info.Mounts).toEqual([expect.objectContaining({ Type: "bind", Source: allowed, Destination: "/data", RW: false })]);

  // The refusal is in the audit trail, as refused, under the operator's name.
  await op.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).click();
  // The page has loaded its first rows (and is interactive) before the search is typed.
  await expect(op.getByTestId("audit-row").first()).toBeVisible();
  await op.getByLabel("Search").fill("stv-e2e-refused-bind");
  await expect(op.getByTestId("audit-row").filter({ hasText: E2E_OPERATOR.email }).filter({ hasText: "refused" })).toHaveCount(1);
  await operatorContext.close();
  fs.rmSync(allowed, { recursive: true, force: true });
});
