import { createLogger } from '../src/logger';

/** What one log line looks like on stdout. */
function logged(readable: boolean): string {
  let out = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  try {
    createLogger('info', readable).info({ apiKey: 'secret-key-0123456789', rows: 3 }, 'built');
  } finally {
    write.mockRestore();
  }
  return out;
}

describe('server logs', () => {
  it('are one JSON object per line for a log collector, with keys redacted', () => {
    const line = JSON.parse(logged(false));
    expect(line).toMatchObject({ level: 30, msg: 'built', rows: 3, apiKey: '[redacted]', service: 'stedi-lakehouse' });
  });

  it('are readable lines on a terminal, written before the next statement runs, with keys redacted', () => {
    const text = logged(true);
    expect(() => JSON.parse(text)).toThrow();
    expect(text).toMatch(/INFO.*built/);
    expect(text).not.toContain('secret-key');
  });
});
