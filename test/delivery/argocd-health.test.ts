// The Argo CD health checks the first sync needs (#15 finding 1): one generated source, the README
// block equal to it, Lua that parses, and a check for every vault-config-operator kind the bundles emit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseLua } from 'luaparse';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { argocdCmSnippet, argocdHealthCustomizations, ISSUER_HEALTH_LUA, VAULT_CONFIG_HEALTH_KINDS, VAULT_CONFIG_HEALTH_LUA } from '../../src/lib/argocd-health';

/** The pinned CRDs beside the checkout, where cdk8s.yaml imports them from. */
const crdDir = path.resolve('..', 'shared', 'crds', 'vault-config-operator');

/** Every object of the committed bundles: dist/ and the golden fixture outputs (no synth needed). */
function committedObjects(): any[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.yaml')) files.push(p);
    }
  };
  walk('dist');
  walk('test/golden/__golden__');
  return files.flatMap((f) => parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => d.toJS())).filter((o) => o && typeof o === 'object' && o.kind);
}

describe('Argo CD health customizations', () => {
  it('the README block is exactly the generated snippet', () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    const block = /<!-- argocd-health:begin -->\n```yaml\n([\s\S]*?)```\n<!-- argocd-health:end -->/.exec(readme);
    expect(block, 'README has the argocd-health block').not.toBeNull();
    expect(block![1]).toBe(argocdCmSnippet());
  });

  it('the snippet is YAML whose data keys carry each Lua script unchanged', () => {
    const data = parseAllDocuments(argocdCmSnippet())[0]!.toJS().data as Record<string, string>;
    expect(Object.fromEntries(argocdHealthCustomizations().map((c) => [c.key, c.lua]))).toEqual(data);
  });

  it.each(argocdHealthCustomizations().map((c) => [c.key, c.lua]))('%s parses as Lua and never reports Degraded', (_key, lua) => {
    expect(() => parseLua(lua)).not.toThrow();
    expect(lua).not.toContain('Degraded');
    expect(lua).toMatch(/return hs\n$/);
  });

  it('vault-config-operator objects wait for ReconcileSuccessful of their generation; issuers for Ready=True', () => {
    expect(VAULT_CONFIG_HEALTH_LUA).toContain('c.type == "ReconcileSuccessful" and c.status == "True"');
    expect(VAULT_CONFIG_HEALTH_LUA).toContain('ok.observedGeneration >= obj.metadata.generation');
    expect(VAULT_CONFIG_HEALTH_LUA).toContain('c.type == "ReconcileFailed"');
    expect(ISSUER_HEALTH_LUA).toContain('c.type == "Ready" and c.status == "True"');
    expect(VAULT_CONFIG_HEALTH_LUA.split('\n')[0]).toContain('status = "Progressing"');
    expect(ISSUER_HEALTH_LUA.split('\n')[0]).toContain('status = "Progressing"');
  });

  it('every listed kind is a pinned vault-config-operator CRD with status.conditions', () => {
    const crds = fs.readdirSync(crdDir).map((f) => parseAllDocuments(fs.readFileSync(path.join(crdDir, f), 'utf8'))[0]!.toJS());
    for (const kind of VAULT_CONFIG_HEALTH_KINDS) {
      const crd = crds.find((c) => c.spec.names.kind === kind);
      expect(crd, kind).toBeDefined();
      expect(crd.spec.group).toBe('redhatcop.redhat.io');
      expect(crd.spec.versions[0].schema.openAPIV3Schema.properties.status.properties.conditions, kind).toBeDefined();
    }
  });

  it('covers every vault-config-operator kind and every cert-manager issuer kind the bundles emit', () => {
    const vaultConfigKinds = new Set(
      fs.readdirSync(crdDir).map((f) => parseAllDocuments(fs.readFileSync(path.join(crdDir, f), 'utf8'))[0]!.toJS().spec.names.kind as string),
    );
    const keys = new Set(argocdHealthCustomizations().map((c) => c.key));
    const emitted = new Set(
      committedObjects()
        .filter((o) => (o.apiVersion?.startsWith('redhatcop.redhat.io/') && vaultConfigKinds.has(o.kind)) || (o.apiVersion?.startsWith('cert-manager.io/') && /Issuer$/.test(o.kind)))
        .map((o) => `resource.customizations.health.${o.apiVersion.split('/')[0]}_${o.kind}`),
    );
    expect(emitted.size).toBeGreaterThan(3);
    expect([...emitted].filter((k) => !keys.has(k))).toEqual([]);
  });
});
