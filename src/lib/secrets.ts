// The one detector of secret-looking values, shared by the topology checks (refuse it in environment
// files), the output rules (MER030, MER031) and `meridian diff` (never print it), and the scrubber that
// keeps such values out of every error message. It reports the kind of material found, never the value.
//
// Token formats, as published upstream (the pages read to check them):
// - GitHub: ghp_ (personal), gho_ (OAuth), ghu_ (user-to-server), ghs_ (server-to-server), ghr_ (refresh),
//   character set [A-Za-z0-9_], 40 characters today and "up to 255" announced, so 30 or more are matched
//   (https://github.blog/changelog/2021-03-31-authentication-token-format-updates-are-generally-available);
//   fine-grained PATs github_pat_<22>_<59> (https://gist.github.com/magnetikonline/073afe7909ffdd6f10ef06a00bc3bc88).
// - GitLab personal access tokens: glpat- then 20 or more of [A-Za-z0-9_-], the default prefix
//   (https://gitlab.com/gitlab-org/gitlab/-/issues/342327).
// - Slack: xoxb- bot and xoxp- user tokens (https://docs.slack.dev/authentication/tokens lists the token
//   types), also xoxa-/xoxr-/xoxs-; incoming webhooks are https://hooks.slack.com/services/T.../B.../<secret>,
//   where the URL itself is the credential.
// - Vault >= 1.10: hvs. service, hvb. batch, hvr. recovery tokens; earlier s., b., r.
//   (https://notes.kodekloud.com/docs/HashiCorp-Certified-Vault-Associate-Certification/Assess-Vault-Tokens/Assess-Vault-Tokens-Section-Overview/page,
//   summarising https://developer.hashicorp.com/vault/docs/concepts/tokens). The length of legacy tokens
//   is not stated there: s. + 24 or more letters and digits is matched only when they mix upper case,
//   lower case and digits, which no DNS name, image or path of an environment file does (they are lower case).
// - AWS access key IDs: AKIA (long-term) and ASIA (STS temporary) + 16 of [A-Z0-9]
//   (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetAccessKeyInfo.html).

/** What kind of secret material a value holds, for messages ("holds a GitHub token"). */
export type SecretKind =
  | 'a private key (PEM)'
  | 'a base64-encoded private key'
  | 'an AWS access key'
  | 'a Vault token'
  | 'a GitHub token'
  | 'a GitLab token'
  | 'a Slack token'
  | 'a Slack webhook URL'
  | 'a JSON Web Token'
  | 'a password in a URL'
  | 'a token in a URL';

interface Pattern {
  readonly kind: SecretKind;
  /** Global regex; each match is the extent that is hidden when scrubbing. */
  readonly re: RegExp;
  /** Extra test of a match (fewer false positives than a regex alone can give). */
  readonly accept?: (match: string) => boolean;
}

/** BEGIN line of any private key armour: RSA, EC, DSA, ENCRYPTED, OPENSSH, PKCS#8, PGP ("PGP PRIVATE KEY BLOCK"). */
const PEM_BEGIN = String.raw`-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----`;
const PEM_END = String.raw`-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----`;
const PEM_BEGIN_RE = new RegExp(PEM_BEGIN);
/** base64 of "-----BEGIN" at each of the three byte alignments. */
const BASE64_PEM = /(?:LS0tLS1CRUdJTi|0tLS0tQkVHSU4|tLS0tLUJFR0lO)/;
const mixedCase = (s: string): boolean => /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s);

