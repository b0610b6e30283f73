// Secret material outside the objects: the per-environment reports (dist/<env>.report.md) and any other
// file of the tree that is not a manifest. MER030 checks every object; this rule reads the rest, since
// the report quotes repository URLs, API server URLs and seal addresses from the environment files.
import { secretKind } from '../../lib/secrets';
import type { Finding, Rule } from '../rule';

const MANIFEST = /\.ya?ml$/;

export const noSecretInFiles: Rule = {
  id: 'MER031',
  name: 'no-secret-in-files',
  description: 'no file of the tree that is not a manifest (the environment reports, notes) holds secret material: private keys, access keys, tokens, credentials in URLs',
  fix: 'remove the value from the environment file it came from (meridian refuses it there) or from the file, and provide it through a Secret provisioned out-of-band',
  check(tree) {
    const out: Finding[] = [];
    for (const file of tree.files) {
      if (MANIFEST.test(file)) continue;
      const text = tree.text(file);
      if (text === undefined) continue;
      text.split('\n').forEach((line, i) => {
        const kind = secretKind(line);
        if (kind !== undefined) out.push({ file, at: { line: i + 1, col: 1 }, message: `holds ${kind}; a committed file must not carry it` });
      });
    }
    return out;
  },
};
