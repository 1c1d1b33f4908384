import { terminalText } from './terminal-text';

/** How a landing file changed between the build listing it and finishing its read. */
export type LandingChange = 'removed' | 'replaced' | 'cut short' | 'appended to' | 'changed in place';

const changedWhileRead = (file: string, change: LandingChange): string => `landing file ${terminalText(file)} was ${change} while it was read`;

/**
 * A landing file changed while a build (or the consent registry) read it: what was read may be half of it, or a mix
 * of two contents no landing ever held (a revocation at its end lost), so no version or consent is decided from it. `builds`: how many builds in a
 * row saw a change (each later one reads the files as they are then).
 */
export class LandingChangedError extends Error {
  constructor(
    readonly file: string,
    readonly change: LandingChange,
    readonly builds = 1,
  ) {
    const fix = '(a producer should write a landing file as .<name>.part, which no build reads, then rename it to <name>)';
    super(
      builds > 1
        ? `${changedWhileRead(file, change)}, in each of ${builds} builds in a row; the previous version stays live. Build again once its writer has finished ${fix}`
        : `${changedWhileRead(file, change)}, so nothing is decided from that read; once its writer has finished it is read whole ${fix}`,
    );
    this.name = 'LandingChangedError';
  }

  /** What changed, without the fix: `landing file <file> was <change> while it was read`. */
  get what(): string {
    return changedWhileRead(this.file, this.change);
  }
}

/** The landing changed error, known by name: a rebuild's failure crosses a process boundary as its name and message. */
export const isLandingChanged = (error: unknown): error is Error => error instanceof Error && error.name === 'LandingChangedError';
