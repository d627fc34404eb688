// `canary model validate [FILE]` and `canary model schema`: check a health model file
// before it goes live, and print the JSON Schema editors use to check it as you type.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_MODEL_FILE, loadModel, ModelError, modelJsonSchema } from '../../health/model.ts';
import { getConfig, UserError } from '../context.ts';

export function register(program: Command): void {
  const model = program.command('model').description('check the health model file');
  model
    .command('validate')
    .description('validate a health model file (default: HEALTH_MODEL_FILE, else the built-in model)')
    .argument('[file]')
    .action((file?: string) => {
      const path = file ?? getConfig().HEALTH_MODEL_FILE ?? DEFAULT_MODEL_FILE;
      try {
        const m = loadModel(path);
        const components = Object.entries(m.components).map(([name, c]) => `${name} ${c.weight}`);
        console.log(`${path}: valid health model, version ${m.version}`);
        console.log(`  ${Object.keys(m.measures).length} measures; components: ${components.join(', ')}`);
        console.log(
          `  ${m.segments.length} segment override${m.segments.length === 1 ? '' : 's'}, ${m.drops.length} drop rules, referral threshold ${m.referral.threshold}`,
        );
      } catch (err) {
        throw err instanceof ModelError ? new UserError(err.message) : err;
      }
    });
  model
    .command('schema')
    .description('print the JSON Schema of the health model file (for editors)')
    .option('--out <file>', 'write it to a file instead')
    .action(({ out }: { out?: string }) => {
      const text = JSON.stringify(modelJsonSchema(), null, 2) + '\n';
      if (out) writeFileSync(out, text);
      else process.stdout.write(text);
    });
}
