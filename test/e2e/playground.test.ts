// Stories in the playground, in a real browser (Debian's chromium through playwright-core): a
// customer gets a password reset by typing and by buttons, asks for a person, an agent claims
// under an alias and replies, the customer rates 5; a second customer watches their place in the
// queue move; a broken flow edit shows the validator's report while the old flows keep answering.
// Everything goes through the real intake, engine, outbox and desk. Screenshots of every step
// land in test-artifacts/playground/.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerPane, deskPane, startPlayground } from "../support/playground.ts";
import { startProxy } from "../support/tcp-proxy.ts";

let pg: Awaited<ReturnType<typeof startPlayground>>;
let page: Page;

beforeAll(async () => {
  pg = await startPlayground();
  page = await pg.open();
});
afterAll(async () => {
  const errors = pg?.pageErrors ?? [];
  await pg?.close();
  expect(errors).toEqual([]);
});

const ticketOf = async (notice: { textContent(): Promise<string | null> }) =>
  Number(/ticket #(\d+)/.exec((await notice.textContent()) ?? "")?.[1]);

describe("playground: the customer and the bot", () => {
  it("a customer asks for a password reset by typing; the debugger shows why the bot answered", async () => {
    const customer = customerPane(page);
    await customer.say("I forgot my password");
    await customer.hears("To reset your password");
    const turn = page.locator("#turns .turn").first();
    await expect.poll(() => turn.getAttribute("data-flow")).toBe("login_help");
    const debug = (await turn.textContent()) ?? "";
    expect(debug).toContain("login_help");
    expect(debug).toMatch(/confidence\s*\d+%/);
    expect(await turn.locator("table tr").count()).toBe(3); // the top three intents
    expect(debug).toContain("issue = forgot_password");
    expect(debug).toContain("locale");
    await pg.shot(page, "password-reset-typed");
  });

  it("the same by buttons, from the menu", async () => {
    const customer = customerPane(page);
    await customer.newCustomer();
    await customer.say("/start");
    await customer.hears("What can I help you with?");
    await customer.press("Can't log in");
    await customer.hears("What exactly is happening");
    await customer.press("Forgot password");
    await customer.hears("To reset your password");
    await customer.press("Yes, thanks");
    await expect.poll(() => customer.messages().count()).toBeGreaterThanOrEqual(7);
    await pg.shot(page, "password-reset-buttons");
  });

  it("speaks each shipped language when the customer switches", async () => {
    const customer = customerPane(page);
    const switched = {
      ru: "Теперь я буду общаться",
      pl: "Od teraz będę pisać po polsku",
      el: "Από εδώ και πέρα θα σας μιλάω ελληνικά",
    };
    for (const [locale, said] of Object.entries(switched)) {
      await page.getByLabel("Language").selectOption(locale);
      await customer.hears(said);
    }
    await customer.say("/menu");
    await customer.hears(/Γεια|bot υποστήριξης/);
    expect(await page.locator("#chat").getAttribute("lang")).toBe("el");
    await pg.shot(page, "languages");
  });
});

describe("playground: the hand-over", () => {
  it("asks for a person; the agent claims under an alias and replies; the customer rates 5", async () => {
    const customer = customerPane(page);
    const desk = deskPane(page);
    await customer.newCustomer();
    await customer.say("I want to talk to a person");
    const notice = await customer.hears(/ticket #\d+/);
    expect(await notice.textContent()).toMatch(/number 1 in the queue/);
    const number = await ticketOf(notice);
    await pg.shot(page, "asked-for-a-person");

    // The ticket as the agent sees it: state, skill, language, waiting time.
    const ticket = desk.ticket(number);
    await ticket.waitFor();
    expect(await ticket.textContent()).toMatch(/queued · skill \w+ · en · waiting/);
    await desk.open(number);
    expect(await desk.thread().textContent()).toContain(`Ticket #${number}`);
    await pg.shot(page, "ticket-in-agent-pane");

    await desk.write("/alias Anna");
    await desk.post("Customers will see you as “Anna”").waitFor();
    await desk.action("✋ Claim").click();
    await customer.hears("Anna from our support team has joined");
    await desk.write("// checked the account, it is fine");
    await desk.write("Hello! I have sent you a new reset link.");
    await customer.hears("Anna: Hello! I have sent you a new reset link.");
    expect(await page.locator("#chat").textContent()).not.toContain("checked the account");
    await pg.shot(page, "agent-replied");

    // A photo from the customer reaches the agent's thread.
    await page.getByLabel("Send an image", { exact: true }).setInputFiles({
      name: "screenshot.png",
      mimeType: "image/png",
      buffer: TINY_PNG,
    });
    await desk.thread().locator("img").waitFor();
    // And one from the agent reaches the customer.
    await page.getByLabel("Send an image to the customer").setInputFiles({
      name: "steps.png",
      mimeType: "image/png",
      buffer: TINY_PNG,
    });
    await page.locator("#chat .msg.bot img").waitFor();

    await desk.action("✅ Close").click();
    await customer.hears(`Ticket #${number} is closed`);
    await customer.press("★★★★★");
    await customer.hears("Thank you!");
    await page.locator("#thread .csat", { hasText: "5/5" }).waitFor();
    expect(await ticket.textContent()).toContain("rated 5/5");
    await pg.shot(page, "rated-5");
  });

  it("a second customer sees their place in the queue change", async () => {
    const customer = customerPane(page);
    const desk = deskPane(page);
    await customer.newCustomer();
    await customer.say("/human");
    const first = await ticketOf(await customer.hears(/ticket #\d+/));
    const firstName = (await page.getByRole("tab", { selected: true }).textContent()) ?? "";
    await customer.newCustomer();
    await customer.say("/human");
    expect(await (await customer.hears(/ticket #\d+/)).textContent()).toMatch(
      /number 2 in the queue/,
    );
    await pg.shot(page, "second-customer-queued");

    await desk.open(first);
    await desk.action("✋ Claim").click();
    await customer.tab(firstName);
    await customer.hears("from our support team has joined");
    await page.getByRole("tab").last().click();
    await customer.say("/status");
    await customer.hears(/you are number 1/);
    await pg.shot(page, "queue-position-moved");

    // The agent hands the first ticket on to billing: back in the queue, with the new skill.
    await desk.open(first);
    await desk.action("↪ Transfer").click();
    await page.getByLabel("Transfer to (skill or alias)").fill("billing");
    await page.getByRole("button", { name: "Transfer", exact: true }).click();
    await expect.poll(() => desk.ticket(first).textContent()).toMatch(/queued · skill billing/);
    await pg.shot(page, "transferred-to-billing");
  });
});

describe("playground: the page", () => {
  it("after a reload nothing is lost or repeated", async () => {
    const before = await page.locator("#chat .msg").allTextContents();
    const tickets = await page.locator("#tickets button").count();
    await page.reload();
    await page.locator("body[data-ready=true]").waitFor();
    expect(await page.locator("#chat .msg").allTextContents()).toEqual(before);
    expect(await page.locator("#tickets button").count()).toBe(tickets);
    // And what arrives afterwards shows once.
    await customerPane(page).say("/status");
    await expect.poll(() => page.locator("#chat .msg").count()).toBe(before.length + 2);
  });

  it("after a dropped connection the page resumes: what went out meanwhile shows once", async () => {
    const proxy = await startProxy({ host: "127.0.0.1", port: Number(new URL(pg.url).port) });
    const away = await pg.open(proxy.url);
    try {
      const before = await away.locator("#chat .msg").allTextContents();
      const id = String(
        await away.evaluate("JSON.parse(localStorage.getItem('frontline.playground')).selected"),
      );
      proxy.cut();
      await away.locator("#connection", { hasText: "Connection lost" }).waitFor();
      // The outbox delivers while the page is away (the channel is what the outbox calls).
      await pg.web.adapter.channels[0]!.send(
        { channel: "web", chatId: id },
        { text: "Sent while you were away." },
        { idempotencyKey: "while-away" },
      );
      proxy.restore();
      // The browser reconnects by itself, sending Last-Event-ID.
      await away.locator("#chat .msg.bot", { hasText: "Sent while you were away." }).waitFor();
      expect(await away.locator("#chat .msg").allTextContents()).toEqual([
        ...before,
        "Bot: Sent while you were away.",
      ]);
    } finally {
      await away.close();
      await proxy.close();
    }
  });

  it("the keyboard works: the skip link, Enter to send, Enter on an answer button", async () => {
    await page.reload();
    await page.locator("body[data-ready=true]").waitFor();
    const before = await page.locator("#chat .msg.bot").count();
    await page.keyboard.press("Tab");
    await expect
      .poll(() => page.evaluate("document.activeElement.textContent"))
      .toBe("Skip to the customer chat");
    await page.keyboard.press("Enter");
    await page.getByLabel("Your message").focus();
    await page.keyboard.type("/menu");
    await page.keyboard.press("Enter");
    await page.locator("#chat .msg.bot").nth(before).waitFor();
    const answer = page.locator("#chat .msg.bot").last().getByRole("button").first();
    await answer.focus();
    await page.keyboard.press("Enter");
    await page
      .locator("#chat .msg.bot")
      .nth(before + 1)
      .waitFor();
  });

  it("shows hostile text as text", async () => {
    const customer = customerPane(page);
    await customer.say('<img src=x onerror="document.body.dataset.owned=1"><b>bold</b>');
    await page.locator("#chat .msg.customer", { hasText: "<b>bold</b>" }).waitFor();
    await customer.hears(/./, 1);
    expect(await page.evaluate("document.body.dataset.owned")).toBeUndefined();
    expect(await page.locator("#chat b").count()).toBe(0);
  });
});

describe("playground: editing flows", () => {
  it("a broken edit shows the validator's report and the old flows keep answering; a good one is picked up", async () => {
    const customer = customerPane(page);
    await customer.newCustomer();
    const file = join(pg.flowsDir, "opening_hours.yaml");
    const original = readFileSync(file, "utf8");
    writeFileSync(file, original.replace("steps:", "colour: blue\nsteps:"));
    await page.getByRole("button", { name: "Reload flows" }).click();
    const report = page.locator("#reload-result .report");
    await report.waitFor();
    expect(await report.textContent()).toMatch(/opening_hours\.yaml:\d+:\d+: .*colour/);
    await customer.say("what are your opening hours?");
    await customer.hears("I'm a bot and I'm here 24/7");
    await pg.shot(page, "broken-flow-reported");

    writeFileSync(
      file,
      original.replace("I'm a bot and I'm here 24/7", "I'm a bot (edited) and I'm here 24/7"),
    );
    await page.getByRole("button", { name: "Reload flows" }).click();
    await page.locator("#reload-result .ok", { hasText: "Reloaded" }).waitFor();
    // (The first customer now waits on "Did that answer your question?": ask as a new one.)
    await customer.newCustomer();
    await customer.say("what are your opening hours?");
    await customer.hears("I'm a bot (edited)");
    await pg.shot(page, "edited-flow-answers");
  });
});

/** A 1×1 PNG. */
const TINY_PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);
