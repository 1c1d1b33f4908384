import type { Command } from 'commander';

export function registerGenerate(_cli: Command): void {
  // Filled in with the sample-data generator.
}
