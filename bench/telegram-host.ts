// Where the CPU went during a phase of `npm run bench:telegram`: this process (bots, fake Bot
// API, load generator), Redis, and everything else on the machine (noise from other work, which
// makes a run less trustworthy). Linux /proc/stat for the machine; elsewhere "others" is n/a.

import { readFileSync } from "node:fs";
import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import type { Redis } from "ioredis";

export interface CpuSample {
  at: number;
  proc: NodeJS.CpuUsage;
  /** Redis's used_cpu_user + used_cpu_sys, seconds. */
  redis: number;
  /** Machine busy time, seconds (undefined without /proc/stat). */
  machineBusy: number | undefined;
}

/** CPU used between two samples, in % of one core. */
export interface CpuUse {
  node: number;
  redis: number;
  others: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already in user)
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f;
    return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  try {
    const info = await redis.info("cpu");
    const get = (k: string) => Number(new RegExp(`^${k}:(\\S+)`, "m").exec(info)?.[1] ?? 0);
    return get("used_cpu_user") + get("used_cpu_sys");
  } catch {
    return Number.NaN;
  }
}

export async function sampleCpu(redis: Redis): Promise<CpuSample> {
  return {
    at: performance.now(),
    proc: process.cpuUsage(),
    redis: await redisCpuSeconds(redis),
    machineBusy: machineBusySeconds(),
  };
}

export function cpuBetween(a: CpuSample, b: CpuSample): CpuUse {
  const wall = (b.at - a.at) / 1000;
  const node = (b.proc.user - a.proc.user + b.proc.system - a.proc.system) / 1e6;
  const redis = b.redis - a.redis;
  const machine =
    a.machineBusy !== undefined && b.machineBusy !== undefined
      ? b.machineBusy - a.machineBusy
      : Number.NaN;
  const pct = (s: number) => (wall > 0 ? (s / wall) * 100 : Number.NaN);
  return {
    node: pct(node),
    redis: pct(redis),
    others: pct(Math.max(0, machine - node - redis)),
  };
}

/**
 * Accumulates CPU use and event-loop delay over one or more runs (segments) of a phase.
 * Event-loop delay shows how long ready work waited for this process's single thread.
 */
export class Meter {
  private node = 0;
  private redis = 0;
  private machine = 0;
  private wall = 0;
  private loopP99 = Number.NaN;
  private loopMax = Number.NaN;

  async run<T>(redis: Redis, fn: () => Promise<T>): Promise<T> {
    const a = await sampleCpu(redis);
    // A fresh histogram per run: a re-enabled one would count the pause between runs as delay.
    const loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    try {
      return await fn();
    } finally {
      loop.disable();
      if (loop.count > 0) {
        this.loopP99 = Math.max(loop.percentile(99) / 1e6, this.loopP99 || 0);
        this.loopMax = Math.max(loop.max / 1e6, this.loopMax || 0);
      }
      const b = await sampleCpu(redis);
      const use = cpuBetween(a, b);
      const wall = (b.at - a.at) / 1000;
      this.wall += wall;
      this.node += (use.node / 100) * wall;
      this.redis += (use.redis / 100) * wall;
      this.machine += (use.others / 100) * wall;
    }
  }

  get cpu(): CpuUse {
    const pct = (s: number) => (this.wall > 0 ? (s / this.wall) * 100 : Number.NaN);
    return { node: pct(this.node), redis: pct(this.redis), others: pct(this.machine) };
  }

  /** Event-loop delay, ms: the worst run's p99, and the max. */
  get loopDelay(): { p99: number; max: number } {
    return { p99: this.loopP99, max: this.loopMax };
  }
}
