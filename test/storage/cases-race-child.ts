// A separate process assigning a case at an agreed moment: what two replicas of Canary
// on one SQLite file do when two managers press Assign together (see cases.test.ts).
// argv: database URL, case id, assignee, manager's Slack id and email, start time (epoch ms).
import { applyAction } from '../../src/storage/cases.ts';
import { connect, parseDatabaseUrl } from '../../src/storage/db.ts';
import { NOW, rules } from '../cases/fixtures.ts';

const [url, caseId, assignee, manager, email, startAt] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const database = await connect(parseDatabaseUrl(url));
try {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
  const result = await applyAction(
    database.db,
    rules(),
    Number(caseId),
    { kind: 'assign', assignee, dueOn: null, note: null },
    { slackId: manager, email },
    1,
    `assign:${manager}`,
    NOW,
  );
  console.log(
    JSON.stringify({ kind: result.kind, winner: result.kind === 'refused' ? result.winner?.actor : null }),
  );
} finally {
  await database.close();
}
