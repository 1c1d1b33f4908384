/** An AWS SDK error as one short line for a message: its name and the first line of its text. */
export function awsErrorText(error: unknown): string {
  const e = error as { name?: string; Code?: string; message?: string } | undefined;
  const name = e?.name && e.name !== 'Error' ? e.name : (e?.Code ?? 'error');
  const text = (e?.message ?? String(error)).split('\n')[0].trim();
  return text && text !== name ? `${name}: ${text}` : name;
}
