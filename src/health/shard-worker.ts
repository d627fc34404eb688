// The worker-thread side of a scoring shard: a DayShard driven by messages from the
// runner (health/shard.ts, WorkerShard). Loaded only as a worker's entry point.
import { parentPort, workerData } from 'node:worker_threads';
import type { PercentileTables } from './score.ts';
import { DayShard, type ShardSetup } from './shard.ts';

export type ToShard =
  | { op: 'measure'; accountIds: number[] }
  | { op: 'score'; tables: [string, Float64Array][] }
  | { op: 'close' };

export type FromShard =
  | { op: 'progress'; done: number }
  | { op: 'measured'; values: Record<string, Float64Array> }
  | { op: 'rows'; rows: unknown[][] }
  | { op: 'scored' }
  | { op: 'closed' }
  | { op: 'failed'; message: string; stack?: string };

const port = parentPort!;
const send = (message: FromShard, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const shard = DayShard.open(workerData as ShardSetup);

port.on('message', (message: ToShard) => {
  void handle(message).catch((error: Error) =>
    send({ op: 'failed', message: error.message, stack: error.stack }),
  );
});

async function handle(message: ToShard): Promise<void> {
  const s = await shard;
  switch (message.op) {
    case 'measure': {
      const values = await s.measure(message.accountIds, (done) => send({ op: 'progress', done }));
      send(
        { op: 'measured', values },
        Object.values(values).map((v) => v.buffer as ArrayBuffer),
      );
      return;
    }
    case 'score': {
      const tables: PercentileTables = new Map(message.tables);
      await s.score(tables, async (rows) => send({ op: 'rows', rows }));
      send({ op: 'scored' });
      return;
    }
    case 'close':
      await s.close();
      send({ op: 'closed' });
      port.close();
  }
}
