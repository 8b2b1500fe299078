// A grammY Api whose every call goes out through a Telegraf bot's own client (`bot.telegram`):
// Frontline's channel and workspace speak grammY's Api, the host keeps one client (its API
// root, agent, test environment). Telegraf's errors become the Bot API's error responses, so
// the outbox classifies them exactly as on Frontline's own bot.
import { Api, HttpError } from "grammy";
import type { Telegram } from "telegraf";
import { API_TIMEOUT_SECONDS } from "../telegram/adapter.ts";

export function apiOverTelegraf(telegram: Telegram): Api {
  const api = new Api(telegram.token);
  api.config.use(async (_previous, method, payload, signal) => {
    // Telegraf waits up to 500 s for an answer; a send hung that long would outlive the lane's
    // lease (see API_TIMEOUT_SECONDS), so each call is cut as Frontline's own client cuts it.
    const timeout = AbortSignal.timeout(API_TIMEOUT_SECONDS * 1000);
    const abort = signal ? AbortSignal.any([signal as AbortSignal, timeout]) : timeout;
    try {
      const call = telegram.callApi as (m: string, p: unknown, o: object) => Promise<unknown>;
      const result = await call.call(telegram, method, payload, { signal: abort });
      return { ok: true, result } as never;
    } catch (err) {
      const response = (err as { response?: { ok?: unknown } }).response;
      if (response && response.ok === false) return response as never;
      throw new HttpError(`Network request for '${method}' failed: ${(err as Error).message}`, err);
    }
  });
  return api;
}
