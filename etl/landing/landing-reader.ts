import { isUtf8 } from 'node:buffer';
import type { Column } from '../tables';
import { ConsentDoubt } from './consent-doubt';
import { KEPT_TEXT_BUDGET } from './named-addresses';
import { OverlongEmails } from './overlong-line';
import { CARRIAGE_RETURN, DEFAULT_MAX_LINE_BYTES, LINE_FEED, REASONS, isFieldReason, isJsonWhitespace } from './landing-rules';
import { FastRecord } from './fast-record';
import { fileStartReason } from './file-starts';
import { type FieldValue, RecordSchema } from './record-schema';
import { type Overlong, ReadBuffer, forEachBlock } from './landing-blocks';
import { BLANK, lastBeyondDeclared, lastBeyondText, parseRecord } from './strict-record';
import { LandingReadError } from './landing-read-error';

/**
 * The one landing reader: the build and the consent registry read every
 * landing line through it, so they cannot disagree about a line. Files are
 * streamed in chunks, split on `\n` only, checked as UTF-8 and parsed once.
 */

export interface QuarantinedLine {
  sourceFile: string;
  lineNumber: number;
  reason: string;
  /** The line as written (invalid UTF-8 shown as U+FFFD; the exact bytes are in lineBase64). */
  line: string;
  lineBase64?: string;
  /** Only the first maxLineBytes of a too-long line are kept. */
  truncated?: true;
}

export interface LandingSink {
  /** One accepted record; `values` is reused, so copy what you keep. */
  accept(values: readonly FieldValue[]): void;
  quarantine(line: QuarantinedLine): void;
}

export interface LandingTally {
  /** Every line in the files: accepted + quarantined + blank. */
  lines: number;
  accepted: number;
  quarantined: number;
  blank: number;
  /** Customer source only: emails whose consent a quarantined line makes uncertain. */
  uncertain: string[];
  /** Customer source only: the devices customers' older records name that a bad line puts in doubt (consent-doubt.ts heldInDoubt). */
  heldInDoubt?: Array<{ email: string; device: string }>;
}

export interface ReadOptions {
  maxLineBytes?: number;
  /** Read consent doubt (the customer source). */
  consentDoubt?: boolean;
  /** Text the consent-doubt searches keep at most, beyond which every customer counts as named (default KEPT_TEXT_BUDGET). */
  doubtTextBytes?: number;
}

/** The read options the build and the consent registry must share, so they judge every landing line alike. */
export type LandingLimits = Pick<ReadOptions, 'maxLineBytes' | 'doubtTextBytes'>;

