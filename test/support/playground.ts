// The playground as a story needs it: the real product (PlaygroundProduct: intake, engine,
// outbox, desk) with the web adapter and its server, on the shipped flows in a temp copy (desk
// open all week, so the queue notices show), a browser page on it, and screenshots per step.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { webPlayground } from "../../adapters/web/index.ts";
import { loadFlowsOrThrow } from "../../src/runtime/local.ts";
import { PlaygroundProduct } from "../../src/runtime/playground.ts";
import { launchBrowser } from "./browser.ts";
import { ALL_WEEK, deskFlowsDir } from "./desk-flows.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "./redis.ts";

export const ARTIFACTS = join("test-artifacts", "playground");

export async function startPlayground() {
  const redis = connectTestRedis();
  const prefix = testPrefix("playground");
  const flowsDir = deskFlowsDir({ hours: ALL_WEEK });
  const web = webPlayground.create({ redis, prefix, host: "127.0.0.1", port: 0 });
  const product = new PlaygroundProduct({
    redis,
    prefix,
    flowsDir,
    flows: loadFlowsOrThrow(flowsDir, web.adapter.channels),
    adapter: web.adapter,
  });
  await product.start();
  const { url } = await web.listen(product);
  const browser = await launchBrowser();
  // One run's screenshots only: numbering shifts when stories change.
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  let shots = 0;
  const pageErrors: string[] = [];
  return {
    /** The web adapter (its channel sends as the outbox does) and server. */
    web,
    /** Script errors the pages raised (a story ends by checking there were none). */
    pageErrors,
    url,
    flowsDir,
    product,
    browser,
    /** A new page on the playground, its history replayed. */
    async open(at = url): Promise<Page> {
      const page = await browser.context.newPage();
      // A script error fails the story at once, instead of a wait that never ends.
      const broken = new Promise<never>((_, reject) => page.on("pageerror", reject));
      broken.catch((err: Error) => pageErrors.push(err.message));
      await page.goto(at);
      await Promise.race([page.locator("body[data-ready=true]").waitFor(), broken]);
      return page;
    },
    /** A screenshot of the whole page, numbered in story order. */
    async shot(page: Page, name: string): Promise<void> {
      shots += 1;
      await page.screenshot({
        path: join(ARTIFACTS, `${String(shots).padStart(2, "0")}-${name}.png`),
      });
    },
    async close() {
      await browser.close();
      await web.close();
      await product.stop();
      await dropPrefix(redis, prefix);
      await redis.quit();
    },
  };
}

/** What the customer pane shows: helpers a story reads like a person would. */
export function customerPane(page: Page) {
  const box = page.getByLabel("Your message");
  return {
    async say(text: string) {
      await box.fill(text);
      await box.press("Enter");
    },
    /** Waits for the bot to say something containing `text` (the nth such message, from 1). */
    async hears(text: string | RegExp, nth = 1) {
      const found = page.locator("#chat .msg.bot").filter({ hasText: text });
      await found.nth(nth - 1).waitFor();
      return found.nth(nth - 1);
    },
    async press(label: string) {
      await page
        .locator("#chat .msg.bot")
        .getByRole("button", { name: label, exact: true })
        .last()
        .click();
    },
    async newCustomer() {
      await page.getByRole("button", { name: "+ New customer" }).click();
      await page
        .locator("#chat")
        .locator("li")
        .first()
        .waitFor({ state: "detached" })
        .catch(() => {});
    },
    async tab(name: string) {
      await page.getByRole("tab", { name }).click();
    },
    messages: () => page.locator("#chat .msg"),
  };
}

export function deskPane(page: Page) {
  const reply = page.getByLabel("Reply to the customer");
  return {
    ticket: (number: number) => page.locator(`#tickets button[data-ticket="${number}"]`),
    async open(number: number) {
      await page.locator(`#tickets button[data-ticket="${number}"]`).click();
    },
    async write(text: string) {
      await reply.fill(text);
      await reply.press("Enter");
    },
    action: (label: string) =>
      page.getByRole("group", { name: "Ticket actions" }).getByRole("button", { name: label }),
    thread: () => page.locator("#thread"),
    post: (text: string | RegExp) => page.locator("#thread .post").filter({ hasText: text }),
  };
}

export { dropPrefix };
