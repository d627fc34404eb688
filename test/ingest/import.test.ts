// File imports on both providers: every kind from CSV, JSON and NDJSON lands as the
// same rows; a second import of the same file changes nothing; every kind of bad input
// is refused with the file, row, column and reason, and leaves the database exactly as
// it was; --skip-invalid imports the rest and writes the rejects with their reasons.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IngestRejected } from '../../src/ingest/ingest.ts';
import { importFile } from '../../src/ingest/import-file.ts';
import type { ImportKind } from '../../src/ingest/kinds.ts';
import { FileError } from '../../src/ingest/read.ts';
import { openBulkSession, type BulkSession } from '../../src/ingest/session.ts';
import type { Database } from '../../src/storage/db.ts';
import { freshDatabase, TEST_PROVIDERS } from '../support/databases.ts';
import { scratch, type Scratch } from '../support/files.ts';

const ACCOUNTS_CSV = `external_id,name,domain,industry,segment,lifecycle_stage,plan,arr,seats_purchased,contract_start,renewal_date,owner_email,owner_slack_id,attr.region
ACC-1,Acme Corp,https://www.acme.com/,Software,enterprise,mature,Enterprise,"$250,000",400,2024-02-01,2027-01-31,dana@example.com,U0DANA,emea
ACC-2,"Beta, Inc.",beta.io,Retail,smb,onboarding,Starter,12000,25,2026-09-01,2027-09-01,,,us
`;

const USAGE_CSV = `account_id,date,active_users,logins,seats_used
ACC-1,2026-11-01,120,340,150
ACC-1,2026-11-02,118,,149
ACC-2,2026-11-01,9,20,10
`;

const TICKETS_CSV = `ticket_id,account_id,subject,status,priority,opened_at,resolved_at,csat,sentiment
T-1,ACC-1,"Login fails with ""SSO error""",resolved,urgent,2026-11-01T09:00:00Z,2026-11-01T13:30:00Z,4,-0.4
T-2,ACC-1,Export slow,open,P3,2026-11-02 10:00:00,,,
`;

const SURVEYS_CSV = `response_id,account_id,kind,score,comment,respondent,responded_at
S-1,ACC-1,nps,9,"Love it, mostly",cto@acme.com,2026-10-15T12:00:00Z
S-2,ACC-2,csat,4,,ops@beta.io,2026-10-20
`;

const NOTES_CSV = `note_id,account_id,author,sentiment,note,noted_at
N-1,ACC-1,dana@example.com,negative,Champion left,2026-11-03T08:00:00Z
`;

const OUTCOMES_CSV = `account_id,outcome,date,arr_change,note
ACC-2,expanded,2026-06-30,4000,Added seats
`;

const EVENTS_CSV = `event_id,account_id,event,user_id,occurred_at,properties
E-1,ACC-1,Report Exported,u1,2026-11-02T10:00:00Z,"{""format"":""pdf""}"
`;

/** Everything in the database that an import could touch, in a comparable form. */
async function snapshot(d: Database) {
  const { db } = d;
  return {
    accounts: await db.account.findMany({ orderBy: { id: 'asc' } }),
    usage: await db.usageMetric.findMany({
      orderBy: [{ accountId: 'asc' }, { metric: 'asc' }, { day: 'asc' }],
    }),
    events: await db.usageEvent.findMany({ orderBy: { id: 'asc' } }),
    tickets: await db.ticket.findMany({ orderBy: { id: 'asc' } }),
    surveys: await db.surveyResponse.findMany({ orderBy: { id: 'asc' } }),
    notes: await db.sentimentNote.findMany({ orderBy: { id: 'asc' } }),
    outcomes: await db.accountOutcome.findMany({ orderBy: { id: 'asc' } }),
    facts: await db.crmFact.findMany({ orderBy: { id: 'asc' } }),
  };
}

function toJson(csvRows: Record<string, unknown>[]): string {
  return JSON.stringify(csvRows);
}

