// Discord's JSON error shape {message, code, errors?} carried from handlers to the HTTP layer.

export class DiscordError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    /** Extra body fields (`errors` of 50035, `retry_after` of 429). */
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "DiscordError";
  }

  body(): Record<string, unknown> {
    // Discord's 429 bodies are {message, retry_after, global} without a code.
    if (this.status === 429) return { message: this.message, ...this.extra };
    return { message: this.message, code: this.code, ...this.extra };
  }
}

export const notFound = (): DiscordError => new DiscordError(404, 0, "404: Not Found");
export const unauthorized = (): DiscordError => new DiscordError(401, 0, "401: Unauthorized");
export const unknownChannel = (): DiscordError => new DiscordError(404, 10003, "Unknown Channel");
export const unknownGuild = (): DiscordError => new DiscordError(404, 10004, "Unknown Guild");
export const unknownMember = (): DiscordError => new DiscordError(404, 10007, "Unknown Member");
export const unknownMessage = (): DiscordError => new DiscordError(404, 10008, "Unknown Message");
export const unknownUser = (): DiscordError => new DiscordError(404, 10013, "Unknown User");
export const unknownWebhook = (): DiscordError => new DiscordError(404, 10015, "Unknown Webhook");
export const unknownCommand = (): DiscordError =>
  new DiscordError(404, 10063, "Unknown application command");
export const unknownInteraction = (): DiscordError =>
  new DiscordError(404, 10062, "Unknown interaction");
export const alreadyAcknowledged = (): DiscordError =>
  new DiscordError(400, 40060, "Interaction has already been acknowledged.");
export const missingAccess = (): DiscordError => new DiscordError(403, 50001, "Missing Access");
export const missingPermissions = (): DiscordError =>
  new DiscordError(403, 50013, "Missing Permissions");
export const cannotDM = (): DiscordError =>
  new DiscordError(403, 50007, "Cannot send messages to this user");
export const notAuthor = (): DiscordError =>
  new DiscordError(403, 50005, "Cannot edit a message authored by another user");
export const emptyMessage = (): DiscordError =>
  new DiscordError(400, 50006, "Cannot send an empty message");
export const nonTextChannel = (): DiscordError =>
  new DiscordError(400, 50008, "Cannot send messages in a non-text channel");
export const threadArchived = (): DiscordError =>
  new DiscordError(400, 50083, "Thread is archived");
export const invalidWebhookToken = (): DiscordError =>
  new DiscordError(401, 50027, "Invalid Webhook Token");
export const tooLarge = (): DiscordError =>
  new DiscordError(413, 40005, "Request entity too large");

/** One field problem of a 50035, e.g. at "content" or "components.0.components.1.custom_id". */
export interface FieldError {
  path: string;
  code: string;
  message: string;
}

/** 400 50035 "Invalid Form Body" with Discord's nested `errors` object. */
export function invalidForm(problems: FieldError[]): DiscordError {
  const errors: Record<string, unknown> = {};
  for (const p of problems) {
    let node = errors;
    for (const key of p.path.split(".")) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node._errors ??= [];
    (node._errors as Array<{ code: string; message: string }>).push({
      code: p.code,
      message: p.message,
    });
  }
  return new DiscordError(400, 50035, "Invalid Form Body", { errors });
}

export const invalidField = (path: string, code: string, message: string): DiscordError =>
  invalidForm([{ path, code, message }]);

/** A 429 as Discord sends it. `bucket` adds the per-route headers that make discord.js wait. */
export function rateLimited(
  retryAfter: number,
  opts: { global?: boolean; bucket?: string } = {},
): DiscordError {
  const headers: Record<string, string> = {
    "Retry-After": String(retryAfter),
    "X-RateLimit-Scope": opts.global ? "global" : "user",
  };
  // discord.js treats the mere presence of X-RateLimit-Global as a global limit.
  if (opts.global) headers["X-RateLimit-Global"] = "true";
  else if (opts.bucket) {
    headers["X-RateLimit-Limit"] = "5";
    headers["X-RateLimit-Remaining"] = "0";
    headers["X-RateLimit-Reset-After"] = String(retryAfter);
    headers["X-RateLimit-Reset"] = String((Date.now() / 1000 + retryAfter).toFixed(3));
    headers["X-RateLimit-Bucket"] = opts.bucket;
  }
  return new DiscordError(
    429,
    0,
    "You are being rate limited.",
    { retry_after: retryAfter, global: opts.global ?? false },
    headers,
  );
}
