// The composition root's list of platforms: everything that plugs a platform into Frontline.
// src/ never imports from here; bin/ and embedding applications pass these plugins in.
import type { ChannelPlugin } from "../src/index.ts";
import { telegramPlugin } from "./telegram/index.ts";

export const plugins: readonly ChannelPlugin[] = [telegramPlugin as ChannelPlugin];
