// The one detector of secret-looking values: every kind it knows, the values it must leave alone (Secret
// references, certificates, URLs with a bare user), and the scrubber every message goes through.
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isSecretName, quoteValue, scrubSecrets, secretKind } from '../../src/lib/secrets';
import { buildTopology, parseEnvironment } from '../../src/topology';

const pem = (type: string): string => `-----BEGIN ${type}-----\nMIIEowIBAAKCAQEA7v\n-----END ${type}-----\n`;

describe('secretKind', () => {
  it.each([
    [pem('RSA PRIVATE KEY'), 'a private key (PEM)'],
    [pem('EC PRIVATE KEY'), 'a private key (PEM)'],
    [pem('DSA PRIVATE KEY'), 'a private key (PEM)'],
    [pem('ENCRYPTED PRIVATE KEY'), 'a private key (PEM)'],
    [pem('OPENSSH PRIVATE KEY'), 'a private key (PEM)'],
    [pem('PRIVATE KEY'), 'a private key (PEM)'],
    [pem('PGP PRIVATE KEY BLOCK'), 'a private key (PEM)'],
    [Buffer.from(pem('RSA PRIVATE KEY')).toString('base64'), 'a base64-encoded private key'],
    [`x${Buffer.from(`ab${pem('OPENSSH PRIVATE KEY')}`).toString('base64')}`, 'a base64-encoded private key'],
    ['AKIAIOSFODNN7EXAMPLE', 'an AWS access key'],
    ['ASIAIOSFODNN7EXAMPLE', 'an AWS access key'],
    ['hvs.CAESIABcDeFgHiJkLmNoPqRsTuVwXyZ', 'a Vault token'],
    ['hvb.AAAAAQJkLmNoPqRsTuVwXyZ0123456', 'a Vault token'],
    ['VAULT_TOKEN=s.AbCdEfGhIjKlMnOpQrStUv12', 'a Vault token'],
    ['ghp_A1bC2dE3fH4iJ5kL6mN7oP8qR9sT0uVwXyZ', 'a GitHub token'],
    ['gho_A1bC2dE3fH4iJ5kL6mN7oP8qR9sT0uVwXyZ', 'a GitHub token'],
    ['ghs_A1bC2dE3fH4iJ5kL6mN7oP8qR9sT0uVwXyZ', 'a GitHub token'],
    [`github_pat_${'A1b'.repeat(7)}C_${'d2E'.repeat(19)}f3`, 'a GitHub token'],
    ['glpat-z_sxgtrfAxKr8q1TPY8Y', 'a GitLab token'],
    ['xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', 'a Slack token'],
    ['xoxp-123456789012-AbCdEfGhIj', 'a Slack token'],
    ['https://hooks.slack.com/services/T01234567/B01234567/AbCdEfGhIjKlMnOpQrStUvWx', 'a Slack webhook URL'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'a JSON Web Token'],
    ['https://user:pw@git.example.com/x.git', 'a password in a URL'],
    ['postgres://app:Sup3rS3cret@db:5432/app', 'a password in a URL'],
    ['ssh://git:pw@github.com/org/repo.git', 'a password in a URL'],
    ['https://ghp_A1bC2dE3fH4iJ5kL6mN7oP8qR9sT0uVwXyZ@github.com/org/repo.git', 'a token in a URL'],
    ['https://aB3dE5gH7jK9mN1pQ3sT5v@git.example.com/x', 'a token in a URL'],
  ])('finds %j: %s', (value, kind) => {
    expect(secretKind(value)).toBe(kind);
  });

  it.each([
    pem('CERTIFICATE'),
    Buffer.from(pem('CERTIFICATE')).toString('base64'),
    'ssh://git@github.com/org/repo.git',
    'git@github.com:org/repo.git',
    'https://deploy@git.example.com/org/repo.git',
    'https://x-access-token@github.com/org/repo.git',
    'postgresql://shop@cockroachdb-public.cockroachdb.svc.cluster.local:26257/shop?sslmode=verify-full',
    'https://api.cluster1.example.com:6443',
    's.example.com',
    'b.cluster1.example.org',
    'quay.io/example/shop@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    'vault-transit-token',
    'github-token',
    'AKIA-not-a-key',
    'eyJ',
  ])('leaves %j alone', (value) => {
    expect(secretKind(value)).toBeUndefined();
  });
});

describe('isSecretName', () => {
  it.each(['DB_PASSWORD', 'DB_PASSWD', 'DB_PASS', 'dbPass', 'PASS', 'SMTP_PWD', 'GPG_PASSPHRASE', 'CLIENT_SECRET', 'clientSecret', 'API_TOKEN', 'AWS_CREDENTIALS', 'API_KEY', 'APIKEY', 'apiKey', 'PRIVATE_KEY', 'SSH_PRIVATE', 'IPSEC_PSK'])('%s names a secret', (key) => {
    expect(isSecretName(key)).toBe(true);
  });
  it.each(['LOG_LEVEL', 'BYPASS_CACHE', 'COMPASS_URL', 'PASSTHROUGH', 'SURPASS', 'FEATURE_FLAGS', 'PORT'])('%s does not', (key) => {
    expect(isSecretName(key)).toBe(false);
  });
});

describe('scrubSecrets', () => {
  it('hides each value and keeps the rest of the message', () => {
    const token = 'ghp_A1bC2dE3fH4iJ5kL6mN7oP8qR9sT0uVwXyZ';
    expect(scrubSecrets(`services[0].image: "${token}" has the wrong format`)).toBe('services[0].image: "[a GitHub token hidden]" has the wrong format');
    expect(scrubSecrets(JSON.stringify(pem('RSA PRIVATE KEY')))).toBe('"[a private key (PEM) hidden]\\n"');
    expect(scrubSecrets('repo https://u:Hunter2@git.example.com/x.git and more')).toBe('repo [a password in a URL hidden] and more');
  });

  it('hides a private key block that was cut before its END line, quoted or not', () => {
    expect(scrubSecrets('"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIK" is too long')).toBe('"[a private key (PEM) hidden]" is too long');
    expect(scrubSecrets('x: -----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIKeyBytes0123\nAoGBAMoreKeyBytes+/=\nf.yaml:2:1: next problem')).toBe('x: [a private key (PEM) hidden]\nf.yaml:2:1: next problem');
  });

  it('quotes a value scrubbed first and cut second, so a cut never leaves part of a secret', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    expect(quoteValue(jwt, 40)).toBe('"[a JSON Web Token hidden]"');
    expect(quoteValue('x'.repeat(50), 10)).toBe(`"${'x'.repeat(8)}…`);
  });
});

describe('the topology checks keep Secret references working', () => {
  it('loads an environment whose *Secret fields name Secrets and whose repository URL has a bare ssh user', () => {
    const base = fs.readFileSync('test/fixtures/environments/minimal.yaml', 'utf8');
    for (const repo of ['ssh://git@github.com/example/min.git', 'git@github.com:example/min.git', 'https://deploy@git.example.org/min.git']) {
      const text = base.replace(/repoURL: \S+/, `repoURL: ${repo}`);
      expect(text).toContain(repo);
      const env = buildTopology([parseEnvironment(text, 'minimal.yaml')]).environments[0]!;
      expect(env.argocd.repoURL).toBe(repo);
      expect(env.submariner.brokerSecret).not.toBe('');
    }
  });
});
