// Rules about the resources of the consensus stores' containers: a store member without requests or
// a memory limit is BestEffort or Burstable without bound (evicted first under node pressure, losing
// a voter), and CockroachDB sizes --cache and --max-sql-memory against the memory it is given.
import { memoryBytes } from '../../lib/quantity';
import { containersOf, flagValues, kindOf, namespaceOf, podTemplateOf, podTemplates, type FlagValue } from '../manifest';
import type { Finding, Rule } from '../rule';
import { findStores } from '../stores';
import { isRecord, type DistObject } from '../tree';

const MEMORY = /^([0-9]+)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;

export const storeContainerResources: Rule = {
  id: 'MER072',
  name: 'store-container-resources',
  description: 'every container of a store StatefulSet, and of the Jobs in a store namespace, requests cpu and memory and sets a memory limit, so no store pod runs BestEffort',
  fix: 'set resources.requests.cpu, resources.requests.memory and resources.limits.memory on the container (cockroachdb.resources in the environment for CockroachDB nodes)',
  check(tree) {
    const out: Finding[] = [];
    const stores = findStores(tree);
    const namespaces = new Set(stores.map((s) => `${s.environment}\0${s.namespace}`));
    const pods = [
      ...stores.flatMap((s) => s.members.map((m) => m.pod)),
      ...tree.objects
        .filter((o) => kindOf(o) === 'Job' && stores.some((s) => s.namespace === namespaceOf(o) && namespaces.has(`${s.environment}\0${s.namespace}`)))
        .map(podTemplateOf)
        .filter((p) => p !== undefined),
    ];
    for (const pod of pods) {
      for (const c of containersOf(pod)) {
        const r = isRecord(c.container.resources) ? c.container.resources : {};
        const requests = isRecord(r.requests) ? r.requests : {};
        const limits = isRecord(r.limits) ? r.limits : {};
        const missing = [
          requests.cpu === undefined ? 'requests.cpu' : '',
          requests.memory === undefined ? 'requests.memory' : '',
          limits.memory === undefined ? 'limits.memory' : '',
        ].filter((x) => x !== '');
        if (missing.length > 0) {
          out.push({
            object: pod.object,
            path: [...c.at, 'resources'],
            message: `container ${String(c.container.name)} of ${kindOf(pod.object)} ${namespaceOf(pod.object) ?? ''}/${String(pod.object.manifest.metadata?.name)} sets no ${missing.join(', ')}; a store pod without them is evicted first under node pressure and can cost a voter, so set them`,
          });
        }
      }
    }
    return out;
  },
};

export const cockroachMemoryFlags: Rule = {
  id: 'MER073',
  name: 'cockroachdb-memory-within-limit',
  description: 'CockroachDB nodes give --cache and --max-sql-memory in bytes, and 2 x --max-sql-memory + --cache stays within 80% of the container memory limit (Cockroach Labs production checklist)',
  fix: 'derive --cache and --max-sql-memory from the memory limit (cockroachdb.cache / maxSQLMemory as percentages of cockroachdb.resources.limits.memory) instead of writing them by hand',
  check(tree) {
    const out: Finding[] = [];
    for (const store of findStores(tree).filter((s) => s.kind === 'cockroachdb')) {
      for (const m of store.members) {
        for (const c of containersOf(m.pod, ['containers'])) {
          const cache = flagValues(c, 'cache')[0];
          const sql = flagValues(c, 'max-sql-memory')[0];
          if (!cache || !sql) continue;
          const limit = isRecord(c.container.resources) && isRecord(c.container.resources.limits) ? String(c.container.resources.limits.memory ?? '') : '';
          const bytes = (v: string): number | undefined => {
            const x = /^([0-9]+)(MiB|GiB)$/.exec(v);
            return x ? Number(x[1]) * (x[2] === 'GiB' ? 2 ** 30 : 2 ** 20) : undefined;
          };
          const cb = bytes(cache.value);
          const sb = bytes(sql.value);
          if (cb === undefined || sb === undefined) {
            const bad = cb === undefined ? cache : sql;
            out.push({ object: m.statefulSet, path: bad.at, message: `cockroachdb in ${m.folder} sizes memory as "${bad.value}"; write it in MiB or GiB derived from the container memory limit, so the cache and SQL budget follow the limit and never the node's memory` });
            continue;
          }
          if (!MEMORY.test(limit)) continue; // MER072 reports the missing limit
          const lb = memoryBytes(limit);
          if (2 * sb + cb > 0.8 * lb) {
            out.push({ object: m.statefulSet, path: sql.at, message: `cockroachdb in ${m.folder}: 2 x --max-sql-memory (${sql.value}) + --cache (${cache.value}) exceeds 80% of the memory limit ${limit}; the node would be OOM-killed under load, so lower them or raise the limit` });
          }
        }
      }
    }
    return out;
  },
};

