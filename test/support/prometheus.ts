/** One sample of Prometheus text: `name{labels} value`, or `name value` without labels; null if absent. */
export function sample(text: string, name: string, labels = ''): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? null : Number(line.slice(line.lastIndexOf(' ') + 1));
}
