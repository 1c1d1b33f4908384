import 'reflect-metadata';
import { loadApiKeys } from '../src/auth/api-keys';
import { serve } from '../src/commands/serve.command';
import { loadConfig } from '../src/config';

/**
 * Child process serving a lake exactly as `stedi serve` does, on a loopback
 * port the OS picks; keys come from STEDI_API_KEYS as for any server. Tells
 * the bench its URL, answers memory questions, and shuts down on SIGTERM.
 */
async function main(): Promise<void> {
  const [lake, landing] = process.argv.slice(2);
  const config = loadConfig({ lake, landing, host: '127.0.0.1', port: 0 });
  const running = await serve(config, loadApiKeys(config));
  process.on('message', (message: { type?: string }) => {
    if (message.type === 'memory') process.send?.({ type: 'memory', ...process.memoryUsage() });
  });
  // The IPC channel must not keep the process alive once the server has shut down.
  process.channel?.unref();
  process.send?.({ type: 'listening', url: running.url });
}

main().catch((error: unknown) => {
  process.send?.({ type: 'error', error: (error as Error).stack ?? String(error) }, () => process.exit(1));
});
