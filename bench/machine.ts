import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';

/** What the figures were measured on: absolute times only mean something next to this. */
export interface MachineInfo {
  date: string;
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  memoryGiB: number;
  platform: string;
  node: string;
  /** 1-minute load average when the run started and ended: above the core count, other work shared the machine. */
  loadAverage: { start: number; end?: number };
}

export function describeMachine(now: Date = new Date()): MachineInfo {
  const memoryBytes = totalmem();
  return {
    date: now.toISOString(),
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryBytes,
    memoryGiB: Math.round((memoryBytes / 2 ** 30) * 10) / 10,
    platform: `${platform()} ${release()}`,
    node: process.version,
    loadAverage: { start: Math.round(loadavg()[0] * 100) / 100 },
  };
}

/** The load average now, to record at the end of a run. */
export const currentLoad = (): number => Math.round(loadavg()[0] * 100) / 100;

export const machineLine = (m: MachineInfo): string =>
  `${m.date.slice(0, 10)} · ${m.cores} cores (${m.cpuModel}) · ${m.memoryGiB} GiB · ${m.platform} · Node ${m.node} · load average ${m.loadAverage.start}${m.loadAverage.end === undefined ? '' : ` → ${m.loadAverage.end}`}`;
