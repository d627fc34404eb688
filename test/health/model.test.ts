// The health model file: the default model loads, and a model with a mistake is refused
// with a message that names the file, the path inside it and what was expected.
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import {
  DEFAULT_MODEL_FILE,
  loadModel,
  ModelError,
  modelJsonSchema,
  parseModelText,
} from '../../src/health/model.ts';
import { smallModel } from './fixtures.ts';

const DEFAULT_TEXT = readFileSync(DEFAULT_MODEL_FILE, 'utf8');

/** The default model with one piece of text replaced, as someone editing it would. */
function defaultWith(find: string, replace: string): string {
  expect(DEFAULT_TEXT, `the default model contains ${find}`).toContain(find);
  return DEFAULT_TEXT.replace(find, replace);
}

/** The lines of a refusal, e.g. "  components.usage.weight: must be greater than 0". */
function refusal(text: string, file = 'my-model.yaml'): string[] {
  try {
    parseModelText(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(ModelError);
    const [first, ...problems] = (err as ModelError).message.split('\n');
    expect(first).toBe(`${file}: invalid health model`);
    return problems.map((p) => p.trim());
  }
  throw new Error('the model was accepted');
}

describe('the default model', () => {
  it('loads, with its six weighted components', () => {
    const model = loadModel();

    expect(model.version).toBe('2026.11.1');
    expect(Object.keys(model.measures)).toHaveLength(17);
    expect(Object.fromEntries(Object.entries(model.components).map(([n, c]) => [n, c.weight]))).toEqual({
      usage: 30,
      adoption: 20,
      support: 20,
      sentiment: 15,
      commercial: 10,
      engagement: 5,
    });
    expect(model.segments.map((s) => s.name)).toEqual(['onboarding', 'enterprise']);
    expect(model.drops.map((d) => d.name)).toEqual(['active_users_drop', 'health_index_drop']);
  });

  it('reads the same as JSON as it does as YAML', () => {
    const model = loadModel();
    expect(parseModelText(JSON.stringify(model), 'model.json')).toEqual(model);
  });
});

describe('a model with a mistake is refused, naming the path', () => {
  it('a component naming a measure that is not defined', () => {
    const text = defaultWith(
      'measures: { active_users_trend: 60, login_frequency: 40 }',
      'measures: { active_user_trend: 60, login_frequency: 40 }',
    );
    // active_users_trend stays in use as the referral's engagement measure, so this is the only problem.
    expect(refusal(text)).toEqual([
      expect.stringMatching(
        /^components\.usage\.measures\.active_user_trend: unknown measure "active_user_trend"; defined measures: active_users_trend, /,
      ),
    ]);
  });

  it('a component weight of 0 or below, and a measure weight of 0', () => {
    expect(refusal(defaultWith('weight: 30', 'weight: 0'))).toEqual([
      'components.usage.weight: must be greater than 0',
    ]);
    expect(refusal(defaultWith('active_users_trend: 60,', 'active_users_trend: 0,'))).toEqual([
      'components.usage.measures.active_users_trend: must be greater than 0',
    ]);
  });

  it('grade bands that overlap, and colour bands with a gap', () => {
    // A now starts at 75 while B still runs to 80: 75-80 would be both.
    expect(
      refusal(defaultWith('{ label: A, from: 80, to: 100 }', '{ label: A, from: 75, to: 100 }')),
    ).toEqual(['bands.grade: bands "B" (65-80) and "A" (75-100) overlap']);
    // Green now starts at 75 while yellow ends at 70: nothing covers 70-75.
    expect(
      refusal(defaultWith('{ label: green, from: 70, to: 100 }', '{ label: green, from: 75, to: 100 }')),
    ).toEqual(['bands.colour: no band covers 70-75']);
  });

  it('risk bands that do not reach 100 or do not start at 0', () => {
    expect(
      refusal(defaultWith('{ label: low, from: 75, to: 100 }', '{ label: low, from: 75, to: 99 }')),
    ).toEqual(['bands.risk: the bands must end at 100']);
    expect(
      refusal(defaultWith('{ label: critical, from: 0, to: 35 }', '{ label: critical, from: 5, to: 35 }')),
    ).toEqual(['bands.risk: the bands must start at 0 (the lowest starts at 5)']);
  });

  it('a signal Canary does not know', () => {
    expect(refusal(defaultWith('signal: surveys.csat', 'signal: surveys.ces'))).toEqual([
      expect.stringMatching(/^measures\.csat_latest\.signal: unknown signal; expected usage\.<metric>, /),
    ]);
  });

  it('a ratio of a measure that is not defined', () => {
    const problems = refusal(
      defaultWith('of: [seats_used, seats_purchased]', 'of: [seats_used, seats_bought]'),
    );
    expect(problems).toContain('measures.seat_utilisation.of: unknown measure "seats_bought"');
    // ... which leaves seats_purchased unused, and that is said too.
    expect(problems).toContain('measures.seats_purchased: defined but used by no component');
  });

  it('a trend without a baseline', () => {
    const text = defaultWith('    window: 30\n    baseline: 60\n', '    window: 30\n');
    expect(refusal(text)).toEqual(['measures.ticket_volume_trend: a trend needs window and baseline (days)']);
  });

  it('a linear scale whose two ends are the same value', () => {
    // [5, 5] would divide by zero: every value would score NaN or an infinity.
    expect(refusal(defaultWith('normalise: { linear: [2, 5] }', 'normalise: { linear: [5, 5] }'))).toEqual([
      'measures.csat_latest.normalise.linear: the value scoring 0 and the one scoring 100 must differ',
    ]);
    // The referral's health and stability parts are linear scales too.
    expect(refusal(defaultWith('health: [60, 90]', 'health: [75, 75]'))).toEqual([
      'referral.health: the value scoring 0 and the one scoring 100 must differ',
    ]);
    expect(refusal(defaultWith('swing: [5, 20]', 'swing: [10, 10]'))).toEqual([
      'referral.stability.swing: the value scoring 0 and the one scoring 100 must differ',
    ]);
  });

  it('score bands that mix min and max', () => {
    expect(refusal(defaultWith('- { min: 7, score: 65 } # passive', '- { max: 7, score: 65 }'))).toContain(
      'measures.nps_latest.normalise.bands: use either min (higher is better) or max (lower is better) in one list, not both',
    );
  });

  it('invalid YAML, with the line and column', () => {
    const text = [
      "version: '1'", // line 1
      'measures:', // line 2
      '  nps:', // line 3
      '    label: NPS: latest', // line 4: "NPS: latest" is a mapping inside a plain value
    ].join('\n');
    // Column 12 is where "NPS" begins: 4 spaces, "label: " (7), then column 12.
    expect(refusal(text)).toEqual([
      expect.stringMatching(
        /^\(top level\): not valid YAML \(line 4, column 12\): Nested mappings are not allowed/,
      ),
    ]);
  });

  it('a key given twice', () => {
    expect(refusal(defaultWith('name: Canary default\n', 'name: Canary default\nname: Mine\n'))).toEqual([
      expect.stringMatching(/^\(top level\): not valid YAML \(line 7, column 1\): Map keys must be unique/),
    ]);
  });

  it('a top-level key the model does not have', () => {
    expect(refusal(`${DEFAULT_TEXT}\nweights: { usage: 30 }\n`)).toEqual([
      '(top level): Unrecognized key: "weights"',
    ]);
  });

  it('a file that cannot be read', () => {
    expect(() => loadModel('/nonexistent/model.yaml')).toThrow(
      '/nonexistent/model.yaml: invalid health model\n  (top level): cannot be read (ENOENT)',
    );
  });

  it('a small model passes, so the refusals above come from the one change each made', () => {
    const model = smallModel(`
      measures:
        nps: { label: NPS, signal: surveys.nps, aggregate: latest, window: 365, normalise: { linear: [0, 10] } }
      components:
        sentiment: { weight: 1, measures: { nps: 1 } }
    `);
    expect(Object.keys(model.measures)).toEqual(['nps']);
    expect(model.segments).toEqual([]);
    expect(model.drops).toEqual([]);
  });
});

describe('the JSON Schema for editors', () => {
  it('describes an object with measures and components', () => {
    const schema = modelJsonSchema() as {
      type: string;
      properties: Record<string, { type?: string }>;
      required: string[];
    };
    expect(schema.type).toBe('object');
    expect(schema.properties).toHaveProperty('measures');
    expect(schema.properties).toHaveProperty('components');
    expect(schema.properties.measures!.type).toBe('object');
    expect(schema.required).toEqual(expect.arrayContaining(['version', 'measures', 'components']));
  });
});
