/**
 * CPU and memory of Chromium's processes and of single targets, over CDP, for the benchmarks.
 *
 * - Processes: `SystemInfo.getProcessInfo` (pid, type, cumulative CPU seconds of all threads),
 *   classified by their command line in /proc: the extension's renderer carries
 *   `--extension-process` (it hosts the offscreen document, its AudioWorklet thread, and the
 *   service worker); other renderers host web pages. Resident memory is read from /proc too.
 * - Targets: `Performance.getMetrics` in a flat session (main-thread TaskDuration, JS heap).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { getTargets, type CdpClient, type TargetInfo } from '../testkit/browser/cdp-client';

export type ProcessRole = 'extension' | 'page' | 'browser ui' | 'browser' | 'gpu' | 'audio' | 'network' | 'other';

export interface ProcessSample {
  pid: number;
  type: string;
  role: ProcessRole;
  cpuSeconds: number;
  /** Resident set size, bytes (null when /proc cannot be read). */
  rssBytes: number | null;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

function rssBytes(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function roleOf(type: string, cmdline: string): ProcessRole {
  if (type === 'browser') return 'browser';
  if (type === 'GPU') return 'gpu';
  if (/audio/i.test(type) || cmdline.includes('utility-sub-type=audio')) return 'audio';
  if (/network/i.test(type)) return 'network';
  if (type === 'renderer') {
    if (cmdline.includes('--extension-process')) return 'extension';
    if (cmdline.includes('--top-chrome-webui')) return 'browser ui';
    return 'page';
  }
  return 'other';
}

export async function sampleProcesses(cdp: CdpClient): Promise<ProcessSample[]> {
  const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as {
    processInfo: { type: string; id: number; cpuTime: number }[];
  };
  return processInfo.map((info) => ({
    pid: info.id,
    type: info.type,
    role: roleOf(info.type, commandLine(info.id)),
    cpuSeconds: info.cpuTime,
    rssBytes: rssBytes(info.id),
  }));
}

export interface RoleUsage {
  role: ProcessRole;
  processes: number;
  /** CPU time over the interval as a share of one core, percent. */
  cpuPercent: number;
  /** RSS at the end of the interval, bytes (summed over the role's processes). */
  rssBytes: number;
}

/** CPU share per role between two samples taken `wallSeconds` apart (processes matched by pid). */
export function usageBetween(before: readonly ProcessSample[], after: readonly ProcessSample[], wallSeconds: number): RoleUsage[] {
  const earlier = new Map(before.map((p) => [p.pid, p.cpuSeconds]));
  const byRole = new Map<ProcessRole, RoleUsage>();
  for (const process of after) {
    const usage = byRole.get(process.role) ?? { role: process.role, processes: 0, cpuPercent: 0, rssBytes: 0 };
    usage.processes++;
    usage.cpuPercent += ((process.cpuSeconds - (earlier.get(process.pid) ?? 0)) / wallSeconds) * 100;
    usage.rssBytes += process.rssBytes ?? 0;
    byRole.set(process.role, usage);
  }
  return [...byRole.values()];
}

export interface AttachedTarget {
  target: TargetInfo;
  sessionId: string;
  metrics(): Promise<Record<string, number>>;
}

/** Attaches (flat) to the first target matching `match` and enables its Performance domain. */
export async function attachTarget(cdp: CdpClient, match: (target: TargetInfo) => boolean): Promise<AttachedTarget | null> {
  const target = (await getTargets(cdp)).find(match);
  if (!target) return null;
  const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: true })) as { sessionId: string };
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' }, sessionId).catch(() => cdp.send('Performance.enable', {}, sessionId));
  return {
    target,
    sessionId,
    async metrics() {
      const { metrics } = (await cdp.send('Performance.getMetrics', {}, sessionId)) as { metrics: { name: string; value: number }[] };
      return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
    },
  };
}

export const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

/** Linux clock ticks per second for /proc stat times (USER_HZ; 100 on every mainstream kernel). */
const CLOCK_TICKS = 100;

/** CPU seconds per thread name of one process, from /proc/<pid>/task (Linux only; empty elsewhere). */
export function threadTimes(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // "tid (name) state ..." : the name may hold spaces, so split after the last ')'.
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
      byName.set(name, (byName.get(name) ?? 0) + seconds);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return byName;
}

/** % of one core per thread name between two threadTimes() readings, largest first. */
export function threadUsage(before: Map<string, number>, after: Map<string, number>, wallSeconds: number): { name: string; cpuPercent: number }[] {
  return [...after]
    .map(([name, seconds]) => ({ name, cpuPercent: ((seconds - (before.get(name) ?? 0)) / wallSeconds) * 100 }))
    .filter((t) => t.cpuPercent > 0)
    .sort((a, b) => b.cpuPercent - a.cpuPercent);
}
