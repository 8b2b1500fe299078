// Getting updates: getUpdates (long polling) and the webhook methods.
import type { Handler } from "../core.ts";
import { ApiError, badRequest } from "../errors.ts";
import { WEBHOOK_CONFLICT } from "../updates.ts";

const getUpdates: Handler = (core, p, io) => {
  if (core.updates.webhook) throw new ApiError(409, WEBHOOK_CONFLICT);
  const offset = p.optInt("offset") ?? 0;
  const limit = Math.min(100, Math.max(1, p.optInt("limit") ?? 100));
  const timeout = Math.max(0, p.optInt("timeout") ?? 0);
  const allowed = p.json<string[]>("allowed_updates");
  if (Array.isArray(allowed)) core.updates.setAllowed(allowed);
  return core.updates.getUpdates(offset, limit, timeout, io.onAbort);
};

const setWebhook: Handler = (core, p) => {
  const url = p.optStr("url") ?? "";
  const drop = p.bool("drop_pending_updates");
  if (url === "") {
    core.updates.deleteWebhook(drop);
    return true;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest("bad webhook: Failed to resolve host: Name or service not known");
  }
  // Real Telegram demands HTTPS; the fake accepts http:// so tests can use a local receiver.
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
  }
  const secret = p.optStr("secret_token") || undefined;
  if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
    throw badRequest("secret token contains unallowed characters");
  }
  const max = p.optInt("max_connections") ?? 1;
  if (max < 1 || max > 100)
    throw badRequest("bad webhook: max_connections must be between 1 and 100");
  const allowed = p.json<string[]>("allowed_updates");
  if (Array.isArray(allowed)) core.updates.setAllowed(allowed);
  core.updates.setWebhook(
    {
      url,
      secretToken: secret,
      maxConnections: max,
      ipAddress: p.optStr("ip_address") || undefined,
    },
    drop,
  );
  return true;
};

const deleteWebhook: Handler = (core, p) => {
  core.updates.deleteWebhook(p.bool("drop_pending_updates"));
  return true;
};

export const getWebhookInfo: Handler = (core) => {
  const q = core.updates;
  const info: Record<string, unknown> = {
    url: q.webhook?.url ?? "",
    has_custom_certificate: false,
    pending_update_count: q.pending(),
  };
  if (q.webhook) {
    info.max_connections = q.webhook.maxConnections;
    if (q.webhook.ipAddress) info.ip_address = q.webhook.ipAddress;
  }
  if (q.lastError) {
    info.last_error_date = q.lastError.date;
    info.last_error_message = q.lastError.message;
  }
  const allowed = q.allowedUpdates;
  if (allowed) info.allowed_updates = allowed;
  return info;
};

export const updateMethods: Record<string, Handler> = {
  getUpdates,
  setWebhook,
  deleteWebhook,
  getWebhookInfo,
};
