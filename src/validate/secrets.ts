// What secret material looks like in a manifest. Used by the no-secret-material rule and by
// `meridian diff`, which must never print such a value even if one slipped into dist/. The detector
// itself is src/lib/secrets.ts, shared with the topology checks.
import { isSecretName, secretKind } from '../lib/secrets';
import type { Segment } from './tree';

export { isSecretName, secretKind };

/**
 * Fields of upstream objects that carry a secret inline when set to a string; meridian must use
 * the Secret-reference field beside each instead (REFERENCE §2.6: `brokerK8sSecret`, `ceIPSecPSKSecret`).
 */
export const INLINE_SECRET_FIELDS: ReadonlySet<string> = new Set([
  'brokerK8sApiServerToken',
  'ceIPSecPSK',
  'password',
  'token',
  'secret_key',
  'access_key',
  'secretAccessKey',
  'client_secret',
  'psk',
  'apiKey',
]);

/**
 * Whether a value at this path of an object of this kind must never be displayed: anything under a
 * Secret's data, secret material by its shape, and inline-secret fields set to a string.
 */
export function isSecretValue(kind: string, path: readonly Segment[], value: unknown): boolean {
  if (kind === 'Secret' && (path[0] === 'data' || path[0] === 'stringData')) return true;
  if (typeof value === 'string' && secretKind(value) !== undefined) return true;
  const last = [...path].reverse().find((s): s is string => typeof s === 'string');
  return typeof value === 'string' && value !== '' && last !== undefined && INLINE_SECRET_FIELDS.has(last);
}

export const MASK = '(secret value hidden)';
