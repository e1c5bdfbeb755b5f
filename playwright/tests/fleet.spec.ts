import path from "node:path";
import { expect, test } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { docker, runContainer } from "../../apps/web/test/support/engine";
import { E2E_ADMIN } from "../global-setup";

test("[ANONYMOUS] is sent to the login page, and a wrong password is refused", async ({ page }) => {
  await page.goto("/hosts");
  await expect(page).toHaveURL(/\/login\?next=%2Fhosts/);
  await page.screenshot({ path: path.join(SHOTS, "login.png") });
  await page.getByLabel("Email").fill(E2E_ADMIN.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong email or password." })).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue(E2E_ADMIN.email);
});

test("[ADMIN] sees the host online and gets a join command from Add host", async ({ page }) => {
  await signInAs(page, E2E_ADMIN);
  await page.getByRole("link", { name: "Hosts" }).click();
  const card = page.getByTestId("host-card").filter({ hasText: "e2e-host" });
  await expect(card.getByText("online")).toBeVisible();
  await expect(card).toContainText(/\d+\.\d+/); // engine version
  await page.screenshot({ path: path.join(SHOTS, "hosts.png"), fullPage: true });

  // Opening the dialog mints nothing: a token is made when asked for.
  const openBefore = (await (await page.request.get("/api/trpc/hosts.joinTokens")).json()) as unknown;
  await page.getByRole("button", { name: "Add host" }).click();
  await expect(page.getByRole("button", { name: "Create a one-time join token" })).toBeVisible();
  expect((await (await page.request.get("/api/trpc/hosts.joinTokens")).json()) as unknown).toEqual(openBefore);
  await page.getByRole("button", { name: "Create a one-time join token" }).click();
  const command = page.getByTestId("join-command").first();
  await expect(command).toContainText(/^curl -fsSL http:\/\/\S+\/install\/agent\.sh \| sudo sh -s -- --join stvjoin_[A-Za-z0-9_-]{43} --bundle-sha256 [0-9a-f]{64}$/);
  // The line for the host's kind: the same token as a container.
  const token = /stvjoin_\S+/.exec((await command.textContent())!)![0];
  await page.getByRole("tab", { name: "Container" }).click();
  await expect(command).toContainText(/^docker run -d .* stevedore-agent .*--join stvjoin_/);
  await expect(command).toContainText(token);
  await page.getByRole("tab", { name: "Service (systemd)" }).click();
  await expect(command).toContainText(/^curl /);
  // The script the one-liner fetches is served by the same control plane.
  const script = await page.request.get(`${(await command.textContent())!.split(" ")[2]}`);
  expect(script.ok()).toBe(true);
  expect(await script.text()).toContain("BUNDLE_SHA256=");
  // The suite's control plane is on 127.0.0.1: the dialog says another host cannot reach it, and offers this machine's addresses.
  await expect(page.getByTestId("join-loopback")).toContainText("only an agent on this machine can reach it");
  await expect(page.getByTestId("join-loopback")).toContainText(/PUBLIC_URL=http:\/\/\S+:\d+/);
  await page.screenshot({ path: path.join(SHOTS, "add-host.png") });

  // A token for a fleet: asked for, its line shown, listed with its uses, revoked after asking.
  await page.getByText("A token for several hosts").click();
  await page.getByLabel("Hosts", { exact: true }).fill("1");
  await expect(page.getByRole("button", { name: "Create token" })).toBeDisabled();
  await expect(page.locator("#fleet-token-problem")).toContainText("a whole number from 2 to 10,000");
  await page.getByLabel("Hosts", { exact: true }).fill("25");
  await page.getByLabel("Label").fill("e2e edge fleet");
  const oneTime = await command.textContent();
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByText("The token enrolls up to 25 hosts")).toBeVisible();
  await expect(command).not.toHaveText(oneTime!);
  const listed = page.getByTestId("open-join-tokens").getByRole("listitem").filter({ hasText: "e2e edge fleet" });
  await expect(listed).toContainText("0 of 25 used");
  await page.screenshot({ path: path.join(SHOTS, "add-host-fleet-token.png") });
  await listed.getByRole("button", { name: "Revoke" }).click();
  const confirm = page.getByRole("dialog", { name: "Revoke join token" });
  await expect(confirm).toContainText("e2e edge fleet");
  await confirm.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: 'Join token "e2e edge fleet" revoked' })).toBeVisible();
  await expect(listed).toHaveCount(0);
  await page.keyboard.press("Escape");
  await expect(command).toBeHidden();
});

