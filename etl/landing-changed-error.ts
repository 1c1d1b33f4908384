import { terminalText } from './terminal-text';

/** How a landing file changed between the build listing it and finishing its read. */
export type LandingChange = 'removed' | 'replaced' | 'cut short' | 'appended to' | 'changed in place';

const changedWhileRead = (file: string, change: LandingChange): string => `landing file ${terminalText(file)} was ${change} while the build read it`;

/**
 * A landing file changed while a build read it: what was read may be half of it, or a mix of two contents no
 * landing ever held (a revocation at its end lost), so no version is built from it. `builds`: how many builds in a
 * row saw a change (each later one reads the files as they are then).
 */
export class LandingChangedError extends Error {
  constructor(
    readonly file: string,
    readonly change: LandingChange,
    readonly builds = 1,
  ) {
    const times = builds > 1 ? `, in each of ${builds} builds in a row` : '';
    super(
      `${changedWhileRead(file, change)}${times}; the previous version stays live. ` +
        'Build again once its writer has finished (a producer should write a landing file as .<name>.part, which no build reads, then rename it to <name>)',
    );
    this.name = 'LandingChangedError';
  }

  /** What changed, without the fix: `landing file <file> was <change> while the build read it`. */
  get what(): string {
    return changedWhileRead(this.file, this.change);
  }
}

/** The landing changed error, known by name: a rebuild's failure crosses a process boundary as its name and message. */
export const isLandingChanged = (error: unknown): error is Error => error instanceof Error && error.name === 'LandingChangedError';
