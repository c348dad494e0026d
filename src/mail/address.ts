/** A deliberately plain check: one @, no spaces or control characters, a dotted domain. */
const ADDRESS =
  /^[^\s@"<>()[\]\\,;:]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/** Trims and lower-cases the domain (the local part is case-sensitive by the RFC); null when invalid. */
export function normalizeAddress(raw: string): string | null {
  const trimmed = raw.trim();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || trimmed.length > 254 || at > 64) return null;
  const address = `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
  return ADDRESS.test(address) ? address : null;
}
