import { test as base } from "@playwright/test";

export { expect, type Page } from "@playwright/test";

/**
 * Playwright's test with one change: a navigation Chromium aborted with ERR_NETWORK_CHANGED is made
 * again. Chromium aborts in-flight navigations whenever a network interface comes or goes, and on
 * this machine every container a test starts or removes adds or drops a veth: nothing to do with
 * the page under test.
 */
export const test = base.extend({
  page: async ({ page }, use) => {
    const goto = page.goto.bind(page);
    page.goto = async (url, options) => {
      try {
        return await goto(url, options);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.includes("net::ERR_NETWORK_CHANGED")) throw err;
        return goto(url, options);
      }
    };
    await use(page);
  },
});
