// The model file as people meet it: the JSON Schema editors use is the one generated
// from the zod schema (regenerate with `canary model schema --out ...`), and a running
// process keeps its previous model when the file is edited into an invalid one.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_FILE, modelJsonSchema } from '../../src/health/model.ts';
import { ModelSource } from '../../src/health/model-source.ts';
import { scratch } from '../support/files.ts';

describe('the health model file', () => {
  it('ships the JSON Schema generated from the zod schema', () => {
    const committed = JSON.parse(
      readFileSync(path.join(path.dirname(DEFAULT_MODEL_FILE), 'health-model.schema.json'), 'utf8'),
    );
    expect(committed, 'run: npx canary model schema --out src/health/health-model.schema.json').toEqual(
      modelJsonSchema(),
    );
  });

  describe('in a running process', () => {
    const files = scratch();
    afterEach(() => files.remove());

    it('reloads a valid edit and keeps the previous model when the edit is invalid', () => {
      const text = readFileSync(DEFAULT_MODEL_FILE, 'utf8');
      const file = files.write('model.yaml', text);
      const rejected: string[] = [];
      const source = new ModelSource(file, { rejected: (e) => rejected.push(e.message) });
      expect(source.model.version).toBe('2026.11.1');

      writeFileSync(file, text.replace("version: '2026.11.1'", "version: '2026.11.2'"));
      expect(source.reload()).toBe(true);
      expect(source.model.version).toBe('2026.11.2');

      writeFileSync(
        file,
        text.replace("version: '2026.11.1'", "version: '2026.11.3'").replace('weight: 30', 'weight: -30'),
      );
      expect(source.reload()).toBe(false);
      expect(source.model.version).toBe('2026.11.2');
      expect(rejected).toEqual([expect.stringContaining('components.usage.weight: must be greater than 0')]);
    });
  });
});
