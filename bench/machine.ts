import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';

/** What the figures were measured on: absolute times only mean something next to this. */
export interface MachineInfo {
  date: string;
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  memoryGiB: number;
  platform: string;
  node: string;
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
  };
}

export const machineLine = (m: MachineInfo): string =>
  `${m.date.slice(0, 10)} · ${m.cores} cores (${m.cpuModel}) · ${m.memoryGiB} GiB · ${m.platform} · Node ${m.node}`;
