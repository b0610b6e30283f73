// Secrets never enter an environment file: every key and every string value is checked with the one
// detector (src/lib/secrets.ts), credentials in URLs are refused at their field, and config keys named
// like secrets are refused. Messages name the field and the kind of material, never the value (and
// TopologyError scrubs every message once more, whatever produced it).
import { isSecretName, secretKind, urlCredential } from '../lib/secrets';
import { walkSpec, type PathSegment } from './problems';
import type { EnvironmentSpec } from './schema';

export type SecretReport = (path: readonly PathSegment[], message: string) => void;

/** Certificates are not secret, but a pasted one means a key is usually next to it; the CA comes from pki.rootCASecret. */
const CERTIFICATE = /-----BEGIN [A-Z0-9 ]*CERTIFICATE-----/;

const REFERENCE_ONLY = 'meridian writes only references: store it in a Secret out-of-band and name the Secret';

/** Where the credential of a URL-valued field goes instead, by field. */
function urlAdvice(path: readonly PathSegment[]): string {
  const last = path[path.length - 1];
  if (path[0] === 'argocd' && last === 'repoURL') {
    return 'Argo CD reads repository credentials from a repository Secret (label argocd.argoproj.io/secret-type: repository) that matches the URL, so write the URL without them';
  }
  if (path[0] === 'clusters' && last === 'server') return 'Argo CD takes cluster credentials from its cluster Secret (meridian register-clusters step), so write https://host:port only';
  if (path[0] === 'vault' && last === 'address') return 'the transit seal reads its token from tokenSecret, so write https://host:port only';
  return `remove the user and password from the URL and provide them through a Secret`;
}

/**
 * The problem of a string value that is secret material (a credential in a URL, a key, a token), or
 * undefined. Also used for values the schema refuses, so that such a value is reported as what it is
 * rather than as a malformed value (parse.ts).
 */
export function secretValueProblem(path: readonly PathSegment[], value: string): string | undefined {
  const inUrl = urlCredential(value);
  if (inUrl !== undefined) return `holds ${inUrl}; URLs are committed to git (dist/argocd, the cluster folders, the report): ${urlAdvice(path)}`;
  const kind = secretKind(value);
  return kind === undefined ? undefined : `holds ${kind}; ${REFERENCE_ONLY}`;
}

/** Every problem of secret material in the file: keys, values, URL credentials, secret-named config keys. */
export function refuseSecrets(spec: EnvironmentSpec, report: SecretReport): void {
  walkSpec(spec, {
    string: (path, value) => {
      const secret = secretValueProblem(path, value);
      if (secret !== undefined) report(path, secret);
      else if (CERTIFICATE.test(value)) {
        report(path, `holds a certificate (PEM); certificates come from the root CA Secret named in pki.rootCASecret and from cert-manager, and a pasted one usually travels with its key: ${REFERENCE_ONLY}`);
      }
    },
    key: (path, key) => {
      const kind = secretKind(key);
      if (kind !== undefined) report(path, `key holds ${kind}; ${REFERENCE_ONLY}`);
    },
  });
  (spec.services ?? []).forEach((s, i) => {
    for (const key of Object.keys(s.config ?? {})) {
      if (isSecretName(key) && secretKind(key) === undefined) {
        report(['services', i, 'config', key], `"${key}" looks like a secret; config becomes a ConfigMap committed to git, so provision a Secret out-of-band instead`);
      }
    }
  });
}
