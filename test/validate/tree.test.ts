// synth runs the rules over the objects it holds in memory (treeFromObjects) instead of re-parsing its
// own output; that tree must be exactly the tree the same files give when read back (treeFromFiles).
import { describe, expect, it } from 'vitest';
import { isMap, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { treeFromFiles, treeFromObjects, validateTree } from '../../src/validate';
import { synthFixture } from '../helpers';

describe.each(['globalnet', 'minimal', 'active-passive'])('the in-memory tree of %s', (fixture) => {
  const bundle = synthFixture(fixture);
  const fromFiles = treeFromFiles(bundle.files);
  const fromObjects = treeFromObjects(bundle.files, bundle.objects);

  it('holds the same files, objects and kustomizations as the parsed files', () => {
    expect(fromObjects.files).toEqual(fromFiles.files);
    expect(fromObjects.objects).toEqual(fromFiles.objects);
    expect([...fromObjects.kustomizations]).toEqual([...fromFiles.kustomizations]);
    expect(fromFiles.parseProblems).toEqual([]);
  });

  it('locates fields exactly like the parsed files', () => {
    for (const o of fromFiles.objects.filter((_, i) => i % 7 === 0)) {
      for (const segments of [[], ['metadata', 'name'], ['spec'], ['kind']]) {
        expect(fromObjects.position(o, segments)).toEqual(fromFiles.position(o, segments));
      }
    }
  });

  it('gives the rules the same verdict', () => {
    expect(validateTree(fromObjects, { skip: ['MER001'] })).toEqual(validateTree(fromFiles, { skip: ['MER001'] }));
  });
});

// treeFromFiles reads clean files with js-yaml's fast parser and works out positions only on demand;
// anything unusual goes through the yaml package's document model. Both must see the same tree.
describe('treeFromFiles', () => {
  /** The tree as the yaml document model reads it: every document of every YAML file, with positions. */
  function documentModel(files: ReadonlyMap<string, string>): { file: string; index: number; manifest: unknown; position: (s: (string | number)[]) => { line: number; col: number } }[] {
    const out: ReturnType<typeof documentModel> = [];
    for (const [file, text] of files) {
      if (!file.endsWith('.yaml') || file.endsWith('kustomization.yaml')) continue;
      const lines = new LineCounter();
      parseAllDocuments(text, { lineCounter: lines })
        .filter((d) => d.contents !== null)
        .forEach((doc, index) => {
          const position = (segments: (string | number)[]): { line: number; col: number } => {
            let node: any = doc.contents;
            let offset = node.range[0];
            for (const s of segments) {
              const next = isMap(node) ? node.items.find((p: any) => String(p.key.value) === String(s)) : isSeq(node) ? node.items[s as number] : undefined;
              if (!next) break;
              offset = isMap(node) ? next.key.range[0] : next.range[0];
              node = isMap(node) ? next.value : next;
            }
            return lines.linePos(offset);
          };
          out.push({ file, index, manifest: doc.toJS(), position });
        });
    }
    return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.index - b.index));
  }

  it.each(['globalnet', 'minimal', 'active-passive'])('reads %s exactly as the yaml document model does, positions included', (fixture) => {
    const files = synthFixture(fixture).files;
    const tree = treeFromFiles(files);
    const expected = documentModel(files);
    expect(tree.objects.map((o) => ({ file: o.file, index: o.index, manifest: o.manifest }))).toEqual(expected.map(({ position: _p, ...o }) => o));
    tree.objects.forEach((o, i) => {
      if (i % 5 !== 0) return;
      for (const segments of [[], ['metadata', 'name'], ['spec'], ['spec', 'template', 'spec', 'containers', 0, 'image']]) {
        expect(tree.position(o, segments)).toEqual(expected[i]!.position(segments));
      }
    });
  });

  const single = (text: string): ReturnType<typeof treeFromFiles> => treeFromFiles(new Map([['c1/x.yaml', text]]));

  it('resolves anchors and aliases like the document model and locates fields in such files', () => {
    const tree = single('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: &l {app: a}\n  annotations: *l\ndata:\n  copy: x\n');
    expect(tree.parseProblems).toEqual([]);
    expect(tree.objects.map((o) => o.manifest.metadata)).toEqual([{ name: 'a', labels: { app: 'a' }, annotations: { app: 'a' } }]);
    expect(tree.position(tree.objects[0]!, ['data', 'copy'])).toEqual({ line: 8, col: 3 });
  });

  it('reports an alias bomb as a located problem instead of expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    const tree = single(`${bomb}\n`);
    expect(tree.objects).toEqual([]);
    expect(tree.parseProblems).toEqual([expect.objectContaining({ file: 'c1/x.yaml', message: expect.stringMatching(/alias/i) })]);
  });

  it('reports duplicate keys, syntax errors and non-mapping documents with their positions', () => {
    expect(single('apiVersion: v1\nkind: Namespace\nkind: Service\n').parseProblems).toEqual([expect.objectContaining({ line: 3, col: 1, message: expect.stringMatching(/unique/i) })]);
    expect(single('apiVersion: v1\nkind: [unclosed\n').parseProblems).toEqual([expect.objectContaining({ file: 'c1/x.yaml' })]);
    expect(single('apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n- a list\n').parseProblems).toEqual([
      { file: 'c1/x.yaml', line: 5, col: 1, message: 'a manifest must be a mapping with apiVersion, kind and metadata' },
    ]);
  });

  it('reads a file of comments as no objects, and an empty document between two as a problem, as the document model does', () => {
    expect(single('# nothing here\n')).toMatchObject({ objects: [], parseProblems: [] });
    const tree = single('apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n');
    expect(tree.parseProblems).toEqual([{ file: 'c1/x.yaml', line: 4, col: 4, message: 'a manifest must be a mapping with apiVersion, kind and metadata' }]);
    expect(tree.objects.map((o) => [o.index, o.manifest.metadata.name])).toEqual([[0, 'a'], [2, 'b']]);
    expect(tree.position(tree.objects[1]!, ['metadata', 'name'])).toEqual({ line: 8, col: 12 });
  });

  it('reads YAML 1.2 core values: no timestamps, no YAML 1.1 booleans', () => {
    const tree = single('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {d: 2024-01-01, y: yes, o: 0o17, n: ~}\n');
    expect(tree.objects[0]!.manifest.data).toEqual({ d: '2024-01-01', y: 'yes', o: 15, n: null });
  });
});
