// Stories a support lead would recognise, on the real product: grammY over the fake Bot API,
// real Redis, real BullMQ timers. The agent chat is a forum supergroup, one topic per ticket.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { deskStories } from "../support/desk-story.ts";
import { testRedisUrl } from "../support/redis.ts";

const { desk, until, buttons, texts, has, refundEscalation, newCustomer, anna, boris, fast } =
  deskStories();

describe("the agent desk on Telegram forum topics", () => {
  it("refund the bot cannot give → ticket card in a new topic → agent claims, replies with text and a photo → customer answers → agent closes → customer rates 5", async () => {
    const { fake, group, customer, store, prefix } = await desk();
    await refundEscalation(fake, customer);
    const opened = texts(fake, customer.id).find((t) => /#\d+/.test(t))!;
    // No queue waits recorded yet: the estimate is honest about it.
    expect(opened).toMatch(
      /ticket #1\b.*number 1 in the queue \(expected wait: hard to say right now\)/i,
    );

    const topic = await until(() => fake.topics(group.id)[0], 5_000, "the ticket topic");
    expect(topic.name).toMatch(/#1 Maria · billing · en/);
    const card = await until(
      () =>
        fake
          .sentMessages(group.id, topic.message_thread_id)
          .find((m) => /Ticket #1/.test(m.text ?? "")),
      5_000,
      "the card",
    );
    expect(card.text).toMatch(/Reason: Refund request for order FL-?654321/);
    expect(card.text).toMatch(/The bot tried: .*refund/);
    expect(buttons(card).map((b) => b.callback_data)).toEqual([
      "desk:claim:1",
      "desk:close:1",
      "desk:transfer:1",
    ]);

    fake.pressButton(anna, card, "desk:claim:1");
    await until(
      () => has(fake, customer.id, /Anna from our support team has joined/),
      5_000,
      "agentJoined",
    );
    await until(
      () => /Anna/.test(fake.topic(group.id, topic.message_thread_id)?.name ?? ""),
      5_000,
      "topic renamed with the agent",
    );

    fake.sendGroupMessage(group.id, anna, "Hello Maria, I'm checking order FL-654321 now.", {
      message_thread_id: topic.message_thread_id,
    });
    await until(
      () => has(fake, customer.id, /^Anna: Hello Maria, I'm checking order FL-654321 now\.$/),
      5_000,
      "the agent's reply",
    );
    fake.sendGroupMedia(group.id, anna, "photo", {
      message_thread_id: topic.message_thread_id,
      caption: "Here is the receipt",
    });
    await until(
      () => fake.sentMessages(customer.id).some((m) => m.via === "copyMessage"),
      5_000,
      "the photo copy",
    );
    expect(fake.calls.some((c) => c.method === "forwardMessage")).toBe(false); // agent accounts stay hidden

    fake.sendUserMessage(customer, "Thanks, I see it. When will the money arrive?");
    await until(
      () => has(fake, group.id, /👤 Maria: Thanks, I see it/, topic.message_thread_id),
      5_000,
      "the customer's answer in the topic",
    );

    fake.sendGroupMessage(group.id, anna, "// customer seems happy, closing", {
      message_thread_id: topic.message_thread_id,
    });
    fake.sendGroupMessage(group.id, anna, "/close", { message_thread_id: topic.message_thread_id });
    const closed = await until(
      () => fake.sentMessages(customer.id).find((m) => /Ticket #1 is closed/.test(m.text ?? "")),
      5_000,
      "the close notice",
    );
    expect(buttons(closed).map((b) => b.callback_data)).toEqual([
      "csat:1:1",
      "csat:1:2",
      "csat:1:3",
      "csat:1:4",
      "csat:1:5",
    ]);
    expect(has(fake, customer.id, /customer seems happy/)).toBe(false); // internal notes stay internal
    await until(
      () => fake.topic(group.id, topic.message_thread_id)?.closed,
      5_000,
      "the topic closed",
    );

    fake.pressButton(customer, closed, "csat:1:5");
    await until(() => has(fake, customer.id, /what went well/), 5_000, "the comment question");
    fake.sendUserMessage(customer, "Quick and kind, thank you!");
    await until(() => has(fake, customer.id, /Thank you for the feedback/), 5_000, "thanks");

    const started = Date.now();
    while (!(await store.get(1))?.csat?.comment && Date.now() - started < 5_000)
      await new Promise((r) => setTimeout(r, 20));
    const ticket = (await store.get(1))!;
    expect(ticket).toMatchObject({
      status: "closed",
      agent: { alias: "Anna" },
      csat: { score: 5, comment: "Quick and kind, thank you!" },
    });
    expect(ticket.firstResponseAt).toBeGreaterThan(0);
    const log = await store.transcript(1);
    expect(log.map((l) => l.from)).toEqual(
      expect.arrayContaining(["system", "agent", "customer", "note"]),
    );
    // The lead's view, from the real binary.
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ["bin/frontline.mjs", "tickets", ...args], {
        encoding: "utf8",
        env: { ...process.env, REDIS_URL: testRedisUrl(), REDIS_PREFIX: prefix },
      });
    const md = cli("export", "1", "--format", "md");
    expect(md.stdout).toMatch(
      /# Ticket #1[\s\S]*Rating: 5\/5 — “Quick and kind, thank you!”[\s\S]*\*\*Anna\*\*: Hello Maria/,
    );
    expect(JSON.parse(cli("export", "1").stdout).transcript.length).toBe(log.length);
    expect(cli("list").stdout).toMatch(/^#1\tclosed\tbilling\tnormal\ten\tAnna/);
    const stats = JSON.parse(cli("stats", "--json").stdout);
    expect(stats).toMatchObject({
      escalated: 1,
      csatAverage: 5,
      csatCount: 1,
      ticketsByState: { closed: 1 },
    });
    expect(stats.avgFirstResponseSeconds).toBeGreaterThanOrEqual(0);
    expect(cli("show", "99").stderr).toMatch(/no ticket #99/);

    // Back with the bot: commands get bot answers.
    fake.sendUserMessage(customer, "/menu");
    await until(
      () => fake.sentMessages(customer.id).at(-1)?.sent_reply_markup !== undefined,
      5_000,
      "the bot menu",
    );
    // Writing again soon after the close reopens the same ticket and reaches Anna.
    fake.sendUserMessage(customer, "One more thing: the refund went to my old card");
    await until(() => has(fake, customer.id, /reopened ticket #1/), 5_000, "the reopen notice");
    await until(
      () => has(fake, group.id, /👤 Maria: One more thing/, topic.message_thread_id),
      5_000,
      "the message in the topic",
    );
    await until(
      () => fake.topic(group.id, topic.message_thread_id)?.closed === false,
      5_000,
      "the topic reopened",
    );
    expect((await store.get(1))?.status).toBe("assigned");
  });

  it("20 messages from a new customer arriving at once create exactly one topic, all relayed in order", async () => {
    const { fake, group, customer } = await desk();
    fake.sendUserMessage(customer, "/human");
    for (let i = 1; i <= 19; i++) fake.sendUserMessage(customer, `detail ${i}`);
    const details = Array.from({ length: 19 }, (_, i) => `detail ${i + 1}`);
    const relayed = () =>
      texts(fake, group.id)
        .filter((t) => t.startsWith("👤"))
        .flatMap((t) => t.replace("👤 Maria: ", "").split("\n"));
    await until(
      () => fake.topics(group.id).length === 1 && relayed().length === 19,
      15_000,
      "19 relayed details",
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.calls.filter((c) => c.method === "createForumTopic").length).toBe(1);
    // Beyond the flood limit (10 at once) the rest arrive together, in order, in one relay.
    expect(relayed()).toEqual(details);
    expect(texts(fake, group.id).filter((t) => t.startsWith("👤")).length).toBeLessThan(19);
    expect(
      texts(fake, customer.id).filter((t) => /sending messages very fast/.test(t)),
    ).toHaveLength(1);
  });

  it("out of hours, the customer is told when agents are back", async () => {
    const { fake, customer } = await desk({ hours: {} as Record<string, string> });
    fake.sendUserMessage(customer, "/human");
    const notice = await until(
      () => texts(fake, customer.id).find((t) => /away right now/.test(t)),
      10_000,
      "the out-of-hours notice",
    );
    expect(notice).toMatch(/ticket #1/);
  });

  it("the first-response reminder fires once, with two replicas, and mentions the on-shift agent", async () => {
    const { fake, group, customer } = await desk({ firstResponseSlaMinutes: 0.03 }, 2);
    fake.sendUserMessage(customer, "/human");
    await until(() => has(fake, group.id, /⏰ Ticket #1 has waited/), 15_000, "the SLA reminder");
    await until(
      () => has(fake, customer.id, /Sorry for the wait/),
      5_000,
      "the still-working note",
    );
    await new Promise((r) => setTimeout(r, 2_500));
    expect(texts(fake, group.id).filter((t) => /⏰ Ticket #1/.test(t)).length).toBe(1);
    expect(texts(fake, customer.id).filter((t) => /Sorry for the wait/.test(t)).length).toBe(1);
    const reminder = fake.sentMessages(group.id).find((m) => /⏰/.test(m.text ?? ""))!;
    expect(reminder.text).toContain(`tg://user?id=${anna.id}`);
  });

  it("a topic deleted by hand is made again on the next message", async () => {
    const { fake, group, customer } = await desk();
    fake.sendUserMessage(customer, "/human");
    const first = await until(() => fake.topics(group.id)[0], 10_000, "the topic");
    await until(
      () => fake.sentMessages(group.id, first.message_thread_id).length > 0,
      5_000,
      "the card",
    );
    fake.deleteTopicByHand(group.id, first.message_thread_id);
    fake.sendUserMessage(customer, "are you there?");
    const second = await until(
      () =>
        fake
          .topics(group.id)
          .find((t) => t.message_thread_id !== first.message_thread_id && !t.deleted),
      10_000,
      "a new topic",
    );
    await until(
      () => has(fake, group.id, /are you there\?/, second.message_thread_id),
      5_000,
      "the message in the new topic",
    );
  });

  it("a customer can never act as an agent, also not with forged button data", async () => {
    const { fake, group, customer, store } = await desk();
    fake.sendUserMessage(customer, "/human");
    const topic = await until(() => fake.topics(group.id)[0], 10_000, "the topic");
    const before = fake.sentMessages(customer.id).length;
    fake.sendUserMessage(customer, "/close");
    fake.sendUserMessage(customer, "/claim");
    const menu = await until(
      () => fake.sentMessages(customer.id).find((m) => buttons(m).length > 0),
      10_000,
      "some bot message with buttons",
    );
    fake.pressButton(customer, menu, "desk:close:1", { force: true });
    await until(() => fake.sentMessages(customer.id).length > before, 5_000, "an answer");
    await new Promise((r) => setTimeout(r, 500));
    expect((await store.get(1))?.status).toBe("queued");
    expect(fake.topic(group.id, topic.message_thread_id)?.closed).toBe(false);
    // Someone who left the agent chat cannot claim either.
    const card = fake.sentMessages(group.id, topic.message_thread_id)[0]!;
    fake.removeMember(group.id, boris.id);
    fake.pressButton(boris, card, "desk:claim:1");
    await new Promise((r) => setTimeout(r, 500));
    expect((await store.get(1))?.agent).toBeUndefined();
  });

  it("auto-assign gives the ticket to an on-shift agent with the skill and language", async () => {
    const { fake, customer, store } = await desk({ assignment: "auto" });
    fake.sendUserMessage(customer, "/human");
    await until(
      () => has(fake, customer.id, /Anna from our support team has joined/),
      10_000,
      "auto assignment",
    );
    expect((await store.get(1))?.status).toBe("assigned");
  });

  it("/status tells the customer where they stand", async () => {
    const { fake, customer } = await desk();
    fake.sendUserMessage(customer, "/status");
    await until(() => has(fake, customer.id, /no open request/), 10_000, "no ticket yet");
    fake.sendUserMessage(customer, "/human");
    await until(() => has(fake, customer.id, /#1/), 10_000, "the ticket");
    fake.sendUserMessage(customer, "/status");
    await until(
      () => has(fake, customer.id, /Ticket #1 is in the queue: you are number 1/),
      10_000,
      "the queue status",
    );
  });
  it.each([
    ["", 1],
    [" (QUEUE_PARTITIONS=3: the chat's keys under its partition, the desk's under the prefix)", 3],
  ])(
    "a customer who blocked the bot is shown to agents; writing again makes them reachable%s",
    async (_, partitions) => {
      const { fake, group, customer } = await desk({}, 1, fast, partitions);
      fake.sendUserMessage(customer, "/human");
      const topic = await until(() => fake.topics(group.id)[0], 10_000, "the topic");
      await until(() => has(fake, customer.id, /#1/), 5_000, "the ticket notice");
      fake.blockUser(customer.id, { notify: false });
      fake.sendGroupMessage(group.id, anna, "Are you still there?", {
        message_thread_id: topic.message_thread_id,
      });
      await until(
        () =>
          has(
            fake,
            group.id,
            /⚠️ The customer cannot be reached \(.*blocked/,
            topic.message_thread_id,
          ),
        10_000,
        "the warning in the topic",
      );
      fake.sendUserMessage(customer, "sorry, I'm back"); // writing unblocks, as in Telegram
      await until(
        () => has(fake, group.id, /👤 Maria: sorry, I'm back/, topic.message_thread_id),
        10_000,
        "the relay",
      );
      fake.sendGroupMessage(group.id, anna, "Welcome back!", {
        message_thread_id: topic.message_thread_id,
      });
      await until(
        () => has(fake, customer.id, /^Anna: Welcome back!$/),
        10_000,
        "the reply after unblocking",
      );
    },
  );
  it("under Telegram's real group limit (20 a minute), every new ticket still gets its topic, card and notice", async () => {
    // Three escalations at once need more agent-chat posts than the group's burst allows, so
    // some steps wait and are retried; each must finish, none may be skipped.
    const { fake, group, customer } = await desk({}, 1, {
      ...fast,
      group: { burst: 5, perSecond: 20 / 60 },
    });
    const others = [newCustomer(fake, "Olga", "ru"), newCustomer(fake, "Piotr", "pl")];
    for (const c of [customer, ...others]) fake.sendUserMessage(c, "/human");
    await until(
      () =>
        fake.topics(group.id).length === 3 &&
        fake
          .topics(group.id)
          .every((t) =>
            fake
              .sentMessages(group.id, t.message_thread_id)
              .some((m) => /🎫 Ticket #/.test(m.text ?? "")),
          ),
      30_000,
      "three topics with their cards",
    );
    for (const c of [customer, ...others])
      await until(
        () => fake.sentMessages(c.id).some((m) => /(#|№|nr )\d/.test(m.text ?? "")),
        10_000,
        `the ticket notice for ${c.first_name}`,
      );
    expect(fake.calls.filter((c) => c.method === "createForumTopic").length).toBe(3);
  }, 60_000);
});
