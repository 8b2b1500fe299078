// Slash commands: the flows' command menu (localized descriptions) for customers, plus
// /support, registered per server so they appear at once, and globally for DMs; the desk's
// agent commands registered only in the staff server.
import type { REST } from "@discordjs/rest";
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ApplicationIntegrationType,
  InteractionContextType,
  type RESTPutAPIApplicationCommandsJSONBody,
  Routes,
} from "discord-api-types/v10";
import type { Logger } from "pino";
import type { AdapterContext } from "../../src/index.ts";
import { discordLocalesFor } from "./format.ts";

type CommandBody = RESTPutAPIApplicationCommandsJSONBody[number];

/** Agent commands that take words after them. */
const TAKES_TEXT = new Set(["transfer", "alias", "note", "block", "unblock"]);
const NAME = /^[-_\p{Ll}\p{N}]{1,32}$/u;

function clip(text: string): string {
  const t = text.trim() || "—";
  return t.length <= 100 ? t : `${t.slice(0, 99)}…`;
}

function textOption(description: string) {
  return [
    {
      type: ApplicationCommandOptionType.String,
      name: "text",
      description: clip(description),
      required: false,
    },
  ];
}

export function customerCommands(
  context: Pick<AdapterContext, "commandMenus" | "text" | "locales">,
  contexts: InteractionContextType[],
): CommandBody[] {
  const [base, ...localized] = context.commandMenus;
  const commands = (base?.commands ?? []).filter((c) => NAME.test(c.command));
  const bodies: CommandBody[] = commands.map((c) => {
    const description_localizations: Record<string, string> = {};
    for (const menu of localized) {
      const own = menu.commands.find((m) => m.command === c.command);
      if (!own || !menu.locale) continue;
      for (const l of discordLocalesFor(menu.locale))
        description_localizations[l] = clip(own.description);
    }
    return {
      type: ApplicationCommandType.ChatInput,
      name: c.command,
      description: clip(c.description),
      description_localizations,
      contexts,
      integration_types: [ApplicationIntegrationType.GuildInstall],
      ...(c.command === "start" || c.command === "help"
        ? {}
        : { options: textOption(c.description) }),
    } as CommandBody;
  });
  if (!commands.some((c) => c.command === "support")) {
    const description_localizations: Record<string, string> = {};
    for (const locale of context.locales.slice(1))
      for (const l of discordLocalesFor(locale))
        description_localizations[l] = clip(context.text("supportPanelButton", locale));
    bodies.push({
      type: ApplicationCommandType.ChatInput,
      name: "support",
      description: clip(context.text("supportPanelButton", context.locales[0])),
      description_localizations,
      contexts,
      integration_types: [ApplicationIntegrationType.GuildInstall],
    } as CommandBody);
  }
  return bodies;
}

export function agentCommands(context: Pick<AdapterContext, "agentCommands">): CommandBody[] {
  return context.agentCommands
    .filter((c) => NAME.test(c.command))
    .map(
      (c) =>
        ({
          type: ApplicationCommandType.ChatInput,
          name: c.command,
          description: clip(c.description),
          contexts: [InteractionContextType.Guild],
          integration_types: [ApplicationIntegrationType.GuildInstall],
          ...(TAKES_TEXT.has(c.command) ? { options: textOption(c.description) } : {}),
        }) as CommandBody,
    );
}

/** Registers the commands; failures are logged (typed "/commands" still work in DMs). */
export async function registerCommands(opts: {
  rest: REST;
  applicationId: string;
  guildIds: string[];
  staffGuildId: string | undefined;
  context: AdapterContext;
  logger?: Logger;
}): Promise<void> {
  const { rest, applicationId, context, logger } = opts;
  const run = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      logger?.warn({ err: String(err), what }, "could not register Discord slash commands");
    }
  };
  await run("global (DMs)", () =>
    rest.put(Routes.applicationCommands(applicationId), {
      body: customerCommands(context, [InteractionContextType.BotDM]),
    }),
  );
  for (const guildId of opts.guildIds) {
    const forCustomers = customerCommands(context, [InteractionContextType.Guild]);
    const forAgents = guildId === opts.staffGuildId ? agentCommands(context) : [];
    // One name, one command: in the staff server the agent's meaning wins (a customer's
    // "/close" in a support thread still arrives as the customer's command).
    const names = new Set(forAgents.map((c) => c.name));
    const body = [...forCustomers.filter((c) => !names.has(c.name)), ...forAgents];
    await run(`guild ${guildId}`, () =>
      rest.put(Routes.applicationGuildCommands(applicationId, guildId), { body }),
    );
  }
}
