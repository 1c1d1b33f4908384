import { hostileBody } from './hostile-documents';

/**
 * Child process of benchmark 10: the hostile client, in its own process as a
 * second client would be, so the work of making its documents and reading its
 * answers is not done on the event loop that times the small queries. Sends
 * hostile requests one after another from `{ type: 'start', url, key }` until
 * `{ type: 'stop' }`, then answers `{ type: 'stopped', sent, serverErrors }`.
 */

interface Start {
  type: 'start';
  url: string;
  key: string;
}

let stopped = false;

async function stream({ url, key }: Start): Promise<void> {
  let sent = 0;
  let serverErrors = 0;
  while (!stopped) {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: hostileBody(sent),
    });
    await res.arrayBuffer();
    sent += 1;
    if (res.status >= 500) serverErrors += 1;
  }
  process.send?.({ type: 'stopped', sent, serverErrors });
}

process.on('message', (message: Start | { type: 'stop' }) => {
  if (message.type === 'stop') stopped = true;
  else
    stream(message).catch((error: unknown) => {
      process.send?.({ type: 'error', error: (error as Error).stack ?? String(error) });
    });
});
process.send?.({ type: 'ready' });
