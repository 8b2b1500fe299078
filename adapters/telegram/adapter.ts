// The Telegram channel: one grammY Bot's Api for calls, updates in by long polling or
// webhook, each one recorded durably before Telegram is acknowledged.
import { Api } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";
import type { Logger } from "pino";
import type {
  AdapterContext,
  AdapterHealth,
  ChannelAdapter,
  CommandMenu,
  InboundSink,
} from "../../src/index.ts";
import { FrontlineError } from "../../src/index.ts";
import { TelegramChannel, telegramErrorCode } from "./channel.ts";
import { Poller } from "./polling.ts";
import { translateUpdate } from "./translate.ts";
import { WebhookServer } from "./webhook.ts";
import { TelegramWorkspace, translateAgentUpdate } from "./workspace.ts";

export const ALLOWED_UPDATES = [
  "message",
  "edited_message",
  "callback_query",
  "my_chat_member",
] as const;

export interface TelegramOptions {
  /** Frontline's own bot client: the token (and TELEGRAM_API_ROOT)… */
  token?: string;
  apiRoot?: string;
  /** …or a host bot's client, for the Telegraf and grammY mounts (mode "hosted"). */
  api?: Api;
  /**
   * worker: sends and processes queues but takes no updates (replicas beside one poller);
   * hosted: a host bot takes the updates and hands them in (see mount.ts).
   */
  mode: "polling" | "webhook" | "worker" | "hosted";
  webhook?: { url: string; secret: string; host: string; port: number };
  logger?: Logger;
  /** Skip getMe (tests and benchmarks pass the fake's). */
  botInfo?: UserFromGetMe;
  pollTimeoutSeconds?: number;
  /** The forum supergroup where agents work (TELEGRAM_AGENT_CHAT_ID). */
  agentChatId?: string;
  /** Override Telegram's pacing (benchmarks and tests only). */
  limits?: ConstructorParameters<typeof TelegramChannel>[1];
}

/**
 * grammY's default API timeout is 500 s. A send hung that long would outlive the lane's lease
 * (RECOVERY_MS, renewed while the handler runs, given up after a minute or more) and another
 * drainer could send the same message again; so every call is cut well before that.
 */
export const API_TIMEOUT_SECONDS = 45;

export class TelegramAdapter implements ChannelAdapter {
  readonly name = "telegram";
  readonly api: Api;
  readonly channel: TelegramChannel;
  readonly workspace: TelegramWorkspace | undefined;
  private poller: Poller | undefined;
  private webhook: WebhookServer | undefined;
  private sink: InboundSink | undefined;
  private state: AdapterHealth = { ok: false, detail: "not started" };

  private info: UserFromGetMe | undefined;
  private infoCall: Promise<UserFromGetMe> | undefined;

