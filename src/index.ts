// The one public door of Frontline: what adapters and embedding applications may use.
export * from "./core/errors.ts";
export * from "./core/types.ts";
export { Desk } from "./desk/desk.ts";
export { type AgentEvent, type AgentWorkspace, ThreadGoneError } from "./desk/workspace.ts";
export { Engine, type EngineOptions } from "./engine/engine.ts";
export { ConversationStore } from "./engine/store.ts";
export type { TurnResult } from "./engine/turn.ts";
export type { FlowSet } from "./flows/flowset.ts";
export { loadFlows } from "./flows/load.ts";
export { Intake, type TurnListener } from "./intake/intake.ts";
export { Outbox } from "./outbox/outbox.ts";
export { OrderedQueue } from "./queue/ordered-queue.ts";
