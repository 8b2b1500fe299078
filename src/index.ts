// The one public door of Frontline: what adapters and embedding applications may use.
export * from "./core/adapter.ts";
export * from "./core/channel.ts";
export * from "./core/errors.ts";
export * from "./core/types.ts";
export * from "./core/workspace.ts";
export { Desk } from "./desk/desk.ts";
export { Engine, type EngineOptions } from "./engine/engine.ts";
export type { TurnContext, TurnMiddleware } from "./engine/middleware.ts";
export { ConversationStore } from "./engine/store.ts";
export type { TurnDebug, TurnEffect, TurnResult } from "./engine/turn.ts";
export type { FlowSet } from "./flows/flowset.ts";
export { loadFlows } from "./flows/load.ts";
export { Intake } from "./intake/intake.ts";
export { Outbox } from "./outbox/outbox.ts";
export { splitText } from "./outbox/split.ts";
export { OrderedQueue } from "./queue/ordered-queue.ts";
export { loadEnvironment } from "./runtime/config.ts";
export type { FrontlineEvents } from "./runtime/events.ts";
export {
  type CreateFrontlineOptions,
  createFrontline,
  Frontline,
  type FrontlineHealth,
  type FrontlineOptions,
} from "./runtime/frontline.ts";
export { packageVersion, shippedFlowsDir } from "./runtime/package-root.ts";
