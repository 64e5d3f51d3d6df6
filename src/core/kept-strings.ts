import { ownString } from '../model/source.js';

/**
 * One copy of each text a scan's findings keep. Findings repeat their wording
 * (one rule, one message, on many steps and files): at 12,428 files, 74,293
 * findings carried 7.2 MB of messages in only 4,174 distinct texts. Each
 * text kept is owned (see `ownString`), so no file's text stays alive through it.
 *
 * Bounded in count and in characters, and long texts (which quote the user's
 * own) are owned but not shared: a caller that reuses one set of options for
 * many scans cannot grow the table without end.
 */
export class KeptStrings {
  private readonly known = new Map<string, string>();
  private chars = 0;

  constructor(
    private readonly maxTexts = 1 << 16,
    private readonly maxChars = 1 << 23,
  ) {}

  keep(text: string): string {
    const known = this.known.get(text);
    if (known !== undefined) return known;
    const own = ownString(text);
    if (own.length <= LONGEST_SHARED && this.known.size < this.maxTexts && this.chars + own.length <= this.maxChars) {
      this.known.set(own, own);
      this.chars += own.length;
    }
    return own;
  }

  get size(): number {
    return this.known.size;
  }
}

/** Finding messages run to a few hundred characters; longer ones quote a file. */
const LONGEST_SHARED = 1024;
