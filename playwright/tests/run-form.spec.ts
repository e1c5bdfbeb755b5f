import path from "node:path";
import { expect, test, type Page } from "./test";
import { SHOTS, signInAs } from "./sign-in";
import { docker } from "../../apps/web/test/support/engine";
import { E2E_OPERATOR } from "../global-setup";

const WIDE = { width: 1400, height: 900 };
const NARROW = { width: 390, height: 844 };
const NETWORK = "stv-e2e-rf-net";

/** A tRPC query as the browser makes it (superjson's `json` envelope). */
async function query<T>(page: Page, procedure: string, input: unknown): Promise<T> {
  const res = await page.request.get(`/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);
  expect(res.ok()).toBe(true);
  return ((await res.json()) as { result: { data: { json: T } } }).result.data.json;
}

async function shots(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  await page.setViewportSize(NARROW);
  await page.screenshot({ path: path.join(SHOTS, `${name}-390.png`), fullPage: true });
  await page.setViewportSize(WIDE);
}

test("[OPERATOR] the run form shows every problem at once beside its field, in words, and focuses the first", async ({ page }) => {
  await signInAs(page, E2E_OPERATOR);
  await page.goto("/run");
  await page.getByLabel("Image", { exact: true }).fill("stevedore-test/busybox:latest");
  await page.getByLabel("Environment").fill("MODE=prod\noops");
  await page.getByLabel("Published ports").fill("8080:80\neighty");
  await page.getByLabel("Memory limit").fill("lots");
  await page.getByLabel("CPU shares").fill("1");
  await page.getByLabel("Retries", { exact: true }).fill("1.5");
  await page.getByLabel("Check every (s)").fill("5");
  await page.getByLabel("Healthcheck command").fill("true");
  // Each label names one control, even as a substring (a hint that said "volumes and binds" once made
  // two; "Entrypoint" is left out: "No entrypoint" is its own checkbox beside it).
  for (const label of ["Command and arguments", "Environment", "Labels", "Published ports", "Volumes and binds", "Memory limit", "CPU shares", "Working directory", "Healthcheck command", "Read-only root filesystem", "Capabilities to drop", "Log driver", "Log options"]) {
    await expect(page.getByLabel(label)).toHaveCount(1);
  }
  // Nothing is said while typing: only once Run is pressed.
  await expect(page.getByTestId("field-error")).toHaveCount(0);
  await page.getByRole("button", { name: /^Run on 1 host$/ }).click();

  await expect(page.getByTestId("form-problems")).toHaveText("5 problems, each shown beside its field.");
  const problems = {
    Environment: "Environment, line 2: environment entries look like KEY=value",
    "Published ports": `Published ports, line 2: "eighty" is not a port mapping; use hostPort:containerPort[/udp], e.g. 8080:80`,
    "Memory limit": `Memory: "lots" is not a size; use one like 512m or 1g`,
    "CPU shares": "CPU shares must be at least 2",
    Retries: "Healthcheck retries must be a whole number",
  };
  for (const [label, message] of Object.entries(problems)) {
    const field = page.getByLabel(label, { exact: true });
    await expect(field).toHaveAttribute("aria-invalid", "true");
    await expect(field).toHaveAccessibleDescription(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
  }
  // The first in the form's order has the focus.
  await expect(page.getByLabel("Environment")).toBeFocused();
  await expect(page.getByText(/cpuShares|env\.1|Too small/)).toHaveCount(0);
  await shots(page, "run-form-problems");

  // Each fix clears its own message, live.
  await page.getByLabel("CPU shares").fill("512");
  await expect(page.getByLabel("CPU shares")).not.toHaveAttribute("aria-invalid", "true");
  await expect(page.getByTestId("form-problems")).toHaveText("4 problems, each shown beside its field.");
});

test("[OPERATOR] Run right after typing an image the host lacks pulls it first, with per-layer progress, then runs", async ({ page }) => {
  const image = process.env.STEVEDORE_E2E_PULL_IMAGE!;
  await signInAs(page, E2E_OPERATOR);
  // Another walkthrough may have pulled and run it already: its containers and the image go (layers
  // included, so they are downloaded again), and the control plane has to know before the form is used.
  const users = (await docker(["ps", "-aq", "--filter", `ancestor=${image}`])).split("\n").filter(Boolean);
  if (users.length) await docker(["rm", "-f", ...users]);
  await docker(["rmi", "-f", image]).catch(() => "");
  const [host] = await query<{ id: string; name: string }[]>(page, "hosts.list", undefined);
  await expect.poll(() => query<string[]>(page, "images.missing", { hostIds: [host!.id], reference: image }), { timeout: 20_000 }).toEqual([host!.id]);

  await page.goto("/run");
  await page.getByLabel("Labels").fill("stevedore.test=1");
  await page.getByLabel("Name", { exact: true }).fill("stv-e2e-rf-pulled");
  // No waiting for the form's hint: typed and clicked at once.
  await page.getByLabel("Image", { exact: true }).fill(image);
  await page.getByRole("button", { name: /run on 1 host$/i }).click();

  const row = page.getByTestId("pull-host").filter({ hasText: host!.name });
  await expect(row.getByText(/Downloading|Waiting|Extracting/).first()).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, "run-form-pulling.png"), fullPage: true });
  await expect(row).toHaveAttribute("data-phase", "succeeded", { timeout: 30_000 });
  await expect(page.getByRole("status").getByRole("link", { name: "stv-e2e-rf-pulled" })).toBeVisible();
  await expect(page.getByText("No such image")).toHaveCount(0);
  await shots(page, "run-form-pulled");
  expect(JSON.parse(await docker(["container", "inspect", "stv-e2e-rf-pulled"]))[0].Config.Image).toBe(image);

  // An image the registry does not have: the pull is headed as failed and nothing is run.
  const absent = image.replace(/e2e-pull:1$/, "e2e-absent:1");
  await page.getByLabel("Name", { exact: true }).fill("stv-e2e-rf-absent");
  await page.getByLabel("Image", { exact: true }).fill(absent);
  await page.getByRole("button", { name: /run on 1 host$/i }).click();
  await expect(page.getByText(/^Could not pull /)).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText(`${host!.name}: not run, the pull failed`)).toBeVisible();
  await expect(page.getByRole("status").getByRole("link", { name: "stv-e2e-rf-absent" })).toHaveCount(0);
  await expect(docker(["container", "inspect", "stv-e2e-rf-absent"])).rejects.toThrow(/No such/);
});

test("[OPERATOR] joins a host network picked from the list with an alias, read-only, capabilities dropped, a log driver; a log option the policy refuses is shown at its field", async ({ page }) => {
  await docker(["network", "rm", NETWORK]).catch(() => "");
  await docker(["network", "create", "--label", "stevedore.test=1", NETWORK]);
  try {
    await signInAs(page, E2E_OPERATOR);
    await page.goto("/run");
    await page.getByLabel("Image", { exact: true }).fill("stevedore-test/busybox:latest");
    await page.getByLabel("Name", { exact: true }).fill("stv-e2e-rf-joined");
    await page.getByLabel("Command and arguments").fill("sleep 100000");
    await page.getByLabel("Labels").fill("stevedore.test=1");
    await page.getByRole("button", { name: "Add network" }).click();
    const network = page.getByLabel("Network 1", { exact: true });
    await expect(network.locator("option", { hasText: NETWORK })).toHaveCount(1);
    // Host networking is not offered.
    await expect(network.locator("option", { hasText: /^host\b/ })).toHaveCount(0);
    await network.selectOption(NETWORK);
    await page.getByLabel("Aliases on network 1").fill("web-e2e, web-e2e.internal");
    await page.getByLabel("Read-only root filesystem").check();
    await page.getByLabel("Capabilities to drop").fill("net_raw mknod");
    await page.getByLabel("Log driver").selectOption("json-file");
    await page.getByLabel("Log options").fill("max-size=1m\nfile=/var/run/docker.sock");
    await expect(page.getByTestId("docker-run-line")).toHaveText(
      `docker run -d --name stv-e2e-rf-joined --network ${NETWORK} --network-alias web-e2e --network-alias web-e2e.internal --read-only --cap-drop NET_RAW --cap-drop MKNOD --log-driver json-file --log-opt max-size=1m --log-opt file=/var/run/docker.sock --label stevedore.test=1 stevedore-test/busybox:latest sleep 100000`,
    );
    await page.getByRole("button", { name: /^Run on 1 host$/ }).click();
    // The run policy's refusal, beside the field it concerns, focused.
    const options = page.getByLabel("Log options");
    await expect(options).toHaveAttribute("aria-invalid", "true");
    await expect(options).toHaveAccessibleDescription(/^run policy on .*: log option file=\/var\/run\/docker\.sock refused: it names a socket or file on the host/);
    await expect(options).toBeFocused();
    await expect(docker(["container", "inspect", "stv-e2e-rf-joined"])).rejects.toThrow(/No such/);
    await shots(page, "run-form-refused-log-option");

    await options.fill("max-size=1m\nmax-file=2");
    await expect(options).not.toHaveAttribute("aria-invalid", "true");
    await page.getByRole("button", { name: /^Run on 1 host$/ }).click();
    await expect(page.getByRole("status").getByRole("link", { name: "stv-e2e-rf-joined" })).toBeVisible();
    await expect(page.getByTestId("toast").filter({ hasText: "Started stv-e2e-rf-joined" })).toBeVisible();
    const info = JSON.parse(await docker(["container", "inspect", "stv-e2e-rf-joined"]))[0];
    expect(info.NetworkSettings.Networks[NETWORK].Aliases).toEqual(expect.arrayContaining(["web-e2e", "web-e2e.internal"]));
    expect(info.HostConfig).toMatchObject({ ReadonlyRootfs: true, CapDrop: ["NET_RAW", "MKNOD"], LogConfig: { Type: "json-file", Config: { "max-size": "1m", "max-file": "2" } } });
    await shots(page, "run-form-network");

    // Duplicate carries all of it.
    await page.getByRole("status").getByRole("link", { name: "stv-e2e-rf-joined" }).click();
    await expect(page.getByRole("heading", { name: "stv-e2e-rf-joined" })).toBeVisible();
    const url = new URL(page.url());
    const [, , hostId, id] = url.pathname.split("/");
    await page.goto(`/run?duplicate=${hostId}/${id}`);
    await expect(page.getByLabel("Network 1", { exact: true })).toHaveValue(NETWORK);
    await expect(page.getByLabel("Aliases on network 1")).toHaveValue(/web-e2e/);
    await expect(page.getByLabel("Read-only root filesystem")).toBeChecked();
    await expect(page.getByLabel("Capabilities to drop")).toHaveValue("NET_RAW MKNOD");
    await expect(page.getByLabel("Log driver")).toHaveValue("json-file");
  } finally {
    await docker(["rm", "-f", "stv-e2e-rf-joined"]).catch(() => "");
    await docker(["network", "rm", NETWORK]).catch(() => "");
  }
});