  constructor(protected readonly options: TelegramOptions) {
    this.api =
      options.api ??
      new Api(options.token!, {
        ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}),
        timeoutSeconds: API_TIMEOUT_SECONDS,
      });
    this.info = options.botInfo;
    this.channel = new TelegramChannel(this.api, options.limits);
    this.workspace = options.agentChatId
      ? new TelegramWorkspace(this.api, options.agentChatId, this.channel, () => this.me())
      : undefined;
  }

  get channels() {
    return [this.channel];
  }

  get workspaces() {
    return this.workspace ? [this.workspace] : [];
  }

  health(): AdapterHealth {
    return this.state;
  }

  get botInfo(): UserFromGetMe {
    if (!this.info) throw new Error("the bot's identity is not known before start()");
    return this.info;
  }

  /**
   * Connects and starts taking updates; `record` must resolve only once the event is durable.
   * Returns the webhook's bound port in webhook mode.
   */
  /** The bot's own id, asking Telegram once (getMe); a refused token is a configuration error. */
  async me(): Promise<number> {
    if (this.info) return this.info.id;
    try {
      this.infoCall ??= this.api.getMe();
      this.info = await this.infoCall;
    } catch (err) {
      this.infoCall = undefined;
      const code = telegramErrorCode(err);
      if (code === 401 || code === 404)
        throw new FrontlineError(
          "FL_ERR_CONFIG",
          `Telegram refused ${this.options.api ? "the bot's token" : "TELEGRAM_BOT_TOKEN"} (${code} ${(err as { description?: string }).description}); copy the token again from @BotFather`,
        );
      throw err;
    }
    return this.info.id;
  }

  async check(): Promise<string | null> {
    try {
      await this.me();
    } catch (err) {
      return (err as Error).message;
    }
    if (this.options.mode !== "webhook" || !this.options.webhook) return null;
    const info = await this.api.getWebhookInfo();
    const recent = (info.last_error_date ?? 0) * 1000 > Date.now() - 3_600_000;
    if (info.url === this.options.webhook.url && info.last_error_message && recent)
      return `Telegram cannot deliver to TELEGRAM_WEBHOOK_URL=${info.url}: ${info.last_error_message}; check that the address is public, its TLS certificate valid, and the port open`;
    return null;
  }

  async describe(): Promise<string> {
    const info = await this.api.getWebhookInfo();
    const wanted = this.options.webhook?.url;
    if (this.options.mode === "webhook")
      return info.url === wanted
        ? `webhook registered as configured (${info.pending_update_count} pending)`
        : `Telegram has ${info.url || "no webhook"}; start registers ${wanted}`;
    return info.url
      ? `a webhook (${info.url}) is registered; start in ${this.options.mode} mode ${this.options.mode === "polling" ? "removes it" : "leaves it"}`
      : `no webhook registered (${this.options.mode} mode)`;
  }

  async start(sink: InboundSink, context: AdapterContext): Promise<void> {
    this.sink = sink;
    this.channel.useMediaOpener(context.openMedia);
    await this.me();
    if (this.options.mode === "hosted") {
      // The host bot owns its command menu (its own commands are in it), so it is left alone.
      this.state = { ok: true, detail: "hosted: the host bot hands updates in" };
      return;
    }
    await this.registerCommands(context.commandMenus);
    const recordUpdate = async (u: Update) => {
      await this.handleUpdate(u);
    };
    if (this.options.mode === "worker") {
      this.state = { ok: true, detail: "worker (takes no updates)" };
      return;
    }
    if (this.options.mode === "polling") {
      await this.api.deleteWebhook({ drop_pending_updates: false });
      this.poller = new Poller({
        api: this.api,
        record: recordUpdate,
        orderKey: orderKeyOf,
        allowedUpdates: ALLOWED_UPDATES,
        logger: this.options.logger,
        timeoutSeconds: this.options.pollTimeoutSeconds,
        onTrouble: (trouble) => {
          this.state = trouble ? { ok: false, detail: trouble } : { ok: true, detail: "polling" };
        },
      });
      this.poller.start();
      this.state = { ok: true, detail: "polling" };
      return;
    }
    const hook = this.options.webhook!;
    this.webhook = new WebhookServer({
      host: hook.host,
      port: hook.port,
      path: new URL(hook.url).pathname,
      secret: hook.secret,
      record: recordUpdate,
      logger: this.options.logger,
    });
    const { port } = await this.webhook.listen();
    this.port = port;
    await this.api.setWebhook(hook.url, {
      secret_token: hook.secret,
      allowed_updates: [...ALLOWED_UPDATES],
      max_connections: 40,
    });
    this.state = { ok: true, detail: `webhook on port ${port}` };
  }

  /** The webhook server's bound port (webhook mode). */
  port: number | undefined;

  /**
   * Records one update; throws if it could not be recorded (so it is not acknowledged).
   * Resolves false for an update that is not Frontline's (a group other than the agent chat,
   * an update kind it does not take): a host bot's later middleware may have it.
   */
  async handleUpdate(update: Update): Promise<boolean> {
    const query = update.callback_query;
    const agentChat = this.options.agentChatId;
    const chatId = String(
      update.message?.chat.id ?? query?.message?.chat.id ?? update.my_chat_member?.chat.id ?? "",
    );
    if (agentChat && chatId === agentChat) {
      const agentEvent = translateAgentUpdate(update, this.botInfo.id, agentChat);
      if (!agentEvent) return false;
      await this.sink!.agent(agentEvent);
    } else {
      // Customers only in private chats; any other group the bot is in is ignored (and noted
      // for `frontline chats`, so the operator can find the agent chat's id).
      this.noteGroup(update);
      const event = translateUpdate(update, {
        id: this.botInfo.id,
        username: this.botInfo.username,
      });
      if (!event) return false;
      await this.sink!.customer(event);
    }
    if (query) {
      // The spinner on the customer's button stops now; the answer itself arrives as a message.
      this.api
        .answerCallbackQuery(query.id)
        .catch((err) =>
          this.options.logger?.warn({ err: String(err) }, "answerCallbackQuery failed"),
        );
    }
    return true;
  }

  /** When each ignored group was last noted: at most every ten minutes, off the hot path. */
  private readonly groupsNoted = new Map<string, number>();

  private noteGroup(update: Update): void {
    const member = update.my_chat_member;
    const chat = member?.chat ?? (update.message ?? update.callback_query?.message)?.chat;
    if (!chat || chat.type === "private") return;
    const id = String(chat.id);
    const last = this.groupsNoted.get(id);
    if (!member && last !== undefined && Date.now() - last < 10 * 60_000) return;
    this.groupsNoted.set(id, Date.now());
    const info = chat as { title?: string; is_forum?: boolean };
    void this.sink!.chatSeen?.({
      channel: "telegram",
      id,
      title: info.title ?? "",
      type: chat.type,
      threads: info.is_forum === true,
      ...(member ? { botStatus: member.new_chat_member.status } : {}),
    }).catch((err) => this.options.logger?.debug({ err: String(err) }, "could not note a group"));
    if (last !== undefined) return;
    this.options.logger?.info(
      { chatId: id, type: chat.type, forum: info.is_forum === true },
      "ignoring a group that is not the agent chat (`frontline chats` lists the groups seen; TELEGRAM_AGENT_CHAT_ID takes one)",
    );
  }

  /** The command menu, per language, from frontline.yaml's commandMenu. */
  private async registerCommands(menus: CommandMenu[]): Promise<void> {
    try {
      for (const menu of menus)
        await this.api.setMyCommands(
          menu.commands,
          menu.locale ? { language_code: menu.locale as never } : {},
        );
    } catch (err) {
      this.options.logger?.warn(
        { err: String(err) },
        "could not register the command menu; commands still work",
      );
    }
  }

  /** Stops taking updates; what was recorded stays queued for any replica. */
  async stop(): Promise<void> {
    await this.poller?.stop();
    await this.webhook?.close();
    this.state = { ok: false, detail: "stopped" };
  }
}

/**
 * Updates with the same key are recorded one after another. A customer's chat is one lane; in
 * the agent chat each topic is its own lane (tickets are independent), so agents working many
 * tickets do not queue behind each other.
 */
export function orderKeyOf(u: Update): string {
  const m = u.message ?? u.edited_message ?? u.callback_query?.message;
  if (!m) return String(u.update_id);
  const thread = (m as { message_thread_id?: number }).message_thread_id;
  return m.chat.type === "private" || thread === undefined
    ? String(m.chat.id)
    : `${m.chat.id}/${thread}`;
}
