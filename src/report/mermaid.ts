// A Mermaid flowchart of an environment: clusters (with their services and store members),
// the Submariner tunnels between them, and the path of global traffic.
import type { EnvironmentReport } from './model';

const id = (...parts: string[]): string => parts.join('_').replace(/[^A-Za-z0-9_]/g, '_');
const text = (s: string): string => s.replace(/"/g, "'");

export function mermaidDiagram(r: EnvironmentReport): string {
  const lines: string[] = ['flowchart TB'];
  const global = r.services.filter((s) => s.expose === 'global');
  const g = r.globalLoadBalancer;
  if (g && global.length > 0) {
    lines.push(`  clients(["clients"]) --> gslb{{"${text(`GSLB ${g.provider}<br/>${g.policy}, TTL ${g.ttlSeconds} s, ${g.reactionSeconds !== undefined ? `reacts in ${g.reactionSeconds} s` : g.provider === 'k8gb' ? 'drops clusters without ready pods' : 'no health checks, manual drain'}`)}"}}`);
  }
  for (const c of r.clusters) {
    const roles = [c.bootstrap ? 'bootstrap' : '', c.broker ? 'broker' : '', c.gslbHub ? 'GSLB hub' : '', c.controlPlaneOnly ? 'control plane only (role hub)' : ''].filter((x) => x !== '');
    lines.push(`  subgraph ${id('c', c.name)}["${text(`${c.name} · ${c.region}${roles.length > 0 ? ` · ${roles.join(', ')}` : ''}`)}"]`);
    if (global.length > 0) lines.push(`    ${id('c', c.name, 'gateway')}["Gateway"]`);
    for (const s of r.services.filter((x) => x.activeIn.includes(c.name))) {
      const drained = s.drainedIn.includes(c.name);
      lines.push(`    ${id('c', c.name, 'svc', s.name)}["${text(`${s.name} ×${s.replicasByCluster[c.name] ?? 0}${drained ? ' (drained)' : ''}`)}"]`);
    }
    for (const st of r.stores) {
      lines.push(`    ${id('c', c.name, 'store', st.kind)}[("${text(`${st.kind} ×${st.votersPerCluster[c.name] ?? 0}`)}")]`);
    }
    lines.push('  end');
  }
  for (const [a, b] of r.tunnels.pairs) lines.push(`  ${id('c', a)} <-.->|${text(`${r.tunnels.cableDriver} tunnel`)}| ${id('c', b)}`);
  if (g && global.length > 0) {
    for (const c of r.clusters) {
      const serves = global.filter((s) => s.servingIn.includes(c.name));
      if (serves.length > 0) lines.push(`  gslb --> ${id('c', c.name, 'gateway')}`);
      for (const s of global.filter((x) => x.activeIn.includes(c.name))) {
        // a drained cluster still answers the hostname but sends the traffic to the serving clusters
        const targets = s.servingIn.includes(c.name) ? [c.name] : s.servingIn;
        for (const t of targets) lines.push(t === c.name ? `  ${id('c', c.name, 'gateway')} --> ${id('c', t, 'svc', s.name)}` : `  ${id('c', c.name, 'gateway')} -.->|${text(s.name)} drained here| ${id('c', t, 'svc', s.name)}`);
      }
    }
  }
  for (const st of r.stores) lines.push(`  %% ${st.kind}: ${st.members} members, ${st.voters} voters per group, quorum ${st.quorum}, survives the loss of any ${st.clustersItCanLose} cluster(s)`);
  return lines.join('\n');
}
