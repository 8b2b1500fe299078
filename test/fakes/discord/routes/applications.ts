// /applications: the app itself and its commands (global and per guild; bulk overwrite keeps the
// id of a command whose name and type stay, as Discord does).
import type { Core } from "../core.ts";
import {
  DiscordError,
  type FieldError,
  invalidForm,
  missingAccess,
  unknownCommand,
} from "../errors.ts";
import { apiUser } from "../payloads.ts";
import { noContent, type Router, reply } from "../router.ts";
import type { CommandRec } from "../state.ts";

type Obj = Record<string, unknown>;

const CHAT_INPUT_NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function unknownApplication(): DiscordError {
  return new DiscordError(404, 10002, "Unknown Application");
}

function checkName(out: FieldError[], at: string, name: unknown, chatInput: boolean): void {
  const s = typeof name === "string" ? name : "";
  const ok = chatInput
    ? CHAT_INPUT_NAME.test(s) && s === s.toLowerCase()
    : s.length >= 1 && s.length <= 32;
  if (!ok)
    out.push({
      path: at,
      code: "APPLICATION_COMMAND_INVALID_NAME",
      message: "Command name is invalid",
    });
}

function checkDescription(out: FieldError[], at: string, d: unknown): void {
  const s = typeof d === "string" ? d : "";
  if (s.length < 1 || s.length > 100) {
    out.push({
      path: at,
      code: "BASE_TYPE_BAD_LENGTH",
      message: "Must be between 1 and 100 in length.",
    });
  }
}

function checkCommand(out: FieldError[], at: string, c: Obj): void {
  const chatInput = (c.type ?? 1) === 1;
  checkName(out, `${at}.name`, c.name, chatInput);
  for (const [loc, v] of Object.entries((c.name_localizations ?? {}) as Obj)) {
    checkName(out, `${at}.name_localizations.${loc}`, v, chatInput);
  }
  if (!chatInput) return;
  checkDescription(out, `${at}.description`, c.description);
  for (const [loc, v] of Object.entries((c.description_localizations ?? {}) as Obj)) {
    checkDescription(out, `${at}.description_localizations.${loc}`, v);
  }
  const options = Array.isArray(c.options) ? (c.options as Obj[]) : [];
  if (options.length > 25)
    out.push({
      path: `${at}.options`,
      code: "BASE_TYPE_MAX_LENGTH",
      message: "Must be 25 or fewer in length.",
    });
  for (const [i, o] of options.entries()) {
    checkName(out, `${at}.options.${i}.name`, o.name, true);
    checkDescription(out, `${at}.options.${i}.description`, o.description);
  }
}

function normalize(
  core: Core,
  c: Obj,
  existing: CommandRec | undefined,
  guildId?: string,
): CommandRec {
  const cmd: CommandRec = {
    id: existing?.id ?? core.world.ids.next(),
    application_id: core.world.applicationId,
    version: core.world.ids.next(),
    default_member_permissions: c.default_member_permissions ?? null,
    type: c.type ?? 1,
    name: String(c.name),
    name_localizations: c.name_localizations ?? null,
    description: c.description ?? "",
    description_localizations: c.description_localizations ?? null,
    options: c.options ?? [],
    contexts: c.contexts ?? null,
    integration_types: c.integration_types ?? [0],
    nsfw: c.nsfw ?? false,
  };
  if (c.dm_permission !== undefined) cmd.dm_permission = c.dm_permission;
  if (guildId) cmd.guild_id = guildId;
  return cmd;
}

function sameCommand(a: Obj, b: Obj): boolean {
  return a.name === b.name && (a.type ?? 1) === (b.type ?? 1);
}