export async function readLanding(files: readonly string[], columns: readonly Column[], sink: LandingSink, options: ReadOptions = {}): Promise<LandingTally> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const schema = new RecordSchema(columns);
  const values: FieldValue[] = new Array(columns.length).fill(null);
  const tally: LandingTally = { lines: 0, accepted: 0, quarantined: 0, blank: 0, uncertain: [] };
  const doubt = options.consentDoubt ? new ConsentDoubt(options.doubtTextBytes ?? KEPT_TEXT_BUDGET) : undefined;
  const emailAt = schema.index.get('email');
  const updatedAt = schema.index.get('lastUpdateDate');
  const serialAt = schema.index.get('serialNumber');
  const common = new FastRecord(schema);
  const reads = new ReadBuffer();

  for (const file of files) {
    let lineNumber = 0;
    // A bad line starting as a compressed file (or UTF-16 text) does is said so, whatever else is wrong with it, and so is
    // every later bad line of the file, its bytes too (file-starts.ts). Clean lines never come here.
    let fileReason: string | undefined;
    const reasonOf = (start: string, otherwise: string): string => {
      const own = fileStartReason(start);
      if (own !== undefined) fileReason ??= own;
      return own ?? fileReason ?? otherwise;
    };
    const quarantine = (reason: string, line: string, extra: Partial<QuarantinedLine> = {}): void => {
      tally.quarantined += 1;
      doubt?.quarantined(line, isFieldReason(reason) ? (values[updatedAt!] as number | null) : null);
      sink.quarantine({ sourceFile: file, lineNumber, reason: reasonOf(line, reason), line, ...extra });
    };
    /** A line over the limit: its first maxLineBytes are kept, and doubt reads the emails of all of it. */
    const quarantineOverlong = (prefix: Buffer, emails: OverlongEmails | undefined): void => {
      tally.quarantined += 1;
      // Its first bytes say whether it starts as a compressed file or UTF-16 text does (file-starts.ts).
      const start = prefix.subarray(0, 16).toString();
      if (emails) doubt?.quarantinedOverlong(emails, start);
      sink.quarantine({ sourceFile: file, lineNumber, reason: reasonOf(start, REASONS.tooLong(maxLineBytes)), line: prefix.toString(), truncated: true });
    };
    /** One line: `b[start, stop)`, without its line end, valid UTF-8; `declined`: the common shape's reader declined it already. */
    const line = (b: Buffer, start: number, stop: number, declined: boolean): void => {
      lineNumber += 1;
      tally.lines += 1;
      if (stop > start && b[stop - 1] === CARRIAGE_RETURN) stop -= 1;
      if (stop - start > maxLineBytes) return tooLong(b.subarray(start, stop));
      // The common shape first, from the bytes; every other line, and every line it declines, the strict parser decides.
      let result: ReturnType<typeof parseRecord> = null;
      let text: string | undefined;
      if (declined || !common.read(b, start, stop, values)) {
        text = b.toString('utf8', start, stop);
        result = parseRecord(text, 0, text.length, schema, values);
      }
      // A record with keys beyond the declared fields (never of the common shape): those members are searched as a bad line is.
      if (result === null) accept(text !== undefined && lastBeyondDeclared() ? lastBeyondText(text) : undefined);
      else if (result === BLANK) tally.blank += 1;
      else quarantine(result, text!);
    };
    const accept = (beyondDeclared?: string): void => {
      tally.accepted += 1;
      if (doubt) doubt.accepted(values[emailAt!] as string, values[updatedAt!] as number, values[serialAt!] as string, beyondDeclared);
      sink.accept(values);
    };
    const tooLong = (body: Buffer): void => {
      if (body.every(isJsonWhitespace)) return void (tally.blank += 1);
      const emails = doubt && new OverlongEmails(maxLineBytes);
      emails?.push(body);
      quarantineOverlong(body.subarray(0, maxLineBytes), emails);
    };
    /** Complete lines in `bytes` (every one ends in \n, except perhaps at the end of the file). */
    const block = (bytes: Buffer): void => {
      if (isUtf8(bytes)) return lines(bytes);
      for (let at = 0; at <= bytes.length; ) {
        let next = bytes.indexOf(LINE_FEED, at);
        if (next < 0) next = bytes.length;
        const part = bytes.subarray(at, next);
        if (isUtf8(part)) lines(part);
        else {
          lineNumber += 1;
          tally.lines += 1;
          const body = part.length > 0 && part[part.length - 1] === CARRIAGE_RETURN ? part.subarray(0, -1) : part;
          if (body.length > maxLineBytes) tooLong(body);
          else quarantine(REASONS.invalidUtf8, body.toString(), { lineBase64: body.toString('base64') });
        }
        at = next + 1;
      }
    };
    /**
     * Valid UTF-8 of whole lines: n line feeds separate n + 1 lines (a multi-byte character never holds the byte \n).
     * A line of the common shape is read in the same pass that finds its end; only the others are searched for it.
     */
    const lines = (bytes: Buffer): void => {
      const limit = bytes.length;
      for (let at = 0; ; ) {
        const end = common.readLine(bytes, at, limit, values);
        if (end >= 0 && end - at <= maxLineBytes) {
          lineNumber += 1;
          tally.lines += 1;
          accept();
          if (end === limit) return;
          at = end + 1;
          continue;
        }
        // Declined, or too long once its end is known: the line as a whole decides.
        const next = bytes.indexOf(LINE_FEED, at);
        if (next < 0) return line(bytes, at, limit, end < 0);
        line(bytes, at, next, end < 0);
        at = next + 1;
      }
    };
    // A line that outgrows every chunk streams by in parts; doubt reads its emails from each.
    let emails: OverlongEmails | undefined;
    const overlong: Overlong = {
      part: (bytes) => {
        if (doubt) (emails ??= new OverlongEmails(maxLineBytes)).push(bytes);
      },
      end: (prefix, allBlank) => {
        lineNumber += 1;
        tally.lines += 1;
        if (allBlank) tally.blank += 1;
        else quarantineOverlong(prefix, emails);
        emails = undefined;
      },
    };
    // A filesystem refusal of what the sink writes (a full disk under the quarantine or the landing Parquet) is the
    // lake's to say, not this file's; Node's system errors quote no line. Any other sink error is wrapped: it might.
    let kept: unknown;
    const keeping = <A extends unknown[]>(step: (...args: A) => void) => (...args: A): void => {
      try {
        step(...args);
      } catch (error) {
        kept = error;
        throw error;
      }
    };
    try {
      await forEachBlock(file, reads, maxLineBytes, keeping(block), { part: keeping(overlong.part), end: keeping(overlong.end) });
    } catch (error) {
      if (error === kept && typeof (error as NodeJS.ErrnoException).syscall === 'string') throw error;
      throw new LandingReadError(file, lineNumber, error);
    }
  }
  tally.uncertain = doubt?.uncertain() ?? [];
  if (doubt) tally.heldInDoubt = doubt.heldInDoubt();
  return tally;
}
