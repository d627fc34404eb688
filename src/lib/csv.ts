// Writing CSV: one line from a list of values, quoted per RFC 4180 where needed.

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(values: readonly string[]): string {
  return values.map(csvField).join(',') + '\n';
}
