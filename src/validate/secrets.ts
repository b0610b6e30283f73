// What secret material looks like in a manifest. Used by the no-secret-material rule and by
// `meridian diff`, which must never print such a value even if one slipped into dist/.
import type { Segment } from './tree';

/** Values that are secret material whatever field holds them: private keys, cloud keys, Vault/GitHub tokens, JWTs. */
export const SECRET_VALUE = /-----BEGIN [A-Z ]*PRIVATE KEY-----|\bAKIA[0-9A-Z]{16}\b|\bhv[sbr]\.[A-Za-z0-9_-]{20,}|\bgh[pousr]_[A-Za-z0-9]{30,}|\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./;

/** Names of environment variables and ConfigMap keys whose values are secrets by name. */
export const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|PSK)/i;

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
  if (typeof value === 'string' && SECRET_VALUE.test(value)) return true;
  const last = [...path].reverse().find((s): s is string => typeof s === 'string');
  return typeof value === 'string' && value !== '' && last !== undefined && INLINE_SECRET_FIELDS.has(last);
}

export const MASK = '(secret value hidden)';
