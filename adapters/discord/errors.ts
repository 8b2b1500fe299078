// Discord's REST failures → the DeliveryError kinds the outbox and the desk act on.
import { DiscordAPIError, HTTPError, RateLimitError } from "@discordjs/rest";
import { DeliveryError } from "../../src/index.ts";

/** Discord's JSON error codes that matter here (discord-api-docs: topics/opcodes-and-status-codes). */
export const DiscordCode = {
  UnknownChannel: 10003,
  UnknownMessage: 10008,
  UnknownMember: 10007,
  UnknownInteraction: 10062,
  CannotSendToUser: 50007,
  MissingAccess: 50001,
  MissingPermissions: 50013,
  ThreadArchived: 50083,
  AlreadyAcknowledged: 40060,
  InvalidForm: 50035,
} as const;

export function discordCode(err: unknown): number | undefined {
  if (err instanceof DiscordAPIError && typeof err.code === "number") return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}

export function discordStatus(err: unknown): number | undefined {
  if (err instanceof DiscordAPIError || err instanceof HTTPError) return err.status;
  return undefined;
}

/** An error no retry can mend: Discord refused the request itself (a missing permission, a
 * channel that is gone or cannot hold threads, a revoked token), not the moment. */
export function isPermanent(err: unknown): boolean {
  if (err instanceof DeliveryError) return err.kind === "rejected" || err.kind === "unreachable";
  const status = discordStatus(err);
  return status !== undefined && status >= 400 && status < 500 && status !== 429;
}

export function classify(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  if (err instanceof RateLimitError)
    return new DeliveryError("rate_limited", `rate limited on ${err.route}`, err.retryAfter);
  if (err instanceof DiscordAPIError) {
    const what = `${err.method} ${new URL(err.url).pathname}: ${err.status} ${err.code} ${err.message}`;
    const code = discordCode(err);
    // The customer closed their DMs, left the server, or the channel is gone: a person must know.
    if (code === DiscordCode.CannotSendToUser || code === DiscordCode.UnknownChannel)
      return new DeliveryError("unreachable", what);
    if (err.status === 429) {
      const retry = (err.rawError as { retry_after?: number }).retry_after ?? 1;
      return new DeliveryError("rate_limited", what, retry * 1000);
    }
    if (err.status >= 500) return new DeliveryError("transient", what);
    // A revoked token is not retried: Discord bans bots that send many refused requests.
    if (err.status === 401)
      return new DeliveryError("rejected", `${what} (check DISCORD_BOT_TOKEN)`);
    return new DeliveryError("rejected", what);
  }
  if (err instanceof HTTPError)
    return new DeliveryError("transient", `${err.status} ${err.message}`);
  return new DeliveryError("transient", (err as Error)?.message ?? String(err));
}
