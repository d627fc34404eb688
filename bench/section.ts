// Owns the contract between the benchmark runner (bench/run.ts) and its sections: a
// section measures one area of Canary and returns one table, in which some rows are
// checks against a performance target.

export interface BenchContext {
  /** `--rows N`: the scale of sections that generate data; each has its own default. */
  rows: number | undefined;
  /** One line on stderr about what the section is doing, so a long run is not silent. */
  progress(message: string): void;
}

export interface Check {
  /** The target as a person reads it, e.g. "< 300 MB". */
  target: string;
  pass: boolean;
}

export interface Row {
  label: string;
  /** One cell per column of the section's table; '' leaves a cell blank. */
  cells: string[];
  /** Present on rows that check a target; the runner prints PASS or FAIL for them. */
  check?: Check;
}

export interface SectionResult {
  title: string;
  columns: string[];
  rows: Row[];
}

export interface Section {
  name: string;
  run(context: BenchContext): Promise<SectionResult>;
}