test("[ADMIN] sees a container started with the docker CLI appear Up, then Exited with its exit code", async ({ page }) => {
  await signInAs(page, E2E_ADMIN);
  await page.getByLabel("Filter by name, image, id, command or host").fill("stv-e2e");
  await expect(page).toHaveURL(/q=stv-e2e/);

  const started = Date.now();
  const id = await runContainer("stv-e2e-web");
  const cliReturned = Date.now();
  const row = page.getByTestId("container-row").filter({ hasText: "stv-e2e-web" });
  await expect(row.getByTestId("container-status")).toHaveText(/^Up /, { timeout: 2_000 });
  await expect(row.locator("[data-tone]")).toHaveAttribute("data-tone", "ok");
  const seen = Date.now();
  test.info().annotations.push({ type: "latency", description: `docker run → row Up in the browser: ${seen - started} ms (${seen - cliReturned} ms after the CLI returned)` });
  console.log(`docker run → row in browser: ${seen - started} ms from invoking the CLI, ${seen - cliReturned} ms after it returned`);
  await expect(row).toContainText(id.slice(0, 12));
  await expect(row).toContainText("e2e-host");
  await expect(row).toContainText('"sleep 100000"');
  await page.screenshot({ path: path.join(SHOTS, "containers.png"), fullPage: true });

  // The container page: summary, processes (docker top) and the inspect document.
  await row.getByRole("link", { name: "stv-e2e-web" }).click();
  await expect(page.getByRole("heading", { name: "stv-e2e-web" })).toBeVisible();
  await expect(page.getByTestId("container-ports")).toBeVisible();
  await page.getByRole("tab", { name: "Processes" }).click();
  await expect(page).toHaveURL(/tab=processes/);
  await expect(page.getByTestId("top-table")).toContainText("sleep 100000");
  await page.getByRole("tab", { name: "Inspect" }).click();
  await expect(page.getByTestId("inspect-tree").locator('[data-path="Id"]')).toContainText(`"${id}"`);
  // Branches open on demand, and "Expand all" opens every one.
  const pidsLimit = page.getByTestId("inspect-tree").locator('[data-path="HostConfig.PidsLimit"]');
  await expect(pidsLimit).toBeHidden();
  await page.getByRole("button", { name: "Expand all" }).click();
  await expect(pidsLimit).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, "container.png"), fullPage: true });
  await page.goBack();

  await docker(["stop", "-t", "1", id]);
  await expect(row.getByTestId("container-status")).toHaveText(/^Exited \(137\) (Less than a second|\d+ seconds?) ago$/, { timeout: 5_000 });
  // A kill does not look like a clean stop or a crash: its own tone, and the words say what 137 means.
  await expect(row.locator("[data-tone]")).toHaveAttribute("data-tone", "warn");
  await expect(row.locator("[data-tone]")).toContainText("killed by SIGKILL");
  await page.getByRole("button", { name: /^Exited/ }).click();
  await expect(row).toBeVisible();
  await page.getByRole("button", { name: /^Running/ }).click();
  await expect(row).toBeHidden();
  await page.getByRole("button", { name: /^All/ }).click();
  await page.screenshot({ path: path.join(SHOTS, "containers-exited.png"), fullPage: true });
});

test("[ADMIN] the hosts page filters, counts and sorts on the server with the view in the URL, and a host picker finds a host by typing", async ({ page }) => {
  await signInAs(page, E2E_ADMIN);
  await page.getByRole("link", { name: "Hosts" }).click();
  await page.getByLabel("Filter hosts").fill("e2e-h");
  await expect(page).toHaveURL(/\/hosts\?q=e2e-h$/);
  await expect(page.getByRole("list", { name: "Hosts found" })).toHaveAttribute("data-rows-for", "e2e-h");
  await expect(page.getByTestId("host-card")).toHaveCount(1);
  await expect(page.getByTestId("host-card")).toHaveAttribute("data-host", "e2e-host");
  await expect(page.getByTestId("host-count-online")).toHaveText("1");
  await page.getByRole("group", { name: "Status" }).getByRole("button", { name: /^Offline/ }).click();
  await expect(page).toHaveURL(/status=offline/);
  await expect(page.getByText("No host matches these filters.")).toBeVisible();
  await page.getByRole("group", { name: "Status" }).getByRole("button", { name: /^All/ }).click();
  await page.getByLabel("Filter hosts").fill("");
  await page.getByRole("button", { name: "Sort by containers" }).click();
  await expect(page).toHaveURL(/sort=containers/);
  await expect(page.getByRole("button", { name: "Sort by containers, descending" })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("page-range")).toHaveText(/^1–\d+ of \d+$/);
  await page.screenshot({ path: path.join(SHOTS, "hosts-paged-1400.png"), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(SHOTS, "hosts-paged-390.png"), fullPage: true });
  await page.setViewportSize({ width: 1400, height: 900 });

  // The containers page's host filter: a combobox over the server's search, keyboard all the way.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Containers" }).click();
  await page.getByRole("button", { name: "Host: All hosts" }).click();
  const search = page.getByRole("combobox", { name: "Search hosts for Host" });
  await expect(search).toBeFocused();
  await search.pressSequentially("e2e-h");
  const options = page.getByRole("listbox", { name: "Host" }).getByRole("option");
  await expect(options).toHaveCount(1);
  await expect(options.first()).toContainText("e2e-host");
  await page.screenshot({ path: path.join(SHOTS, "host-picker-open-1400.png") });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: path.join(SHOTS, "host-picker-open-390.png") });
  await page.setViewportSize({ width: 1400, height: 900 });
  await search.press("Enter");
  await expect(page).toHaveURL(/\/containers\?host=[^&]+$/);
  await expect(page.getByRole("button", { name: "Host: e2e-host" })).toBeFocused();
});
