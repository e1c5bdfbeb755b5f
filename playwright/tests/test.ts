import { test as base } from "@playwright/test";

export { expect, type Page } from "@playwright/test";

/** How Chromium reports a navigation it aborted because the network changed under it. */
const NETWORK_CHANGED = /net::ERR_NETWORK_CHANGED|interrupted by another navigation to "chrome-error:/;
const ATTEMPTS = 4;

/**
 * Playwright's test with one change: a navigation Chromium aborted with ERR_NETWORK_CHANGED is made
 * again. Chromium aborts in-flight navigations whenever a network interface comes or goes, and on
 * this machine every container a test starts or removes adds or drops a veth: nothing to do with
 * the page under test. The changes can come in a burst, so it tries a few times, a moment apart.
 */
export const test = base.extend({
  page: async ({ page }, use) => {
    const goto = page.goto.bind(page);
    page.goto = async (url, options) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await goto(url, options);
        } catch (err) {
          if (attempt === ATTEMPTS || !(err instanceof Error) || !NETWORK_CHANGED.test(err.message)) throw err;
          await new Promise((r) => setTimeout(r, 250 * attempt));
        }
      }
    };
    await use(page);
  },
});
