// No generated topology value ever appears in an error when it looks like a secret: a secret of every
// kind the detector knows is put into a random string field, a random key, an unknown key or a config
// value of a generated environment; the load must fail, and neither the loader's message nor the CLI's
// stderr may hold the secret or any 8-character piece of its secret part.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { parse, stringify } from 'yaml';
import { reportError, type Io } from '../../src/cli';
import { secretKind } from '../../src/lib/secrets';
import { buildTopology, parseEnvironment, TopologyError } from '../../src/topology';
import { envShape, renderEnvironment } from './arbitraries';

/** A secret-looking value and the part of it that is the secret (what must never be printed). */
interface Secret {
  readonly value: string;
  readonly core: string;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const chars = (alphabet: string, minLength: number, maxLength = minLength): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });
/** Letters and digits with at least one upper-case letter, one lower-case letter and one digit (random tokens look like this). */
const mixed = (length: number): fc.Arbitrary<string> => chars(ALNUM, length - 3).map((s) => `${s.slice(0, 5)}Q${s.slice(5)}x7`);
const b64url = (s: string): string => Buffer.from(s).toString('base64url');
const whole = (value: string): Secret => ({ value, core: value });

const secrets: Record<string, fc.Arbitrary<Secret>> = {
  pem: fc
    .tuple(fc.constantFrom('RSA ', 'EC ', 'DSA ', 'OPENSSH ', 'ENCRYPTED ', ''), chars(`${ALNUM}+/`, 40, 120))
    .map(([type, body]) => ({ value: `-----BEGIN ${type}PRIVATE KEY-----\n${body.replace(/(.{64})/g, '$1\n')}\n-----END ${type}PRIVATE KEY-----\n`, core: body })),
  pgp: chars(`${ALNUM}+/`, 40, 120).map((body) => ({ value: `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${body}\n-----END PGP PRIVATE KEY BLOCK-----`, core: body })),
  base64Pem: fc
    .tuple(fc.constantFrom('RSA ', 'EC ', 'OPENSSH ', ''), chars(`${ALNUM}+/`, 40, 90))
    .map(([type, body]) => whole(Buffer.from(`-----BEGIN ${type}PRIVATE KEY-----\n${body}\n-----END ${type}PRIVATE KEY-----\n`).toString('base64'))),
  aws: fc.tuple(fc.constantFrom('AKIA', 'ASIA'), chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)).map(([p, s]) => whole(`${p}${s}`)),
  vault: fc.tuple(fc.constantFrom('hvs.', 'hvb.', 'hvr.'), chars(`${ALNUM}_-`, 24, 95)).map(([p, s]) => whole(`${p}${s}`)),
  vaultLegacy: mixed(24).map((s) => whole(`s.${s}`)),
  github: fc.tuple(fc.constantFrom('ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'), chars(ALNUM, 36)).map(([p, s]) => whole(`${p}${s}`)),
  githubPat: fc.tuple(chars(ALNUM, 22), chars(ALNUM, 59)).map(([a, b]) => whole(`github_pat_${a}_${b}`)),
  gitlab: chars(`${ALNUM}_-`, 20, 40).map((s) => whole(`glpat-${s}`)),
  slack: fc.tuple(fc.constantFrom('a', 'b', 'p', 'r', 's'), chars('0123456789', 10, 13), chars(ALNUM, 24)).map(([t, n, s]) => whole(`xox${t}-${n}-${s}`)),
  slackWebhook: fc
    .tuple(chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 9), chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 9), chars(ALNUM, 24))
    .map(([t, b, s]) => ({ value: `https://hooks.slack.com/services/T${t}/B${b}/${s}`, core: `T${t}/B${b}/${s}` })),
  jwt: fc
    .tuple(chars(ALNUM, 8, 16), chars(ALNUM, 8, 30), chars(`${ALNUM}_-`, 43))
    .map(([kid, sub, sig]) => whole(`${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid }))}.${b64url(JSON.stringify({ sub }))}.${sig}`)),
  urlPassword: fc
    .tuple(fc.constantFrom('https', 'http', 'postgres', 'redis', 'amqp', 'ssh'), chars('abcdefghijklmnopqrstuvwxyz', 1, 10), chars(`${ALNUM}-_.~`, 12, 30))
    .map(([scheme, user, password]) => ({ value: `${scheme}://${user}:${password}@host.example.com:5432/x`, core: password })),
  urlTokenUser: fc.oneof(chars(ALNUM, 36).map((s) => `ghp_${s}`), mixed(32)).map((token) => ({ value: `https://${token}@github.com/example/repo.git`, core: token })),
};
const secret: fc.Arbitrary<Secret> = fc.oneof(...Object.values(secrets));

