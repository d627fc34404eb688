// Scratch files for tests: a temporary folder per test and a way to write inputs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Scratch {
  dir: string;
  /** Writes a file into the scratch folder and returns its path. */
  write(name: string, content: string | Buffer): string;
  remove(): void;
}

export function scratch(): Scratch {
  const dir = mkdtempSync(path.join(tmpdir(), 'canary-files-'));
  return {
    dir,
    write(name, content) {
      const file = path.join(dir, name);
      writeFileSync(file, content);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
