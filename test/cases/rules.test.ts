// The alert rules file as a RevOps person edits it: the built-in default loads, and a
// mistake is reported with the file, the path inside it and what was expected, every
// problem at once.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertRulesError, loadRules, parseRulesText } from '../../src/cases/rules.ts';
import { scratch, type Scratch } from '../support/files.ts';

const VALID = `
rules:
  drop: {}
  ticket: { priorities: [P1, P2], unresolved_hours: 12 }
routing:
  routes:
    - when: { segment: [enterprise, strategic] }
      channel: C0ENTERP01
  default: C0ALERTS01
budget: { daily: 10, channels: { C0ENTERP01: 40 } }
reminders: { remind_after_hours: 2, escalate_after_hours: 8, manager_channel: C0MANAGE01 }
people: { managers: [U0MAYA0001, mark@example.com] }
`;

function problems(text: string, file = 'rules.yaml'): string[] {
  try {
    parseRulesText(text, file);
  } catch (err) {
    expect(err).toBeInstanceOf(AlertRulesError);
    const [first, ...rest] = (err as AlertRulesError).message.split('\n');
    expect(first).toBe(`${file}: invalid alert rules`);
    return rest.map((l) => l.trim());
  }
  throw new Error('expected the rules to be refused');
}

describe('alert rules', () => {
  it('loads the built-in default: every rule on, no channel yet, nobody a manager', () => {
    const rules = loadRules();
    expect(Object.keys(rules.rules).sort()).toEqual(['detractor', 'drop', 'renewal', 'risk_tier', 'ticket']);
    expect(rules.routing).toEqual({ routes: [], default: null });
    expect(rules.people.managers).toEqual([]);
  });

  it('reads a file with routes, budgets, reminders and managers; a rule left out opens nothing', () => {
    const rules = parseRulesText(VALID, 'rules.yaml');
    expect(rules.rules).toEqual({ drop: {}, ticket: { priorities: ['P1', 'P2'], unresolved_hours: 12 } });
    expect(rules.routing.routes[0]).toEqual({
      when: { segment: ['enterprise', 'strategic'] },
      channel: 'C0ENTERP01',
    });
    expect(rules.budget).toEqual({ daily: 10, channels: { C0ENTERP01: 40 } });
  });

  it('names the path and what was expected for each mistake', () => {
    const text = VALID.replace('channel: C0ENTERP01', 'channel: "#enterprise"')
      .replace('unresolved_hours: 12', 'unresolved_hours: -1')
      .replace('mark@example.com', 'mark')
      .replace('daily: 10', 'daily: ten');
    expect(problems(text)).toEqual([
      expect.stringMatching(/^rules\.ticket\.unresolved_hours: must be above 0$/),
      expect.stringMatching(
        /^routing\.routes\[0\]\.channel: expected a Slack channel id such as C0123ABCDEF/,
      ),
      expect.stringMatching(/^budget\.daily: /),
      expect.stringMatching(
        /^people\.managers\[1\]: expected a Slack user id such as U0123ABCDEF or an email address$/,
      ),
    ]);
  });

  it('says what is missing, unknown, or contradicts the rest', () => {
    expect(problems('rules: {}\n')).toEqual([
      'routing: required, but missing (expected object)',
      'budget: required, but missing (expected object)',
      'reminders: required, but missing (expected object)',
      'people: required, but missing (expected object)',
    ]);
    expect(problems(VALID.replace('drop: {}', 'drops: {}'))).toEqual([
      expect.stringMatching(/^rules: Unrecognized key: "drops"$/),
    ]);
    expect(
      problems(
        VALID.replace('{ segment: [enterprise, strategic] }', '{}').replace(
          'escalate_after_hours: 8',
          'escalate_after_hours: 1',
        ),
      ),
    ).toEqual([
      'routing.routes[0].when: name at least one of segment, industry, owner',
      'reminders.escalate_after_hours: escalating (1 h) before the reminder (2 h) leaves nothing to remind of',
    ]);
    expect(problems('rules: [', 'bad.yaml')).toEqual([
      expect.stringMatching(/^\(top level\): not valid YAML \(line 1, column \d+\)/),
    ]);
  });

  describe('from a file', () => {
    let files: Scratch;
    beforeEach(() => {
      files = scratch();
    });
    afterEach(() => files.remove());

    it('reads YAML or JSON by extension, and says when the file cannot be read', () => {
      const json = files.write('rules.json', JSON.stringify(parseRulesText(VALID, 'rules.yaml')));
      expect(loadRules(json).budget.daily).toBe(10);
      const missing = path.join(files.dir, 'nope.yaml');
      expect(() => loadRules(missing)).toThrow(
        `${missing}: invalid alert rules\n  (top level): cannot be read (ENOENT)`,
      );
    });
  });
});