type Path = (string | number)[];

/** Paths of every string value and of every mapping of a parsed document. */
function targets(doc: unknown): { strings: Path[]; maps: Path[] } {
  const strings: Path[] = [];
  const maps: Path[] = [];
  const walk = (v: unknown, path: Path): void => {
    if (typeof v === 'string') strings.push(path);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v !== null && typeof v === 'object') {
      maps.push(path);
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    }
  };
  walk(doc, []);
  return { strings, maps };
}

const at = (doc: any, path: Path): any => path.reduce((o, k) => o[k], doc);

/** Puts the secret into the document: as a value, inside a value, as a renamed key, as a new key, or as a config value. */
function inject(doc: any, s: Secret, mode: number, pick: number, words: [string, string]): void {
  const { strings, maps } = targets(doc);
  switch (mode) {
    case 0:
    case 1: {
      const path = strings[pick % strings.length]!;
      const parent = at(doc, path.slice(0, -1));
      parent[path[path.length - 1]!] = mode === 0 ? s.value : `${words[0]} ${s.value} ${words[1]}`;
      return;
    }
    case 2: {
      const path = maps[pick % maps.length]!;
      const map = at(doc, path);
      const keys = Object.keys(map);
      const old = keys[pick % keys.length]!;
      const renamed = Object.fromEntries(Object.entries(map).map(([k, v]) => [k === old ? s.value : k, v]));
      for (const k of keys) delete map[k];
      Object.assign(map, renamed);
      return;
    }
    case 3:
      at(doc, maps[pick % maps.length]!)[s.value] = words[0];
      return;
    default: {
      const services = doc.services as any[];
      if (services.length === 0) {
        doc.argocd.revision = s.value;
        return;
      }
      const svc = services[pick % services.length];
      svc.config = pick % 2 === 0 ? { SETTING: s.value } : { [s.value]: 'x' };
    }
  }
}

describe('secrets never reach an error message', () => {
  test('every generator makes values the detector knows', () => {
    const sample = fc.sample(fc.tuple(...Object.values(secrets)), 20);
    for (const row of sample) for (const s of row) expect(secretKind(s.value), s.value).toBeDefined();
  });

  test.prop([envShape, secret, fc.integer({ min: 0, max: 4 }), fc.nat(), fc.tuple(chars('abcdefghijklmnopqrstuvwxyz', 1, 8), chars('abcdefghijklmnopqrstuvwxyz', 1, 8))], { numRuns: 150 })(
    'the load fails and neither the message nor stderr holds any 8-character piece of the secret',
    (shape, s, mode, pick, words) => {
      const doc = parse(renderEnvironment(shape));
      inject(doc, s, mode, pick, words);
      const text = stringify(doc);
      let error: unknown;
      try {
        buildTopology([parseEnvironment(text, 'prop.yaml')]);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TopologyError);
      let stderr = '';
      const io: Io = { out: () => undefined, err: (t) => (stderr += t), color: false };
      reportError(error, io);
      const shown = `${(error as TopologyError).message}\n${stderr}`;
      for (let i = 0; i + 8 <= s.core.length; i++) {
        const piece = s.core.slice(i, i + 8);
        expect(shown.includes(piece), `"${piece}" of the secret is shown:\n${shown}`).toBe(false);
      }
    },
  );
});
