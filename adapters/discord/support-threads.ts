// Outside DMs a conversation moves at once into a private thread with only the customer and
// the bot (the staff may look in), so disputes stay out of public channels. One thread per
// customer per server, reused (unarchived, the customer added back) on their next request.
import type { REST } from "@discordjs/rest";
import { type APIChannel, ChannelType, Routes } from "discord-api-types/v10";
import type { Logger } from "pino";
import { classify, DiscordCode, discordCode } from "./errors.ts";
import type { ChannelRegistry } from "./registry.ts";

export interface SupportThreadsOptions {
  rest: REST;
  registry: ChannelRegistry;
  /** Where new threads are made (DISCORD_SUPPORT_CHANNEL_ID); else where the customer asked. */
  supportChannelId?: string;
  logger?: Logger;
}

export class SupportThreads {
  /** thread → its customer; positive answers never change. */
  private readonly owners = new Map<string, string>();
  private readonly notOwned = new Map<string, number>();
  /** One opening at a time per customer and server (a double click opens one thread). */
  private readonly opening = new Map<string, Promise<string>>();

  constructor(private readonly o: SupportThreadsOptions) {}

  /** The customer whose support thread this is, or null when it is not one of ours. */
  async ownerOf(threadId: string): Promise<string | null> {
    const known = this.owners.get(threadId);
    if (known) return known;
    const miss = this.notOwned.get(threadId);
    if (miss && Date.now() - miss < 60_000) return null;
    const owner = await this.o.registry.ownerOf(threadId);
    if (owner) this.owners.set(threadId, owner);
    else this.notOwned.set(threadId, Date.now());
    return owner;
  }

  /** The customer's private thread in this server, made or reopened. */
  open(guildId: string, askedIn: string, user: { id: string; username: string }): Promise<string> {
    const key = `${guildId}:${user.id}`;
    const running = this.opening.get(key);
    if (running) return running;
    const work = this.openNow(guildId, askedIn, user).finally(() => this.opening.delete(key));
    this.opening.set(key, work);
    return work;
  }

  private async openNow(
    guildId: string,
    askedIn: string,
    user: { id: string; username: string },
  ): Promise<string> {
    const existing = await this.o.registry.supportThreadOf(guildId, user.id);
    if (existing && (await this.reuse(existing, user.id))) return existing;
    if (existing) await this.o.registry.forgetSupportThread(guildId, user.id, existing);
    const parent = this.o.supportChannelId ?? askedIn;
    try {
      const thread = (await this.o.rest.post(Routes.threads(parent), {
        body: {
          name: `support · ${user.username}`.slice(0, 100),
          type: ChannelType.PrivateThread,
          invitable: false,
          auto_archive_duration: 10_080,
        },
      })) as APIChannel;
      // Remembered before anything else can fail: a retry reuses it instead of making another.
      await this.o.registry.rememberSupportThread(guildId, user.id, thread.id);
      this.owners.set(thread.id, user.id);
      this.notOwned.delete(thread.id);
      await this.o.rest.put(Routes.threadMembers(thread.id, user.id));
      this.o.logger?.info({ thread: thread.id }, "opened a private support thread");
      return thread.id;
    } catch (err) {
      throw classify(err);
    }
  }

  /** Reopens a known thread for its customer; false when it is gone. */
  private async reuse(threadId: string, userId: string): Promise<boolean> {
    try {
      const thread = (await this.o.rest.get(Routes.channel(threadId))) as APIChannel & {
        thread_metadata?: { archived: boolean; locked?: boolean };
      };
      if (thread.thread_metadata?.archived || thread.thread_metadata?.locked)
        await this.o.rest.patch(Routes.channel(threadId), {
          body: { archived: false, locked: false },
        });
      await this.o.rest.put(Routes.threadMembers(threadId, userId));
      this.owners.set(threadId, userId);
      return true;
    } catch (err) {
      const code = discordCode(err);
      if (code === DiscordCode.UnknownChannel || code === DiscordCode.MissingAccess) return false;
      throw classify(err);
    }
  }

  /** A support thread deleted by hand: the customer's next request makes a new one. */
  async deleted(guildId: string, threadId: string): Promise<void> {
    const owner = await this.ownerOf(threadId);
    if (!owner) return;
    this.owners.delete(threadId);
    await this.o.registry.forgetSupportThread(guildId, owner, threadId);
  }
}