export function applicationRoutes(r: Router): void {
  r.add("GET", "/applications/@me", ({ core }) => ({
    id: core.world.applicationId,
    name: core.world.bot.username,
    icon: null,
    description: "",
    summary: "",
    type: null,
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: "0".repeat(64),
    flags: core.world.applicationFlags,
    owner: apiUser(core.world.bot),
    team: null,
    bot: apiUser(core.world.bot),
    approximate_guild_count: [...core.world.guilds.values()].filter((g) => g.botPresent).length,
    redirect_uris: [],
    interactions_endpoint_url: null,
    tags: [],
    integration_types_config: { "0": {} },
  }));

  /** The command list a route addresses (global, or a guild's). */
  const list = (core: Core, params: Obj): { cmds: CommandRec[]; guildId?: string } => {
    if (params.id !== core.world.applicationId) throw unknownApplication();
    if (params.guildId === undefined) return { cmds: core.world.globalCommands };
    const guildId = String(params.guildId);
    const guild = core.world.guilds.get(guildId);
    if (!guild?.botPresent) throw missingAccess();
    let cmds = core.world.guildCommands.get(guildId);
    if (!cmds) {
      cmds = [];
      core.world.guildCommands.set(guildId, cmds);
    }
    return { cmds, guildId };
  };

  for (const base of ["/applications/:id", "/applications/:id/guilds/:guildId"]) {
    r.add("GET", `${base}/commands`, ({ core, params }) => [...list(core, params).cmds]);

    r.add("PUT", `${base}/commands`, ({ core, params, body }) => {
      const { cmds, guildId } = list(core, params);
      const input = Array.isArray(body) ? (body as Obj[]) : [];
      const problems: FieldError[] = [];
      for (const [i, c] of input.entries()) checkCommand(problems, String(i), c);
      const seen: Obj[] = [];
      for (const [i, c] of input.entries()) {
        if (seen.some((s) => sameCommand(s, c))) {
          problems.push({
            path: `${i}.name`,
            code: "APPLICATION_COMMAND_ALREADY_EXISTS",
            message: "Application command names must be unique",
          });
        }
        seen.push(c);
      }
      if (problems.length > 0) throw invalidForm(problems);
      const next = input.map((c) =>
        normalize(
          core,
          c,
          cmds.find((e) => sameCommand(e, c)),
          guildId,
        ),
      );
      cmds.splice(0, cmds.length, ...next);
      core.changed();
      return [...cmds];
    });

    r.add("POST", `${base}/commands`, ({ core, params, body }) => {
      const { cmds, guildId } = list(core, params);
      const problems: FieldError[] = [];
      checkCommand(problems, "", body);
      if (problems.length > 0)
        throw invalidForm(problems.map((p) => ({ ...p, path: p.path.replace(/^\./, "") })));
      const i = cmds.findIndex((e) => sameCommand(e, body));
      const cmd = normalize(core, body, cmds[i], guildId);
      if (i === -1) cmds.push(cmd);
      else cmds[i] = cmd;
      core.changed();
      return reply(i === -1 ? 201 : 200, cmd);
    });

    r.add("GET", `${base}/commands/:commandId`, ({ core, params }) => {
      const cmd = list(core, params).cmds.find((c) => c.id === params.commandId);
      if (!cmd) throw unknownCommand();
      return cmd;
    });

    r.add("PATCH", `${base}/commands/:commandId`, ({ core, params, body }) => {
      const { cmds, guildId } = list(core, params);
      const i = cmds.findIndex((c) => c.id === params.commandId);
      const old = cmds[i];
      if (!old) throw unknownCommand();
      const merged = { ...old, ...body };
      const problems: FieldError[] = [];
      checkCommand(problems, "", merged);
      if (problems.length > 0)
        throw invalidForm(problems.map((p) => ({ ...p, path: p.path.replace(/^\./, "") })));
      cmds[i] = normalize(core, merged, old, guildId);
      core.changed();
      return cmds[i] as CommandRec;
    });

    r.add("DELETE", `${base}/commands/:commandId`, ({ core, params }) => {
      const { cmds } = list(core, params);
      const i = cmds.findIndex((c) => c.id === params.commandId);
      if (i === -1) throw unknownCommand();
      cmds.splice(i, 1);
      core.changed();
      return noContent();
    });
  }
}
