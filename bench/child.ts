// Owns running one benchmark step in a process of its own, so that the step's time and
// peak memory are its alone: the parent side (runChild) and the child side (report),
// which hands back one JSON line on stdout.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs a TypeScript file under tsx with args; resolves with the value it reported. */
export async function runChild<T>(script: URL, args: string[]): Promise<T> {
  const command = [process.execPath, '--import', import.meta.resolve('tsx'), fileURLToPath(script), ...args];
  // Linux carries ru_maxrss across exec, and a process forked from this runner starts
  // with the runner's resident size, so a child forked from here would report
  // process.resourceUsage().maxRSS no lower than the runner's. The shell forks the
  // child from itself (it cannot exec it: `exit` follows), and a small process is where
  // it starts from, as when a person runs `canary import` in a terminal.
  const child = spawn('/bin/sh', ['-c', '"$@"; exit $?', 'sh', ...command], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const step = `${fileURLToPath(script)} ${args.join(' ')}`;
  if (code !== 0) throw new Error(`benchmark step failed (exit code ${code}): ${step}`);
  const last = stdout.trimEnd().split('\n').pop();
  if (!last) throw new Error(`benchmark step reported nothing: ${step}`);
  return JSON.parse(last) as T;
}

/** The child's side: the result as the last line of stdout. */
export function report(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