export const sqlClientOwnDatabase: Rule = {
  id: 'MER074',
  name: 'sql-client-own-database',
  description: "a DATABASE_URL names the database of its own SQL user (the one the runbook creates and grants to that user), never another service's",
  fix: 'derive DATABASE_URL from the model (serviceWiring): postgresql://<sql user>@<host>/<sql user>?...',
  check(tree) {
    const out: Finding[] = [];
    for (const pod of podTemplates(tree)) {
      for (const c of containersOf(pod)) {
        const env: unknown[] = Array.isArray(c.container.env) ? c.container.env : [];
        env.forEach((e, i) => {
          if (!isRecord(e) || e.name !== 'DATABASE_URL' || typeof e.value !== 'string') return;
          const m = /^postgres(?:ql)?:\/\/([^@:/]+)(?::[^@]*)?@[^/]+\/([^?]*)/.exec(e.value);
          if (!m) return;
          const [, user, database] = m;
          if (database !== user) {
            out.push({
              object: pod.object,
              path: [...c.at, 'env', i, 'value'],
              message: `container ${String(c.container.name)} connects as SQL user ${user} to database ${database || '(none)'}; the runbook creates database ${user} for that user, and ${database || 'no database'} belongs to someone else; use /${user}`,
            });
          }
        });
      }
    }
    return out;
  },
};

export const cockroachLocalityTiers: Rule = {
  id: 'MER075',
  name: 'cockroachdb-locality-tiers',
  description: 'every node of a CockroachDB cluster advertises the same locality tiers in the same order (region first), so replica diversity and survival goals compare like with like',
  fix: 'derive --locality from the model: region=<region> everywhere, plus zone=<zone> on every node or on none',
  check(tree) {
    const out: Finding[] = [];
    for (const store of findStores(tree).filter((s) => s.kind === 'cockroachdb')) {
      const seen: { folder: string; keys: string; at: FlagValue; object: DistObject }[] = [];
      for (const m of store.members) {
        for (const c of containersOf(m.pod, ['containers'])) {
          const flag = flagValues(c, 'locality')[0];
          if (!flag) continue; // MER022 reports a missing locality
          seen.push({ folder: m.folder, keys: flag.value.split(',').map((t) => t.split('=')[0]).join(','), at: flag, object: m.statefulSet });
        }
      }
      const first = seen[0];
      if (!first) continue;
      for (const s of seen) {
        if (!s.keys.startsWith('region')) {
          out.push({ object: s.object, path: s.at.at, message: `cockroachdb in ${s.folder} advertises locality tiers ${s.keys}; the first tier must be region, which multi-region SQL reads` });
        } else if (s.keys !== first.keys) {
          out.push({ object: s.object, path: s.at.at, message: `cockroachdb in ${s.folder} advertises locality tiers ${s.keys} while ${first.folder} advertises ${first.keys}; give every node the same tiers (a zone tier on some nodes only skews replica placement)` });
        }
      }
    }
    return out;
  },
};
