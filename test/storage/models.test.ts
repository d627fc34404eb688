// The recorded health models: a model is recorded under its version the first time it
// scores; the same model again is fine; a changed model under that version is refused,
// since snapshots are read back with the model their version names; a version once read
// is not read again, and each database has its own.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/health/model.ts';
import { ModelVersionConflict, recordedModels, recordModel } from '../../src/storage/models.ts';
import { freshDatabase, TEST_PROVIDERS } from '../support/databases.ts';
import type { Database } from '../../src/storage/db.ts';

describe.each(TEST_PROVIDERS)('%s: recorded health models', (provider) => {
  let d: Database;
  beforeEach(async () => {
    d = await freshDatabase(provider);
  });
  afterEach(async () => {
    await d.close();
  });

  it('records a model once, reads it back whole and in order, and refuses a changed one under its version', async () => {
    const model = loadModel();
    const at = new Date('2026-11-20T01:00:00Z');
    await recordModel(d.db, model, at);
    await recordModel(d.db, model, new Date(at.getTime() + 1000));
    expect(await d.db.healthModelVersion.count()).toBe(1);

    const read = (await recordedModels(d.db, [model.version, 'never-used'])).get(model.version)!;
    expect(read).toEqual(model);
    // Snapshots keep their numbers in this order.
    expect(Object.keys(read.measures)).toEqual(Object.keys(model.measures));
    expect(Object.keys(read.components)).toEqual(Object.keys(model.components));
    expect((await recordedModels(d.db, ['never-used'])).size).toBe(0);

    const tuned = structuredClone(model);
    tuned.components.usage!.weight = 35;
    await expect(recordModel(d.db, tuned, at)).rejects.toThrow(ModelVersionConflict);
    await expect(recordModel(d.db, tuned, at)).rejects.toThrow(/give the changed model a new `version`/);
    await recordModel(d.db, { ...tuned, version: `${model.version}-b` }, at);
    expect(await d.db.healthModelVersion.count()).toBe(2);
  });

  it("parses a recorded model once per database: read again without its row, and never taken for another database's", async () => {
    const model = loadModel();
    const at = new Date('2026-11-20T01:00:00Z');
    const other = await freshDatabase(provider);
    try {
      // The same version meaning another model in another database (another book).
      const tuned = structuredClone(model);
      tuned.components.usage!.weight = 35;
      await recordModel(d.db, model, at);
      await recordModel(other.db, tuned, at);
      expect((await recordedModels(d.db, [model.version])).get(model.version)).toEqual(model);
      expect((await recordedModels(other.db, [model.version])).get(model.version)).toEqual(tuned);

      // Read once, a version is not read again (it cannot change); one not read yet is.
      await d.db.healthModelVersion.deleteMany();
      expect((await recordedModels(d.db, [model.version])).get(model.version)).toEqual(model);
      await recordModel(d.db, { ...model, version: `${model.version}-b` }, at);
      expect([...(await recordedModels(d.db)).keys()].sort()).toEqual([model.version, `${model.version}-b`]);
      expect([...(await recordedModels(other.db)).keys()]).toEqual([model.version]);
    } finally {
      await other.close();
    }
  });
});
