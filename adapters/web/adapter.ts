// The web adapter: the playground's channel and desk workspace, and the sink the page's requests
// are recorded into. Its HTTP server outlives the adapter's start/stop, because a flows reload
// rebuilds the product around the same adapter; a request that arrives in that moment waits for
// the new sink instead of failing.
import type {
  AdapterHealth,
  AgentEvent,
  ChannelAdapter,
  InboundEvent,
  InboundSink,
} from "../../src/index.ts";
import { WebChannel } from "./channel.ts";
import type { WebStore } from "./store.ts";
import { type WebAgent, WebWorkspace } from "./workspace.ts";

/** Longest a request waits for a product being rebuilt before it is refused (503). */
const SINK_WAIT_MS = 15_000;

export class WebAdapter implements ChannelAdapter {
  readonly name = "web";
  readonly channel: WebChannel;
  readonly workspace: WebWorkspace;
  private sink: InboundSink | undefined;
  private waiting: (() => void)[] = [];

  constructor(
    readonly store: WebStore,
    agents: readonly WebAgent[],
  ) {
    this.channel = new WebChannel(store);
    this.workspace = new WebWorkspace(store, agents);
  }

  get channels() {
    return [this.channel];
  }

  get workspaces() {
    return [this.workspace];
  }

  async start(sink: InboundSink): Promise<void> {
    this.sink = sink;
    for (const wake of this.waiting.splice(0)) wake();
  }

  async stop(): Promise<void> {
    this.sink = undefined;
  }

  health(): AdapterHealth {
    return this.sink ? { ok: true, detail: "web page" } : { ok: false, detail: "not started" };
  }

  /** Resolves once the event is durable (then the page is answered 202). */
  async customer(event: InboundEvent): Promise<void> {
    await (await this.ready()).customer(event);
  }

  async agent(event: AgentEvent): Promise<void> {
    await (await this.ready()).agent(event);
  }

  private async ready(): Promise<InboundSink> {
    if (this.sink) return this.sink;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.waiting.push(resolve)),
      new Promise<void>((_, reject) => {
        timer = setTimeout(() => reject(new NotReady()), SINK_WAIT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    if (!this.sink) throw new NotReady();
    return this.sink;
  }
}

export class NotReady extends Error {
  constructor() {
    super("the playground is not taking messages right now (it is starting or reloading flows)");
  }
}
