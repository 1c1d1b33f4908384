/**
 * Reads the key out of an `Authorization: Bearer <key>` header. Returns null
 * when the header is absent; a header in another scheme or without a key is
 * treated like a missing one, so the caller answers UNAUTHENTICATED either way.
 */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match ? match[1]! : null;
}
