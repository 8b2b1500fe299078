// The interaction data people produce: pressing a button, picking from a select, running a
// slash command, submitting a modal.
import type { Core } from "./core.ts";
import type { CommandRec } from "./state.ts";
import type { ChannelRec, MessageRec } from "./types.ts";

type Obj = Record<string, unknown>;

/** The component with this custom_id anywhere in a message (rows, sections, containers). */
export function findComponent(components: unknown[], customId: string): Obj | undefined {
  for (const c of components) {
    const comp = (c ?? {}) as Obj;
    if (comp.custom_id === customId) return comp;
    const nested = [
      ...(Array.isArray(comp.components) ? comp.components : []),
      ...(comp.accessory ? [comp.accessory] : []),
      ...(comp.component ? [comp.component] : []),
    ];
    const hit = findComponent(nested, customId);
    if (hit) return hit;
  }
  return undefined;
}

/** A message the user can see and its component, or a test error. */
export function clickable(
  core: Core,
  userId: string,
  channelId: string,
  messageId: string,
  customId: string,
): { message: MessageRec; component: Obj; channel: ChannelRec } {
  const channel = core.world.channel(channelId);
  const message = core.world.message(channelId, messageId);
  if (!channel || !message) throw new Error(`no message ${messageId} in channel ${channelId}`);
  if (message.ephemeral) {
    const ix = message.interactionId
      ? core.interactions.byId.get(message.interactionId)
      : undefined;
    if (ix?.userId !== userId) throw new Error(`ephemeral message ${messageId} is not ${userId}'s`);
  }
  const component = findComponent(message.components, customId);
  if (!component) throw new Error(`message ${messageId} has no component "${customId}"`);
  if (component.disabled === true) throw new Error(`component "${customId}" is disabled`);
  return { message, component, channel };
}

const OPTION_TYPES = { subcommand: 1, group: 2, string: 3, integer: 4, boolean: 5, number: 10 };

function optionValue(type: number, raw: string): unknown {
  if (type === OPTION_TYPES.integer) return Number.parseInt(raw, 10);
  if (type === OPTION_TYPES.number) return Number(raw);
  if (type === OPTION_TYPES.boolean) return raw === "true";
  return raw; // strings, and snowflakes of user/channel/role/mentionable options
}

/** The registered command a user can run in this channel (guild commands first). */
export function findCommand(core: Core, channel: ChannelRec, name: string): CommandRec {
  const { world } = core;
  const top = name.split(" ")[0] as string;
  const isChat = (c: CommandRec) => c.name === top && (c.type ?? 1) === 1;
  if (channel.guildId) {
    const guildCmd = world.guildCommands.get(channel.guildId)?.find(isChat);
    if (guildCmd) return guildCmd;
  }
  const global = world.globalCommands.find(isChat);
  const contexts = global?.contexts as number[] | null | undefined;
  const context = channel.guildId ? 0 : 1;
  if (
    !global ||
    (contexts && !contexts.includes(context)) ||
    (context === 1 && !contexts && global.dm_permission === false)
  ) {
    throw new Error(
      `no command /${top} is registered for ${channel.guildId ? `guild ${channel.guildId}` : "DMs"}`,
    );
  }
  return global;
}

/** APPLICATION_COMMAND data; `name` may name a subcommand ("ticket open"). */
export function commandData(cmd: CommandRec, name: string, values: Record<string, string>): Obj {
  const path = name.split(" ").slice(1);
  let declared = (cmd.options ?? []) as Obj[];
  const wrap: Obj[] = [];
  for (const sub of path) {
    const o = declared.find((d) => d.name === sub && (d.type === 1 || d.type === 2));
    if (!o) throw new Error(`/${cmd.name} has no subcommand "${sub}"`);
    wrap.push({ name: sub, type: o.type });
    declared = (o.options ?? []) as Obj[];
  }
  let options: Obj[] = Object.entries(values).map(([k, v]) => {
    const o = declared.find((d) => d.name === k);
    if (!o) throw new Error(`/${name} has no option "${k}"`);
    const type = Number(o.type ?? OPTION_TYPES.string);
    return { name: k, type, value: optionValue(type, v) };
  });
  for (const w of wrap.reverse()) options = [{ ...w, options }];
  const data: Obj = { id: cmd.id, name: cmd.name, type: 1, options };
  if (cmd.guild_id) data.guild_id = cmd.guild_id;
  return data;
}

/** MODAL_SUBMIT components mirroring the modal's layout (action rows or labels). */
export function modalSubmitComponents(
  modal: Obj,
  values: Record<string, string | string[]>,
): unknown[] {
  const field = (c: Obj): Obj => {
    const id = String(c.custom_id ?? "");
    const v = values[id];
    if (c.type === 4)
      return { type: 4, id: c.id, custom_id: id, value: String(v ?? c.value ?? "") };
    return { type: c.type, id: c.id, custom_id: id, values: ([] as string[]).concat(v ?? []) };
  };
  return ((modal.components ?? []) as Obj[]).map((c) => {
    if (c.type === 1)
      return { type: 1, id: c.id, components: ((c.components ?? []) as Obj[]).map(field) };
    if (c.type === 18) return { type: 18, id: c.id, component: field((c.component ?? {}) as Obj) };
    return { type: c.type, id: c.id };
  });
}
