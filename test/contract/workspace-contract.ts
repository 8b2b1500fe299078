// The contract every AgentWorkspace keeps, as one suite each implementation runs (Telegram
// forum topics today; Discord threads and the web desk plug in the same way). The platform
// side is observed through the fake the real client talks to, never through our own code.
import { describe, expect, it } from "vitest";
import { ThreadGoneError } from "../../src/core/errors.ts";
import type { AgentWorkspace, TicketHeader } from "../../src/core/workspace.ts";

type Awaitable<T> = T | Promise<T>;

export interface WorkspaceFixture {
  workspace: AgentWorkspace;
  /** An account that is an agent there, and one that is not. */
  agentId: string;
  outsiderId: string;
  /** What the platform shows (read from the fake, or from what a page is served). */
  observe: {
    threadExists(threadId: string): Awaitable<boolean>;
    title(threadId: string): Awaitable<string | undefined>;
    /** Where the platform shows a ticket's status, when not in the title (a card, tags). */
    statusShown?(threadId: string): Awaitable<string>;
    closed(threadId: string): Awaitable<boolean>;
    posts(threadId: string): Awaitable<string[]>;
  };
  /** Someone deletes the thread by hand. */
  deleteThread(threadId: string): Awaitable<void>;
  /** The same platform, set up wrong (e.g. a group without topics); its check() must say so. */
  misconfigured(): Promise<{ workspace: AgentWorkspace; expected: RegExp }>;
  close(): Promise<void>;
}

const header = (n: number, title = `🆕 #${n} Maria · billing · en`): TicketHeader => ({
  number: n,
  title,
  status: "queued",
  skill: "billing",
  locale: "en",
});

export function workspaceContract(name: string, setup: () => Promise<WorkspaceFixture>): void {
  describe(`AgentWorkspace contract: ${name}`, () => {
    const withFixture = (test: (f: WorkspaceFixture) => Promise<void>) => async () => {
      const f = await setup();
      try {
        await test(f);
      } finally {
        await f.close();
      }
    };

    it(
      "passes its own preflight and names itself uniquely",
      withFixture(async (f) => {
        expect(await f.workspace.check()).toBeNull();
        expect(f.workspace.id).toMatch(/^[a-z]+:.+/);
      }),
    );

    it(
      "opens a thread with its card as the first post, in one call",
      withFixture(async (f) => {
        const ref = await f.workspace.openThread(
          header(1),
          { text: "🎫 Ticket #1 card" },
          { idempotencyKey: "open-1" },
        );
        expect(await f.observe.threadExists(ref.threadId)).toBe(true);
        expect(await f.observe.title(ref.threadId)).toContain("#1");
        expect((await f.observe.posts(ref.threadId))[0]).toContain("Ticket #1 card");
        expect(ref.cardMessageId).toBeTruthy();
      }),
    );

    it(
      "posts into a thread, shows a new status, closes and reopens it",
      withFixture(async (f) => {
        const ref = await f.workspace.openThread(
          header(2),
          { text: "card 2" },
          { idempotencyKey: "open-2" },
        );
        await f.workspace.post(
          ref.threadId,
          { text: "👤 Maria: hello" },
          { idempotencyKey: "p-1" },
        );
        expect(await f.observe.posts(ref.threadId)).toContain("👤 Maria: hello");
        await f.workspace.showStatus(
          ref,
          { ...header(2, "💬 #2 Maria · billing · en · Anna"), status: "assigned" },
          { text: "card 2" },
        );
        const shown = f.observe.statusShown
          ? await f.observe.statusShown(ref.threadId)
          : ((await f.observe.title(ref.threadId)) ??
            (await f.observe.posts(ref.threadId)).join("\n"));
        expect(shown).toMatch(/💬|assigned|claimed/);
        await f.workspace.closeThread(ref.threadId);
        expect(await f.observe.closed(ref.threadId)).toBe(true);
        await f.workspace.reopenThread(ref.threadId);
        expect(await f.observe.closed(ref.threadId)).toBe(false);
      }),
    );

    it(
      "a post into a closed thread still arrives",
      withFixture(async (f) => {
        const ref = await f.workspace.openThread(
          header(3),
          { text: "card 3" },
          { idempotencyKey: "open-3" },
        );
        await f.workspace.closeThread(ref.threadId);
        await f.workspace.post(ref.threadId, { text: "late note" }, { idempotencyKey: "p-3" });
        expect(await f.observe.posts(ref.threadId)).toContain("late note");
      }),
    );

    it(
      "a thread deleted by hand makes post throw ThreadGoneError, so the desk can make a new one",
      withFixture(async (f) => {
        const ref = await f.workspace.openThread(
          header(4),
          { text: "card 4" },
          { idempotencyKey: "open-4" },
        );
        await f.deleteThread(ref.threadId);
        await expect(
          f.workspace.post(ref.threadId, { text: "into the void" }, { idempotencyKey: "p-4" }),
        ).rejects.toBeInstanceOf(ThreadGoneError);
      }),
    );

    it(
      "knows its agents from everyone else",
      withFixture(async (f) => {
        expect(await f.workspace.isAgent(f.agentId)).toBe(true);
        expect(await f.workspace.isAgent(f.outsiderId)).toBe(false);
        expect(await f.workspace.isAgent("nonsense")).toBe(false);
      }),
    );

    it(
      "a misconfigured workspace fails its preflight with one sentence that says what to change",
      withFixture(async (f) => {
        const { workspace, expected } = await f.misconfigured();
        const problem = await workspace.check();
        expect(problem).toMatch(expected);
        expect(problem!.split(/(?<=\.)\s/).length).toBe(1);
      }),
    );
  });
}
