import type { Command } from 'commander';

export function registerServe(_cli: Command): void {
  // Filled in with the GraphQL server.
}
