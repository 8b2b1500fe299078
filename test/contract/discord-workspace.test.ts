// The Discord workspace keeps the workspace contract in both variants: private threads in a
// text channel, and posts with status tags in a forum (real @discordjs/rest, the fake Discord).
import { DiscordAdapter } from "../../adapters/discord/index.ts";
import { STATUS_TAGS } from "../../adapters/discord/workspace.ts";
import { FakeDiscord } from "../fakes/discord/index.ts";
import { bodyText } from "../support/discord-story.ts";
import { type WorkspaceFixture, workspaceContract } from "./workspace-contract.ts";

async function fixture(kind: "thread" | "forum"): Promise<WorkspaceFixture> {
  const fake = await FakeDiscord.start();
  const guild = fake.addGuild({ name: "Staff" });
  const agents = fake.addRole(guild.id, { name: "Agents" });
  const desk = fake.addChannel(guild.id, {
    name: "desk",
    type: kind === "forum" ? 15 : 0,
    private: true,
    allowRoles: [agents.id],
    ...(kind === "forum" ? { tags: Object.values(STATUS_TAGS).map((name) => ({ name })) } : {}),
  });
  const anna = fake.addUser({ username: "anna" });
  const sam = fake.addUser({ username: "sam" });
  fake.addMember(guild.id, anna.id, { roles: [agents.id] });
  fake.addMember(guild.id, sam.id);
  const adapterFor = (channelId: string, roleId?: string) =>
    new DiscordAdapter({
      token: fake.token,
      apiBase: fake.apiBase,
      mode: "worker",
      agentChannelId: channelId,
      ...(roleId ? { agentRoleId: roleId } : {}),
    });
  const workspace = adapterFor(desk.id, kind === "forum" ? agents.id : undefined).workspace!;
  const exists = (id: string) => {
    try {
      return !fake.channel(id).deleted;
    } catch {
      return false;
    }
  };
  return {
    workspace,
    agentId: `discord:${anna.id}`,
    outsiderId: `discord:${sam.id}`,
    observe: {
      threadExists: exists,
      title: (id) => fake.channel(id).name,
      // Discord never renames a ticket's thread: the status is on the card (and the tags).
      statusShown: (id) => {
        const thread = fake.channel(id);
        const tags = desk.availableTags
          .filter((t) => thread.appliedTags.includes(t.id))
          .map((t) => t.name);
        return [...fake.messages(id).map(bodyText), ...tags].join("\n");
      },
      closed: (id) => fake.channel(id).archived && fake.channel(id).locked,
      posts: (id) => fake.messages(id).map(bodyText),
    },
    deleteThread: (id) => fake.deleteThreadByHand(id),
    misconfigured: async () => {
      const voice = fake.addChannel(guild.id, { name: "general", type: 0 });
      fake.setChannelBotDenied(voice.id, 1n << 36n); // Create Private Threads
      return {
        workspace: adapterFor(voice.id).workspace!,
        expected: /lacks Create Private Threads/,
      };
    },
    close: () => fake.close(),
  };
}

workspaceContract("Discord private threads", () => fixture("thread"));
workspaceContract("Discord forum posts with status tags", () => fixture("forum"));
