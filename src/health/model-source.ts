// The health model a long-running process uses: loaded at start, reloaded when the
// file changes (or on demand), and kept as it was when the new file is invalid, so a
// bad edit never takes the running bot down or leaves it without a model.
import { unwatchFile, watchFile } from 'node:fs';
import { DEFAULT_MODEL_FILE, loadModel, ModelError, type HealthModel } from './model.ts';

export class ModelSource {
  private current: HealthModel;
  private watching = false;

  /** Throws ModelError when the file is invalid at start: there is no previous model to keep. */
  constructor(
    readonly file: string = DEFAULT_MODEL_FILE,
    private readonly events: {
      reloaded?: (model: HealthModel) => void;
      rejected?: (error: ModelError) => void;
    } = {},
  ) {
    this.current = loadModel(file);
  }

  get model(): HealthModel {
    return this.current;
  }

  /** Loads the file again; on an invalid file keeps the current model and reports why. */
  reload(): boolean {
    try {
      this.current = loadModel(this.file);
      this.events.reloaded?.(this.current);
      return true;
    } catch (err) {
      if (!(err instanceof ModelError)) throw err;
      this.events.rejected?.(err);
      return false;
    }
  }

  /** Reloads whenever the file's modification time changes (polling, so it works on every filesystem). */
  watch(intervalMs = 2_000): void {
    if (this.watching) return;
    this.watching = true;
    watchFile(this.file, { interval: intervalMs, persistent: false }, (now, before) => {
      if (now.mtimeMs !== before.mtimeMs) this.reload();
    });
  }

  close(): void {
    if (this.watching) unwatchFile(this.file);
    this.watching = false;
  }
}
