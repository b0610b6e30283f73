// The YAML reader and writer live in src/lib/yaml.ts, where the validator may import them too.
export { readYaml, toYaml } from '../lib/yaml';
