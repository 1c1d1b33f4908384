import { serverUrl } from '../../src/http/server-url';

describe('the URL a listening server says it is at', () => {
  it('names a wildcard listen address (0.0.0.0, ::) as localhost', () => {
    expect(serverUrl('0.0.0.0', 4000)).toBe('http://localhost:4000');
    expect(serverUrl('::', 4000)).toBe('http://localhost:4000');
  });

  it('keeps any other host, an IPv6 address in brackets', () => {
    expect(serverUrl('127.0.0.1', 4100)).toBe('http://127.0.0.1:4100');
    expect(serverUrl('stedi.internal', 80)).toBe('http://stedi.internal:80');
    expect(serverUrl('::1', 4000)).toBe('http://[::1]:4000');
  });
});
