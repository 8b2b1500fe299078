// The Telegram forum-topic workspace keeps the workspace contract (real grammY, the fake Bot API).
import { TelegramAdapter } from "../../adapters/telegram/index.ts";
import { FakeTelegram } from "../fakes/telegram/index.ts";
import { workspaceContract } from "./workspace-contract.ts";

workspaceContract("Telegram forum topics", async () => {
  const fake = await FakeTelegram.start();
  const anna = { id: 9301, first_name: "Anna" };
  const stranger = { id: 9302, first_name: "Sam" };
  fake.addUser(stranger);
  const group = fake.createForumGroup({
    title: "Desk",
    members: [{ user: anna, status: "member" }],
  });
  const adapterFor = (chatId: number) =>
    new TelegramAdapter({
      token: fake.token,
      apiRoot: fake.apiRoot,
      mode: "worker",
      botInfo: fake.botInfo,
      agentChatId: String(chatId),
    });
  const workspace = adapterFor(group.id).workspace!;
  const topic = (id: string) => fake.topic(group.id, Number(id));
  return {
    workspace,
    agentId: `telegram:${anna.id}`,
    outsiderId: `telegram:${stranger.id}`,
    observe: {
      threadExists: (id) => topic(id) !== undefined && !topic(id)!.deleted,
      title: (id) => topic(id)?.name,
      closed: (id) => Boolean(topic(id)?.closed),
      posts: (id) => fake.sentMessages(group.id, Number(id)).map((m) => m.text ?? ""),
    },
    deleteThread: (id) => fake.deleteTopicByHand(group.id, Number(id)),
    misconfigured: async () => {
      const plain = fake.createForumGroup({ title: "No topics", isForum: false });
      return {
        workspace: adapterFor(plain.id).workspace!,
        expected: /not a forum; turn on Topics/,
      };
    },
    close: () => fake.close(),
  };
});
