// Diagnostic only: per-stage timing of Frontline at a fixed rate.
import { Redis } from "ioredis";
import { IntentRouter } from "../src/engine/router.ts";
import { loadFlows } from "../src/flows/load.ts";
import { FakeTelegram } from "../test/fakes/telegram/index.ts";
import { dropPrefix } from "../test/support/redis.ts";
import { startTelegramBot } from "../test/support/telegram-bot.ts";
import { fixedRate, latencyStats, makeCustomers, burst } from "./telegram-load.ts";
import { UNPACED } from "./telegram-bots.ts";
const loaded = loadFlows("flows");
if (!loaded.ok) throw new Error("bad flows");
const flows = loaded.flowSet;
const router = new IntentRouter(flows);
const redis = new Redis("redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
const fake = await FakeTelegram.start({ recordCalls: false });
const prefix = `flbench:probe${Date.now()}:`;
const bot = await startTelegramBot({ fake, redis, prefix, flows, router, channelLimits: UNPACED });
const pushAt = new Map<number, number>();
const origSend = fake.sendUserMessage.bind(fake);
(fake as any).sendUserMessage = (u: any, t: string) => { const m = origSend(u, t); return m; };
const st: Record<string, number[]> = { poll: [], recorded: [], engineStart: [], engineDone: [], deliver: [], sent: [] };
const byKey = new Map<string, number>(); // idempotencyKey -> push time
const a: any = bot.adapter;
const svc: any = bot.service;
const upd = fake as any;
// map update_id -> push time via fake.pushUpdate? use core.updates.push wrapper
const core = (fake as any).core;
const origPush = core.updates.push.bind(core.updates);
core.updates.push = (body: any) => { const u = origPush(body); byKey.set(`tg:${fake.botInfo.id}:${u.update_id}`, performance.now()); return u; };
const origHandle = a.handleUpdate.bind(a);
a.handleUpdate = async (u: any) => { const k = `tg:${fake.botInfo.id}:${u.update_id}`; st.poll.push(performance.now() - (byKey.get(k) ?? 0)); const r = await origHandle(u); st.recorded.push(performance.now() - (byKey.get(k) ?? 0)); return r; };
const origEng = svc.engine.handle.bind(svc.engine);
svc.engine.handle = async (e: any) => { const t = byKey.get(e.idempotencyKey) ?? 0; st.engineStart.push(performance.now() - t); const r = await origEng(e); st.engineDone.push(performance.now() - t); return r; };
const origEnq = svc.outbox.enqueue.bind(svc.outbox);
const itemKey = new Map<string, number>();
svc.outbox.enqueue = async (id: string, addr: any, m: any) => { itemKey.set(addr.chatId, 0); return origEnq(id, addr, {...m, text: m.text + "\u200b" + id}); };
const ch: any = a.channel;
const origCs = ch.send.bind(ch);
ch.send = async (addr: any, m: any) => { const id = m.text.split("\u200b")[1].split(":").slice(0,3).join(":"); const t = byKey.get(id) ?? 0; st.deliver.push(performance.now() - t); const r = await origCs(addr, {...m, text: m.text.split("\u200b")[0]}); st.sent.push(performance.now() - t); return r; };
const cs = makeCustomers(fake, 1000, 200);
await burst(fake, cs, 3, "/help", 30000);
for (const k of Object.keys(st)) st[k] = [];
const mode = process.env.MODE ?? "rate";
const r = mode === "rate" ? await fixedRate(fake, makeCustomers(fake, 5000, 200), Number(process.env.RATE ?? 200), 8, "/help", 30000) : await burst(fake, cs, 10, "/help", 30000);
console.log(JSON.stringify(r.latency), JSON.stringify((r as any).check));
for (const [k, v] of Object.entries(st)) { const s = latencyStats(v); console.log(k.padEnd(12), `p50 ${s.p50.toFixed(1)} p95 ${s.p95.toFixed(1)} p99 ${s.p99.toFixed(1)} n ${s.n}`); }
await bot.stop(); await fake.close(); await dropPrefix(redis, prefix); await redis.quit();
process.exit(0);