const PATTERNS: readonly Pattern[] = [
  // The block up to its END line; a block without one (pasted in part, or cut) up to the end of the line
  // or quoted string, and the lines of base64 that follow it (real or escaped newlines).
  { kind: 'a private key (PEM)', re: new RegExp(`${PEM_BEGIN}(?:[\\s\\S]*?${PEM_END}|[^"\\n]*(?:(?:\\n|\\\\n)[A-Za-z0-9+/=]*(?=\\n|\\\\n|"|$))*)`, 'g') },
  { kind: 'a base64-encoded private key', re: /[A-Za-z0-9+/_-]{20,}={0,2}/g, accept: (m) => BASE64_PEM.test(m) && PEM_BEGIN_RE.test(decodeBase64(m)) },
  { kind: 'a Slack webhook URL', re: /(?:https?:\/\/)?hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]{8,}/g },
  { kind: 'a password in a URL', re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:"'<>]*:[^\s/?#@"'<>]+@[^\s"'<>]*/gi },
  { kind: 'a token in a URL', re: /\bhttps?:\/\/[^\s/?#@:"'<>]+@[^\s"'<>]*/gi, accept: (m) => looksLikeToken(m.slice(m.indexOf('//') + 2, m.indexOf('@'))) },
  { kind: 'an AWS access key', re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { kind: 'a Vault token', re: /\bhv[sbr]\.[A-Za-z0-9_-]{20,}/g },
  { kind: 'a Vault token', re: /\b[sbr]\.[A-Za-z0-9]{24,}\b/g, accept: (m) => mixedCase(m.slice(2)) },
  { kind: 'a GitHub token', re: /\bgh[pousr]_[A-Za-z0-9_]{30,}/g },
  { kind: 'a GitHub token', re: /\bgithub_pat_[A-Za-z0-9_]{22,}/g },
  { kind: 'a GitLab token', re: /\bglpat-[A-Za-z0-9_-]{20,}/g },
  { kind: 'a Slack token', re: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g },
  { kind: 'a JSON Web Token', re: /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/g },
];

function decodeBase64(s: string): string {
  let out = '';
  // Either alphabet (standard or URL-safe), at each of the four character offsets a prefix could shift it by.
  for (let k = 0; k < 4; k++) out += `${Buffer.from(s.slice(k).replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('latin1')}\n`;
  return out;
}

/** Whether the user part of an http(s) URL is a credential rather than a login name. */
function looksLikeToken(user: string): boolean {
  if (PATTERNS.some((p) => p.kind !== 'a token in a URL' && p.kind !== 'a password in a URL' && matches(p, user))) return true;
  // A long run of letters and digits mixing cases and digits (an access token, an API key), not a name like "git" or "deploy-bot".
  return user.length >= 20 && mixedCase(user);
}

function matches(p: Pattern, s: string): boolean {
  p.re.lastIndex = 0;
  for (let m = p.re.exec(s); m !== null; m = p.re.exec(s)) {
    if (!p.accept || p.accept(m[0])) return true;
    if (m[0].length === 0) p.re.lastIndex++;
  }
  return false;
}

/** One cheap pass that every secret shape needs to match somewhere, so most strings skip the patterns. */
const ANY_SECRET = /-----BEGIN|LS0t|0tLS0t|tLS0tL|AKIA|ASIA|hv[sbr]\.|[sbr]\.[A-Za-z0-9]{24}|gh[pousr]_|github_pat_|glpat-|xox[abprs]-|hooks\.slack\.com|eyJ|:\/\/[^\s]*@/;

/** The kind of secret material in `value`, or undefined. Never returns the value itself. */
export function secretKind(value: string): SecretKind | undefined {
  if (!ANY_SECRET.test(value)) return undefined;
  return PATTERNS.find((p) => matches(p, value))?.kind;
}

/**
 * `text` with every secret-looking value replaced by `[<kind> hidden]`. Applied to every message
 * meridian prints about environment files and generated output, so no code path can echo a secret.
 */
export function scrubSecrets(text: string): string {
  if (!ANY_SECRET.test(text)) return text;
  let out = text;
  for (const p of PATTERNS) {
    p.re.lastIndex = 0;
    out = out.replace(p.re, (m) => (!p.accept || p.accept(m) ? `[${p.kind} hidden]` : m));
  }
  return out;
}

/** `JSON.stringify(value)` cut to `max` characters, scrubbed first so a cut can never leave part of a secret. */
export function quoteValue(value: unknown, max: number): string {
  const q = scrubSecrets(JSON.stringify(String(value)));
  return q.length <= max ? q : `${q.slice(0, max - 1)}…`;
}

/**
 * Whether a mapping key names a secret (its value is then refused or masked): PASSWORD, PASSWD,
 * PASSPHRASE, SECRET, TOKEN, CREDENTIAL, API_KEY/APIKEY, PRIVATE (PRIVATE_KEY...), PSK anywhere in
 * the key, and PASS or PWD as a word of it (DB_PASS, dbPass) but not inside another word (BYPASS, COMPASS).
 */
export const SECRET_NAME = /(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|CREDENTIAL|API_?KEY|PRIVATE|PSK)/i;

export function isSecretName(key: string): boolean {
  return SECRET_NAME.test(key) || /(?:^|[^A-Za-z])(?:pass|pwd)(?:$|[^A-Za-z])/i.test(key) || /[a-z0-9](?:Pass|Pwd)(?:$|[^a-z])/.test(key);
}

/** URL credentials: the kind, when `value` is a URL whose userinfo carries a password, or a token as the user of an http(s) URL. */
export function urlCredential(value: string): 'a password in a URL' | 'a token in a URL' | undefined {
  const kind = secretKind(value);
  return kind === 'a password in a URL' || kind === 'a token in a URL' ? kind : undefined;
}
