#!/usr/bin/env node
// The `canary` command. Canary runs its TypeScript sources directly through tsx,
// so a clone works without a separate build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
