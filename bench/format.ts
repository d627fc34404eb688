// Number formats of the benchmark tables.

export const rate = (n: number, ms: number) => n / (ms / 1000);
export const secs = (ms: number) => (ms / 1000).toFixed(2);
export const mb = (n: number) => n.toFixed(1);
export const times = (n: number) => `${n.toFixed(2)}x`;
