// Reading a configuration file people edit and keep in git (the health model, the alert
// rules): YAML or JSON (by the file's extension), read, parsed and checked against a zod
// schema, every problem naming the path inside the file and what was expected. The
// caller says how problems fail (its own error class, which names the file).
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';

export interface Problem {
  /** Where in the file: `components.usage.weight`, `routes[2].channel`; '' for the file itself. */
  path: string;
  message: string;
}

/** Throws the caller's error for the problems. */
export type Fail = (problems: Problem[]) => never;

/** The lines of an error message listing problems under the file's name. */
export function problemsText(file: string, what: string, problems: readonly Problem[]): string {
  return `${file}: invalid ${what}\n${problems.map((p) => `  ${p.path || '(top level)'}: ${p.message}`).join('\n')}`;
}

export const pathText = (p: readonly PropertyKey[]) =>
  p
    .map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`))
    .join('')
    .replace(/^\./, '');

export function readConfigText(file: string, fail: Fail): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    return fail([
      { path: '', message: `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})` },
    ]);
  }
}

/** The file's text parsed as JSON (a .json file) or YAML (anything else; duplicate keys refused). */
export function parseConfigText(text: string, file: string, fail: Fail): unknown {
  const json = file.endsWith('.json');
  try {
    return json ? JSON.parse(text) : parseYaml(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    const where =
      err instanceof YAMLParseError && err.linePos
        ? ` (line ${err.linePos[0].line}, column ${err.linePos[0].col})`
        : '';
    return fail([
      {
        path: '',
        message: `not valid ${json ? 'JSON' : 'YAML'}${where}: ${(err as Error).message.split('\n')[0]}`,
      },
    ]);
  }
}

/** The parsed value checked against the schema; a missing key reads "required, but missing". */
export function checkSchema<S extends z.ZodType>(schema: S, raw: unknown, fail: Fail): z.output<S> {
  const parsed = schema.safeParse(raw, {
    error: (iss) =>
      iss.code === 'invalid_type' && iss.input === undefined
        ? `required, but missing (expected ${iss.expected === 'record' ? 'a map' : iss.expected})`
        : undefined,
  });
  if (!parsed.success) fail(parsed.error.issues.map((i) => ({ path: pathText(i.path), message: i.message })));
  return parsed.data as z.output<S>;
}
