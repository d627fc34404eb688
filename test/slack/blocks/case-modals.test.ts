// What the case buttons carry and open: values naming the case and the version shown,
// read back strictly; the Assign, Resolve and Snooze modals within Slack's rules; their
// submissions read into actions, or errors beside the right input.
import { describe, expect, it } from 'vitest';
import {
  CASE_INPUT,
  CASE_VIEW,
  caseRef,
  parseCaseRef,
  parseSnoozeValue,
  readAssign,
  readResolve,
  readSnoozeUntil,
  snoozeChoiceOf,
  snoozeValue,
} from '../../../src/slack/blocks/case-actions.ts';
import { assignModal, resolveModal, snoozeModal } from '../../../src/slack/blocks/case-modals.ts';
import { LIMITS } from '../../../src/slack/blocks/text.ts';
import { viewProblems } from '../../support/slack/block-kit.ts';
import { caseAccount, GREG, NOW, openCaseAt } from '../../cases/fixtures.ts';
import { HOSTILE_NAMES } from './fixtures.ts';
import { injectionProblems } from './limits.ts';

const c = openCaseAt({ id: 42, version: 3 });

describe('values', () => {
  it('names the case and the version shown, and reads back only what Canary wrote', () => {
    expect(caseRef(c)).toBe('42:3');
    expect(parseCaseRef('42:3')).toEqual({ caseId: 42, version: 3 });
    for (const junk of ['', '42', '42:x', ' 42:3', '42:3:1d', '{"caseId":42}', '-1:3', undefined])
      expect(parseCaseRef(junk)).toBeNull();
    expect(parseSnoozeValue(snoozeValue(c, '7d'))).toEqual({ caseId: 42, version: 3, choice: '7d' });
    expect(parseSnoozeValue('42:3:2d')).toBeNull();
    expect(snoozeChoiceOf('1d')).toEqual({ days: 1 });
    // Menu option values have Slack's tightest limit.
    expect(snoozeValue({ id: 999_999_999_999, version: 999_999_999 }, 'date').length).toBeLessThanOrEqual(
      LIMITS.optionValue,
    );
  });
});

describe('modals', () => {
  const acme = caseAccount();
  it('opens Assign, Resolve and Snooze for the case, within the rules for modals', () => {
    const assign = assignModal({ ...c, assigneeSlackId: GREG.slackId }, acme, NOW);
    expect(assign).toMatchObject({
      callback_id: CASE_VIEW.assign,
      private_metadata: '42:3',
      title: { text: 'Assign case' },
    });
    expect(JSON.stringify(assign)).toContain(`"initial_user":"${GREG.slackId}"`);
    expect(JSON.stringify(assign)).toContain('"initial_date":"2026-11-27"');
    const resolve = resolveModal(c, acme);
    expect(JSON.stringify(resolve)).toContain('"value":"false_alarm"');
    const snooze = snoozeModal(c, acme, NOW);
    expect(JSON.stringify(snooze)).toContain('"initial_date":"2026-11-21"');
    for (const view of [assign, resolve, snooze]) expect(viewProblems(view, 'modal')).toEqual([]);
  });

  it.each(HOSTILE_NAMES)('keeps %j inert in a modal', (name) => {
    const hostile = caseAccount({ name, externalId: name });
    for (const view of [
      assignModal({ ...c, summary: name }, hostile, NOW),
      resolveModal({ ...c, summary: name }, hostile),
      snoozeModal(c, hostile, NOW),
    ]) {
      expect(viewProblems(view, 'modal')).toEqual([]);
      expect(injectionProblems(view)).toEqual([]);
    }
  });
});

describe('submissions', () => {
  const values = (entries: [{ block: string; action: string }, Record<string, unknown>][]) =>
    Object.fromEntries(entries.map(([at, v]) => [at.block, { [at.action]: { type: 'x', ...v } }]));

  it('reads Assign: the person, the due day and a trimmed note; asks for a person when none is picked', () => {
    expect(
      readAssign(
        values([
          [CASE_INPUT.assignee, { selected_user: GREG.slackId }],
          [CASE_INPUT.due, { selected_date: '2026-11-27' }],
          [CASE_INPUT.note, { value: '  call  ' }],
        ]),
      ),
    ).toEqual({
      ok: true,
      value: { assignee: GREG.slackId, dueOn: new Date('2026-11-27T00:00:00Z'), note: 'call' },
    });
    expect(
      readAssign(
        values([
          [CASE_INPUT.assignee, { selected_user: GREG.slackId }],
          [CASE_INPUT.note, { value: '   ' }],
        ]),
      ),
    ).toEqual({
      ok: true,
      value: { assignee: GREG.slackId, dueOn: null, note: null },
    });
    expect(readAssign(values([]))).toEqual({
      ok: false,
      errors: { case_assignee: 'Pick who takes the case.' },
    });
  });

  it('reads Resolve: one of the outcomes, or asks for one', () => {
    expect(readResolve(values([[CASE_INPUT.outcome, { selected_option: { value: 'churned' } }]]))).toEqual({
      ok: true,
      value: { outcome: 'churned', note: null },
    });
    expect(readResolve(values([[CASE_INPUT.outcome, { selected_option: { value: 'won' } }]]))).toMatchObject({
      ok: false,
      errors: { case_outcome: 'Say how the case ended.' },
    });
  });

  it('reads Snooze: the start of a later day, never today or before', () => {
    expect(readSnoozeUntil(values([[CASE_INPUT.until, { selected_date: '2026-11-22' }]]), NOW)).toEqual({
      ok: true,
      value: { until: new Date('2026-11-22T00:00:00Z') },
    });
    expect(readSnoozeUntil(values([[CASE_INPUT.until, { selected_date: '2026-11-20' }]]), NOW)).toEqual({
      ok: false,
      errors: { case_until: 'Pick a day after today.' },
    });
    expect(readSnoozeUntil(values([[CASE_INPUT.until, { selected_date: 'soon' }]]), NOW)).toMatchObject({
      ok: false,
    });
  });
});