describe.each(TEST_PROVIDERS)('%s', (provider) => {
  let d: Database & { url: string };
  let session: BulkSession;
  let files: Scratch;

  beforeEach(async () => {
    d = await freshDatabase(provider);
    session = await openBulkSession(d.target);
    files = scratch();
  });
  afterEach(async () => {
    await session.close();
    await d.close();
    files.remove();
  });

  const load = (kind: ImportKind, name: string, content: string | Buffer, options = {}) =>
    importFile(session, kind, files.write(name, content), options);

  async function loadBook() {
    await load('accounts', 'accounts.csv', ACCOUNTS_CSV);
    await load('usage', 'usage.csv', USAGE_CSV);
    await load('tickets', 'tickets.csv', TICKETS_CSV);
    await load('surveys', 'surveys.csv', SURVEYS_CSV);
    await load('notes', 'notes.csv', NOTES_CSV);
    await load('outcomes', 'outcomes.csv', OUTCOMES_CSV);
    await load('events', 'events.csv', EVENTS_CSV);
  }

  /** Expects an import to fail and the database to be exactly as before it. */
  async function expectRefused(run: () => Promise<unknown>): Promise<Error> {
    const before = await snapshot(d);
    const error = await run().then(
      () => {
        throw new Error('the import was expected to fail');
      },
      (e: Error) => e,
    );
    expect(await snapshot(d)).toEqual(before);
    return error;
  }

  it('imports every kind from CSV into the rows a person would expect', async () => {
    await loadBook();
    const acme = await d.db.account.findUniqueOrThrow({ where: { externalId: 'ACC-1' } });
    expect(acme).toMatchObject({
      name: 'Acme Corp',
      domain: 'acme.com',
      arr: 250000,
      seatsPurchased: 400,
      renewalDate: new Date('2027-01-31T00:00:00Z'),
      ownerSlackId: 'U0DANA',
      attributes: { region: 'emea' },
    });
    expect(acme.signalsChangedAt).not.toBeNull();
    const usage = await d.db.usageMetric.findMany({
      where: { accountId: acme.id },
      orderBy: [{ day: 'asc' }, { metric: 'asc' }],
    });
    // The empty logins cell of 2026-11-02 is missing data, not a zero.
    expect(usage.map((u) => [u.day.toISOString().slice(0, 10), u.metric, u.value])).toEqual([
      ['2026-11-01', 'active_users', 120],
      ['2026-11-01', 'logins', 340],
      ['2026-11-01', 'seats_used', 150],
      ['2026-11-02', 'active_users', 118],
      ['2026-11-02', 'seats_used', 149],
    ]);
    const tickets = await d.db.ticket.findMany({ orderBy: { externalId: 'asc' } });
    expect(tickets[0]).toMatchObject({
      subject: 'Login fails with "SSO error"',
      status: 'resolved',
      priority: 'P1',
      csat: 4,
      sentiment: -0.4,
      resolvedAt: new Date('2026-11-01T13:30:00Z'),
    });
    expect(tickets[1]).toMatchObject({
      status: 'open',
      priority: 'P3',
      openedAt: new Date('2026-11-02T10:00:00Z'),
      resolvedAt: null,
      csat: null,
    });
    expect(await d.db.surveyResponse.count()).toBe(2);
    expect(await d.db.sentimentNote.findFirst()).toMatchObject({
      sentiment: 'negative',
      note: 'Champion left',
    });
    expect(await d.db.accountOutcome.findFirst()).toMatchObject({
      kind: 'expanded',
      arrChange: 4000,
      occurredOn: new Date('2026-06-30T00:00:00Z'),
    });
    expect(await d.db.usageEvent.findFirst()).toMatchObject({
      event: 'Report Exported',
      properties: { format: 'pdf' },
    });
    const facts = await d.db.crmFact.findMany({ where: { accountId: acme.id }, orderBy: { field: 'asc' } });
    expect(facts.map((f) => [f.field, f.value])).toEqual([
      ['arr', '250000'],
      ['contract_start', '2024-02-01'],
      ['lifecycle_stage', 'mature'],
      ['plan', 'Enterprise'],
      ['renewal_date', '2027-01-31'],
      ['seats_purchased', '400'],
    ]);
  });

  it('imports the same records from JSON and NDJSON as from CSV', async () => {
    await loadBook();
    const fromCsv = await snapshot(d);
    const other = await freshDatabase(provider);
    const otherSession = await openBulkSession(other.target);
    try {
      const accounts = [
        {
          id: 'ACC-1',
          company: 'Acme Corp',
          website: 'acme.com',
          industry: 'Software',
          segment: 'enterprise',
          stage: 'mature',
          plan: 'Enterprise',
          arr: 250000,
          seats: 400,
          contract_start: '2024-02-01',
          renewal_date: '2027-01-31',
          owner_email: 'dana@example.com',
          owner_slack_id: 'U0DANA',
          attributes: { region: 'emea' },
        },
        {
          id: 'ACC-2',
          company: 'Beta, Inc.',
          website: 'beta.io',
          industry: 'Retail',
          segment: 'smb',
          stage: 'onboarding',
          plan: 'Starter',
          arr: 12000,
          seats: 25,
          contract_start: '2026-09-01',
          renewal_date: '2027-09-01',
          owner_email: null,
          owner_slack_id: null,
          attributes: { region: 'us' },
        },
      ];
      await importFile(otherSession, 'accounts', files.write('accounts.json', toJson(accounts)));
      const usage = [
        { account_id: 'ACC-1', date: '2026-11-01', metric: 'active_users', value: 120 },
        { account_id: 'ACC-1', date: '2026-11-01', metric: 'logins', value: 340 },
        { account_id: 'ACC-1', date: '2026-11-01', metric: 'seats_used', value: 150 },
        { account_id: 'ACC-1', date: '2026-11-02', active_users: 118, seats_used: 149 },
        { account_id: 'ACC-2', date: '2026-11-01', dau: 9, logins: 20, seats_used: 10 },
      ];
      await importFile(
        otherSession,
        'usage',
        files.write('usage.ndjson', usage.map((u) => JSON.stringify(u)).join('\n') + '\n'),
      );
      const tickets = [
        {
          ticket_id: 'T-1',
          account_id: 'ACC-1',
          subject: 'Login fails with "SSO error"',
          status: 'solved',
          priority: 'P1',
          opened_at: '2026-11-01T09:00:00Z',
          resolved_at: '2026-11-01T15:30:00+02:00',
          csat: 4,
          sentiment: -0.4,
        },
        {
          ticket_id: 'T-2',
          account_id: 'ACC-1',
          subject: 'Export slow',
          status: 'open',
          priority: 'normal',
          opened_at: '2026-11-02T10:00:00Z',
          resolved_at: null,
        },
      ];
      await importFile(otherSession, 'tickets', files.write('tickets.json', toJson(tickets)));
      await importFile(
        otherSession,
        'surveys',
        files.write(
          'surveys.ndjson',
          [
            {
              response_id: 'S-1',
              account_id: 'ACC-1',
              kind: 'nps',
              score: 9,
              comment: 'Love it, mostly',
              respondent: 'cto@acme.com',
              responded_at: '2026-10-15T12:00:00Z',
            },
            {
              response_id: 'S-2',
              account_id: 'ACC-2',
              kind: 'csat',
              score: 4,
              respondent: 'ops@beta.io',
              responded_at: '2026-10-20',
            },
          ]
            .map((r) => JSON.stringify(r))
            .join('\n'),
        ),
      );
      await importFile(
        otherSession,
        'notes',
        files.write(
          'notes.json',
          toJson([
            {
              note_id: 'N-1',
              account_id: 'ACC-1',
              author: 'dana@example.com',
              sentiment: 'red',
              note: 'Champion left',
              noted_at: '2026-11-03T08:00:00Z',
            },
          ]),
        ),
      );
      await importFile(
        otherSession,
        'outcomes',
        files.write(
          'outcomes.json',
          toJson([
            {
              account_id: 'ACC-2',
              outcome: 'expansion',
              date: '2026-06-30',
              arr_change: 4000,
              note: 'Added seats',
            },
          ]),
        ),
      );
      await importFile(
        otherSession,
        'events',
        files.write(
          'events.json',
          toJson([
            {
              message_id: 'E-1',
              account_id: 'ACC-1',
              event: 'Report Exported',
              user_id: 'u1',
              timestamp: '2026-11-02T10:00:00Z',
              properties: { format: 'pdf' },
            },
          ]),
        ),
      );
      const fromJson = await snapshot(other);
      const strip = (s: typeof fromCsv) =>
        JSON.parse(
          JSON.stringify(s, (k, v) =>
            ['createdAt', 'updatedAt', 'signalsChangedAt', 'observedAt'].includes(k) ? undefined : v,
          ),
        );
      expect(strip(fromJson)).toEqual(strip(fromCsv));
    } finally {
      await otherSession.close();
      await other.close();
    }
  });

  it('changes nothing when the same files are imported again', async () => {
    await loadBook();
    const before = await snapshot(d);
    for (const [kind, name, content] of [
      ['accounts', 'accounts.csv', ACCOUNTS_CSV],
      ['usage', 'usage.csv', USAGE_CSV],
      ['tickets', 'tickets.csv', TICKETS_CSV],
    ] as const) {
      const { counts } = await load(kind, name, content);
      expect(counts).toMatchObject({ inserted: 0, updated: 0, rejected: 0 });
      expect(counts.unchanged).toBe(counts.records);
    }
    expect(await snapshot(d)).toEqual(before);
  });

  it('updates what changed, leaves absent columns alone and records CRM history', async () => {
    await loadBook();
    const { counts } = await load('accounts', 'arr.csv', 'external_id,arr\nACC-1,300000\nACC-2,12000\n');
    expect(counts).toMatchObject({ inserted: 0, updated: 1, unchanged: 1 });
    const acme = await d.db.account.findUniqueOrThrow({ where: { externalId: 'ACC-1' } });
    expect(acme).toMatchObject({
      name: 'Acme Corp',
      arr: 300000,
      domain: 'acme.com',
      attributes: { region: 'emea' },
    });
    const arrFacts = await d.db.crmFact.findMany({
      where: { accountId: acme.id, field: 'arr' },
      orderBy: { observedAt: 'asc' },
    });
    expect(arrFacts.map((f) => f.value)).toEqual(['250000', '300000']);

    const usage = await load(
      'usage',
      'usage2.csv',
      'account_id,date,metric,value\nACC-1,2026-11-01,active_users,99\nACC-1,2026-11-03,active_users,97\n',
    );
    expect(usage.counts).toMatchObject({ inserted: 1, updated: 1, unchanged: 0 });
  });

  it('refuses a whole file for one unknown account, bad date, negative count or NPS out of range', async () => {
    await loadBook();
    const error = await expectRefused(() =>
      load(
        'usage',
        'bad-usage.csv',
        `account_id,date,active_users,logins
ACC-1,2026-11-05,10,3
ACC-404,2026-11-05,10,3
ACC-1,2026-13-40,10,3
ACC-2,2026-11-05,-4,3
`,
      ),
    );
    expect(error).toBeInstanceOf(IngestRejected);
    const rejected = error as IngestRejected;
    expect(rejected.rejectedCount).toBe(3);
    expect(rejected.rejections.map((r) => [r.row, r.problems])).toEqual([
      [3, [{ column: 'account_id', reason: 'unknown account "ACC-404"' }]],
      [
        4,
        [
          {
            column: 'date',
            reason: 'expected a date like 2026-03-31 or 2026-03-31T14:05:00Z, got "2026-13-40"',
          },
        ],
      ],
      [5, [{ column: 'active_users', reason: 'must not be negative' }]],
    ]);

    const nps = (await expectRefused(() =>
      load(
        'surveys',
        'bad-nps.csv',
        'account_id,score,responded_at\nACC-1,11,2026-11-01\nACC-1,9.5,2026-11-01\nACC-1,,2026-11-01\n',
      ),
    )) as IngestRejected;
    expect(nps.rejections.map((r) => [r.row, r.problems[0]!.column, r.problems[0]!.reason])).toEqual([
      [2, 'score', 'must be between 0 and 10'],
      [3, 'score', 'expected a whole number'],
      [4, 'score', 'required, but empty'],
    ]);
  });

  it('refuses duplicate ids inside one file, naming the first occurrence', async () => {
    await loadBook();
    const dupTickets = (await expectRefused(() =>
      load(
        'tickets',
        'dup.csv',
        'ticket_id,account_id,status,priority,opened_at\nT-9,ACC-1,open,P2,2026-11-05\nT-8,ACC-1,open,P2,2026-11-05\nT-9,ACC-2,open,P1,2026-11-06\n',
      ),
    )) as IngestRejected;
    expect(dupTickets.rejections.map((r) => [r.row, r.problems[0]!.reason])).toEqual([
      [4, 'duplicate of row 2 (same external_id "T-9")'],
    ]);
    expect(dupTickets.rejections[0]!.problems[0]!.duplicateOf).toEqual({ row: 2, key: 'external_id "T-9"' });
    const dupAccounts = (await expectRefused(() =>
      load('accounts', 'dup-accounts.csv', 'external_id,name\nX-1,One\nX-1,Two\n'),
    )) as IngestRejected;
    expect(dupAccounts.rejections[0]!.problems[0]!.reason).toBe(
      'duplicate of row 2 (same external_id "X-1")',
    );
  });

  it('refuses files that are empty, headless, mis-encoded or malformed, and writes nothing', async () => {
    await loadBook();
    const cases: [string, string | Buffer, RegExp][] = [
      ['empty.csv', '', /the file is empty/],
      ['header-only.csv', 'account_id,date,active_users\n', /header row but no data rows/],
      [
        'utf16.csv',
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('account_id,date\r\n', 'utf16le')]),
        /UTF-16/,
      ],
      [
        'latin1.csv',
        Buffer.concat([
          Buffer.from('account_id,date,active_users\nACC-1,2026-11-09,5\nACC-\xe9', 'latin1'),
          Buffer.from(',2026-11-09,5\n'),
        ]),
        /not valid UTF-8/,
      ],
      ['no-account.csv', 'date,active_users\n2026-11-09,5\n', /no column for account_id/],
      ['broken-quote.csv', 'account_id,date,active_users\n"ACC-1,2026-11-09,5\n', /CSV syntax error/],
      ['not-array.json', '{"account_id":"ACC-1"}', /expected a JSON array/],
      [
        'truncated.json',
        '[{"account_id":"ACC-1","date":"2026-11-09","active_users":5},',
        /JSON syntax error/,
      ],
      ['usage.xlsx', 'PK', /cannot tell the format/],
    ];
    for (const [name, content, message] of cases) {
      const error = await expectRefused(() => load('usage', name, content));
      expect(error, name).toBeInstanceOf(FileError);
      expect(error.message, name).toMatch(message);
      expect(error.message, name).toContain(name);
    }
  });

  it('reports an NDJSON line that is not JSON with its line number, and writes nothing', async () => {
    const error = (await expectRefused(() =>
      load(
        'accounts',
        'accounts.ndjson',
        '{"external_id":"A","name":"A"}\n{"external_id":"B", name: B}\n[1,2]\n',
      ),
    )) as IngestRejected;
    expect(error.rejections.map((r) => [r.row, r.problems[0]!.reason.slice(0, 30)])).toEqual([
      [2, 'the record is not valid JSON ('],
      [3, 'the record is not a JSON objec'],
    ]);
  });

  it('lists the first 50 problems and counts the rest', async () => {
    await loadBook();
    const rows = Array.from(
      { length: 120 },
      (_, i) => `ACC-1,2026-08-${String((i % 28) + 1).padStart(2, '0')},${i % 2 ? 'lots' : -1}`,
    );
    const error = (await expectRefused(() =>
      load('usage', 'many-bad.csv', `account_id,date,active_users\n${rows.join('\n')}\n`),
    )) as IngestRejected;
    expect(error.rejectedCount).toBe(120);
    expect(error.rejections).toHaveLength(50);
    expect(error.rejections[0]!.row).toBe(2);
  });

  it('with skipInvalid imports the valid rows and writes the rejects with reasons', async () => {
    await loadBook();
    const input =
      'ticket_id,account_id,status,priority,opened_at\nT-10,ACC-1,open,P2,2026-11-05\nT-11,ACC-404,open,P2,2026-11-05\nT-12,ACC-2,weird,P2,2026-11-05\nT-10,ACC-2,open,P1,2026-11-06\nT-13,ACC-2,pending,low,2026-11-07T08:00:00Z\n';
    const result = await load('tickets', 'mixed.csv', input, { skipInvalid: true });
    expect(result.counts).toMatchObject({ rowsRead: 5, inserted: 2, rejected: 3 });
    expect(await d.db.ticket.count({ where: { externalId: { in: ['T-10', 'T-13'] } } })).toBe(2);
    expect(await d.db.ticket.count({ where: { externalId: { in: ['T-11', 'T-12'] } } })).toBe(0);
    expect(result.rejectsFile).toMatch(/mixed\.rejects\.csv$/);
    expect(readFileSync(result.rejectsFile!, 'utf8')).toBe(
      'row,errors,ticket_id,account_id,status,priority,opened_at\n' +
        '3,"account_id: unknown account ""ACC-404""",T-11,ACC-404,open,P2,2026-11-05\n' +
        '4,"status: expected one of open, pending, resolved, closed, got ""weird""",T-12,ACC-2,weird,P2,2026-11-05\n' +
        '5,"duplicate of row 2 (same external_id ""T-10"")",T-10,ACC-2,open,P1,2026-11-06\n',
    );

    const json = await load(
      'notes',
      'notes.ndjson',
      '{"account_id":"ACC-1","sentiment":"meh","noted_at":"2026-11-01"}\n{"account_id":"ACC-1","sentiment":"positive","noted_at":"2026-11-02"}\n',
      { skipInvalid: true },
    );
    expect(json.counts).toMatchObject({ inserted: 1, rejected: 1 });
    const reject = JSON.parse(readFileSync(json.rejectsFile!, 'utf8').trim());
    expect(reject).toEqual({
      line: 1,
      errors: [{ column: 'sentiment', reason: 'expected one of positive, neutral, negative, got "meh"' }],
      record: { account_id: 'ACC-1', sentiment: 'meh', noted_at: '2026-11-01' },
    });
  });

  it('needs a name for a new account but not to update one, and never an empty name', async () => {
    await loadBook();
    const error = (await expectRefused(() =>
      load('accounts', 'noname.csv', 'external_id,arr\nACC-1,1\nNEW-1,5\n'),
    )) as IngestRejected;
    expect(error.rejections.map((r) => [r.row, r.problems[0]])).toEqual([
      [3, { column: 'name', reason: 'a new account needs name' }],
    ]);
    const empty = (await expectRefused(() =>
      load('accounts', 'empty-name.json', '[{"external_id":"ACC-1","name":""}]'),
    )) as IngestRejected;
    expect(empty.rejections[0]!.problems).toEqual([
      { column: 'name', reason: 'an account name cannot be empty' },
    ]);
  });

  it('keeps hostile text as data', async () => {
    const name = "<!channel> *Acme* `rm -rf` '; DROP TABLE accounts; --";
    await load(
      'accounts',
      'hostile.json',
      JSON.stringify([
        { external_id: 'H-1', name, attributes: { __proto__: { polluted: true }, note: '<@U123>' } },
      ]),
    );
    const account = await d.db.account.findUniqueOrThrow({ where: { externalId: 'H-1' } });
    expect(account.name).toBe(name);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
