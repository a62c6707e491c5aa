/**
 * The project's one typed error. Every parser, loader and evaluator throws
 * LabError (never a bare Error / SyntaxError / TypeError) so the UI, the
 * workers and the CLI can always say *which file*, *where* and *what was
 * expected*. Property tests assert that nothing else escapes a parser.
 */
export type LabErrorCode =
  | 'invalid-json'
  | 'not-an-object'
  | 'missing-field'
  | 'wrong-type'
  | 'answer-outside-sentences'
  | 'qrels-columns'
  | 'topics-columns'
  | 'line-too-long'
  | 'file-too-large'
  | 'unknown-language'
  | 'empty-file'
  | 'truncated-gzip'
  | 'parquet'
  | 'unknown-format'
  | 'duplicate-shard'
  | 'duplicate-id'
  | 'inconsistent-dataset'
  | 'run-format'
  | 'quota-exceeded'
  | 'storage'
  | 'cancelled'
  | 'model-config'
  | 'model-weights'
  | 'model-unsupported'
  | 'model-not-found'
  | 'model-gated'
  | 'model-too-large'
  | 'network'
  | 'tokenizer'
  | 'backend'
  /** The GPU device was lost (driver reset, another tab, sleep): the run can resume from its checkpoint. */
  | 'device-lost'
  | 'invalid-argument'
  /** A bug: something other than a LabError escaped a parser (wrapped so callers still get file context). */
  | 'internal';

/** Where in an input a problem is. All fields optional: say as much as is known. */
export interface Location {
  /** File (shard) name as the user knows it. */
  file?: string;
  /** 1-based line number (JSONL, TSV, TREC files). */
  line?: number;
  /** JSON path, e.g. `data[3].paragraphs[0].qas[2].answers[0].answer_start`. */
  path?: string;
}

export interface DiagnosticJSON extends Location {
  severity: 'error' | 'warning';
  code: LabErrorCode | string;
  message: string;
  /** For warnings that aggregate several occurrences (e.g. qrels docids missing from the corpus). */
  count?: number;
}

export class LabError extends Error {
  override readonly name = 'LabError';
  readonly code: LabErrorCode;
  readonly location: Location;
  readonly expected: string | undefined;
  /** The message without its location and expectation. */
  readonly detail: string;

  constructor(code: LabErrorCode, message: string, location: Location = {}, expected?: string) {
    super(formatMessage(message, location, expected));
    this.code = code;
    this.location = location;
    this.expected = expected;
    this.detail = message;
  }

  /** The same error naming the file differently (e.g. by a path that tells two de.json apart). */
  withFile(file: string): LabError {
    return new LabError(this.code, this.detail, { ...this.location, file }, this.expected);
  }

  toJSON(): DiagnosticJSON {
    return { severity: 'error', code: this.code, message: this.message, ...this.location };
  }
}

export function isLabError(e: unknown): e is LabError {
  return e instanceof LabError || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'LabError');
}

function formatMessage(message: string, loc: Location, expected?: string): string {
  const where = [loc.file, loc.line !== undefined ? `line ${loc.line}` : undefined, loc.path]
    .filter((x): x is string => typeof x === 'string' && x.length > 0)
    .join(', ');
  const exp = expected ? ` (expected ${expected})` : '';
  return where ? `${where}: ${message}${exp}` : `${message}${exp}`;
}
