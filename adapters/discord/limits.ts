// Discord's message limits, known before any connection (the validator checks flows against
// them). Apart from the adapter so the plugin can name them without loading discord.js.
import type { ChannelLimits } from "../../src/index.ts";

/** 2,000-character messages, 25 buttons (5 rows × 5), 100-character custom_id, 100-character
 * thread names, 10 MB uploads (the limit for bots in servers without boosts). */
export const DISCORD_LIMITS: ChannelLimits = {
  textLength: 2_000,
  buttons: 25,
  payloadBytes: 100,
  titleLength: 100,
  uploadBytes: 10 * 1024 * 1024,
};
