// Private: what to do about the refusals an operator can fix.
const READ_FIXES: Record<string, string> = {
  EACCES: 'give the user stedi runs as read access to it, or move it out of the landing folder',
  EPERM: 'give the user stedi runs as read access to it, or move it out of the landing folder',
  ENOENT: 'it was removed while the build read the landing folder; build again',
  ENOTREG: 'it was replaced by a pipe, socket or device while the build read the landing folder; put the file back, or move it out of the landing folder',
};

/** A landing file that could not be read to the end: names the file and line, never their content. */
export class LandingReadError extends Error {
  constructor(
    readonly file: string,
    readonly lineNumber: number,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException)?.code ?? (cause as Error)?.name ?? 'error';
    const fix = READ_FIXES[code];
    super(`landing file ${file} could not be read past line ${lineNumber} (${code})${fix ? `: ${fix}` : ''}`, { cause });
    this.name = 'LandingReadError';
  }
}
