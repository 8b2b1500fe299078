// The web desk keeps the workspace contract: what the agent pane is served (its HTTP API) is
// what the contract observes; a thread "deleted by hand" is one whose keys are gone from Redis.
import { afterAll } from "vitest";
import { WebAdapter, WebStore } from "../../adapters/web/index.ts";
import { PlaygroundServer } from "../../adapters/web/server.ts";
import { connectTestRedis, dropPrefix, testPrefix } from "../support/redis.ts";
import { workspaceContract } from "./workspace-contract.ts";

const redis = connectTestRedis();
const prefixes: string[] = [];
afterAll(async () => {
  for (const p of prefixes) await dropPrefix(redis, p);
  await redis.quit();
});

workspaceContract("web desk (playground)", async () => {
  const prefix = testPrefix("web-ws");
  prefixes.push(prefix);
  const store = new WebStore(redis, prefix);
  const adapter = new WebAdapter(store, [{ id: "web:agent", name: "Sam" }]);
  const server = new PlaygroundServer({ adapter, host: "127.0.0.1", port: 0 });
  const { port } = await server.listen();
  const served = async (threadId: string) => {
    const res = await fetch(`http://127.0.0.1:${port}/api/desk/threads/${threadId}`);
    if (res.status === 404) return null;
    return (await res.json()) as {
      thread: { header: { title: string }; closed: boolean };
      posts: { message: { text: string } }[];
    };
  };
  return {
    workspace: adapter.workspace,
    agentId: "web:agent",
    outsiderId: "web:someone-else",
    observe: {
      threadExists: async (id) => (await served(id)) !== null,
      title: async (id) => (await served(id))?.thread.header.title,
      closed: async (id) => Boolean((await served(id))?.thread.closed),
      posts: async (id) => (await served(id))?.posts.map((p) => p.message.text) ?? [],
    },
    deleteThread: (id) => store.deleteThread(id),
    misconfigured: async () => ({
      workspace: new WebAdapter(store, []).workspace,
      expected: /no agent account/,
    }),
    close: () => server.close(),
  };
});
