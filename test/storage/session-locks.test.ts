// Two connections of one process writing to one database: while the bot's Prisma client
// holds a transaction open across awaits, a bulk session's write (scoring, an API batch)
// waits for it without blocking the thread, so the transaction can finish and the
// process keeps answering; then the write goes through.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openBulkSession, type BulkSession } from '../../src/ingest/session.ts';
import type { Database } from '../../src/storage/db.ts';
import { freshDatabase, TEST_PROVIDERS } from '../support/databases.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(TEST_PROVIDERS)(
  '%s: a bulk write beside an open transaction of the same process',
  (provider) => {
    let d: Database;
    let session: BulkSession;
    beforeEach(async () => {
      d = await freshDatabase(provider);
      session = await openBulkSession(d.target);
    });
    afterEach(async () => {
      await session.close();
      await d.close();
    });

    it('waits for the transaction without stopping the process, then writes', async () => {
      let ticks = 0;
      const clock = setInterval(() => ticks++, 10);
      try {
        // Holds the write lock from its first write until it commits, 400 ms later.
        const held = d.db.$transaction(
          async (tx) => {
            await tx.apiToken.create({ data: { name: 'first', tokenHash: 'h1', prefix: 'cny_1' } });
            await sleep(400);
            await tx.apiToken.create({ data: { name: 'second', tokenHash: 'h2', prefix: 'cny_2' } });
          },
          { timeout: 10_000 },
        );
        await sleep(50);
        const before = ticks;
        const started = Date.now();
        await session.transaction(() =>
          session.exec(`INSERT INTO api_tokens (name, token_hash, prefix, created_at) VALUES (?, ?, ?, ?)`, [
            'bulk',
            'h3',
            'cny_3',
            new Date(),
          ]),
        );
        await held;
        // The process went on while the write waited (the transaction's own timer fired).
        expect(ticks - before).toBeGreaterThan(provider === 'sqlite' ? 10 : 0);
        expect(Date.now() - started).toBeLessThan(5_000);
        expect((await d.db.apiToken.findMany({ orderBy: { name: 'asc' } })).map((t) => t.name)).toEqual([
          'bulk',
          'first',
          'second',
        ]);
      } finally {
        clearInterval(clock);
      }
    });
  },
);
