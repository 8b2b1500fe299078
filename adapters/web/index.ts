// Web adapter: the local playground's channel (Server-Sent Events to a page) and desk workspace.
export { NotReady, WebAdapter } from "./adapter.ts";
export { isCustomerId, WEB_CHANNEL, WEB_LIMITS, WebChannel } from "./channel.ts";
export { PLAYGROUND_AGENT, webPlayground } from "./playground.ts";
export { PlaygroundServer } from "./server.ts";
export { WebStore } from "./store.ts";
export { GENERAL_THREAD, type WebAgent, WebWorkspace } from "./workspace.ts";
