import path from "node:path";
import { expect, test } from "./test";
import { AGENT_ENROLL_PATH } from "@stevedore/protocol";
import { RAW_ENGINE, RawAgent } from "../../apps/web/test/support/raw-agent";
import { SHOTS, oneTimeJoinToken, signInAs } from "./sign-in";
import { E2E_ADMIN } from "../global-setup";

test("[ADMIN] a host whose agent floods the control plane is marked limited, with why", async ({ page }) => {
  await signInAs(page, E2E_ADMIN);
  await page.getByRole("link", { name: "Hosts" }).click();
  const token = await oneTimeJoinToken(page);
  await page.keyboard.press("Escape");

  const base = process.env.STEVEDORE_E2E_URL!;
  const enrolled = await page.request.post(`${base}${AGENT_ENROLL_PATH}`, { data: { token, hostname: "flooding-e2e" } });
  const { hostId, credential } = (await enrolled.json()) as { hostId: string; credential: string };
  const raw = new RawAgent(base, credential);
  try {
    await raw.opened();
    raw.hello();
    await raw.next("welcome");
    raw.send({ type: "snapshot", engine: RAW_ENGINE, containers: [], images: [] });
    // Past its burst of 5,000 messages the control plane stops reading it and flags the host.
    for (let n = 0; n < 8_000; n++) raw.send({ type: "images", images: [] });

    const card = page.getByTestId("host-card").filter({ hasText: "flooding-e2e" });
    await expect(card.getByText("limited", { exact: true })).toBeVisible();
    await expect(card.getByTestId("host-limited")).toContainText("Held to its limits: its agent sent more than 500 messages a second; slowed down");
    await expect(page.getByTestId("host-card").filter({ hasText: "e2e-host" }).getByText("limited", { exact: true })).toHaveCount(0);
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, "host-limited.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, "host-limited-phone.png") });
  } finally {
    raw.ws.terminate();
    // Leaves the fleet as the other specs expect it.
    const revoked = await page.request.post(`${base}/api/trpc/hosts.revoke`, { data: { json: { hostId } }, headers: { origin: new URL(base).origin } });
    expect(revoked.ok()).toBe(true);
  }
});
