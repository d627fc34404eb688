// Owns the recorded health models (health_models): the model a scoring run uses is
// recorded under its version the first time, a different model under a recorded version
// is refused (a version must mean one model: snapshots are read back with it), and the
// models of stored snapshots are looked up by version (parsed once per process).
import { createHash } from 'node:crypto';
import type { HealthModel } from '../health/model.ts';
import type { Db } from './db.ts';

export class ModelVersionConflict extends Error {}

/** Records the model under its version, or checks that the recorded one is the same. */
export async function recordModel(db: Db, model: HealthModel, now: Date): Promise<void> {
  const definition = JSON.stringify(model);
  const hash = createHash('sha256').update(definition).digest('hex');
  let recorded = await db.healthModelVersion.findUnique({ where: { version: model.version } });
  if (!recorded) {
    try {
      recorded = await db.healthModelVersion.create({
        data: {
          version: model.version,
          name: model.name ?? null,
          definition,
          hash,
          recordedAt: now,
        },
      });
    } catch (error) {
      // Another process recorded it first: compare with theirs.
      recorded = await db.healthModelVersion.findUnique({ where: { version: model.version } });
      if (!recorded) throw error;
    }
  }
  if (recorded.hash !== hash) {
    throw new ModelVersionConflict(
      `the health model's version "${model.version}" already scored with a different model ` +
        `(recorded ${recorded.recordedAt.toISOString()}); give the changed model a new \`version\``,
    );
  }
}

// A recorded version never changes (recordModel refuses a different model under it), so
// each database's models are parsed and validated once per process. Keyed by the Prisma
// client, which is one database: two databases in one process (tests) never share.
const parsed = new WeakMap<Db, Map<string, HealthModel>>();

/** The recorded models of the given versions (a version never recorded is left out); without versions, all of them. */
export async function recordedModels(db: Db, versions?: Iterable<string>): Promise<Map<string, HealthModel>> {
  let known = parsed.get(db);
  if (!known) parsed.set(db, (known = new Map()));
  const wanted = versions === undefined ? null : [...new Set(versions)];
  const missing = wanted?.filter((v) => !known.has(v));
  if (missing === undefined || missing.length > 0) {
    const rows = await db.healthModelVersion.findMany({
      where: missing ? { version: { in: missing } } : { version: { notIn: [...known.keys()] } },
    });
    if (rows.length > 0) {
      // The model's schema (zod, yaml) loads only here: scoring workers import this module
      // for other things, and start faster without it.
      const { validateModel } = await import('../health/model.ts');
      for (const r of rows)
        known.set(
          r.version,
          validateModel(JSON.parse(r.definition), `the recorded health model ${r.version}`),
        );
    }
  }
  const out = new Map<string, HealthModel>();
  for (const v of wanted ?? known.keys()) {
    const model = known.get(v);
    if (model) out.set(v, model);
  }
  return out;
}
