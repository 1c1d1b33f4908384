/** Keys noted until a time, each taken once; past `max` notes the oldest is forgotten. */
export class OnceMarks {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly now: () => number,
  ) {}

  mark(key: string, forMs: number): void {
    this.until.delete(key);
    this.until.set(key, this.now() + forMs);
    if (this.until.size > this.max) this.until.delete(this.until.keys().next().value as string);
  }

  /** Whether `key` is noted and its time not past (the note goes either way). */
  take(key: string): boolean {
    const until = this.until.get(key);
    this.until.delete(key);
    return until !== undefined && until > this.now();
  }
}
