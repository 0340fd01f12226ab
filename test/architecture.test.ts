/**
 * The dependency rules of ARCHITECTURE.md, checked on the import graph:
 * pure modules import no I/O, the core never imports storage backends,
 * personalities, HTTP or the CLI, nothing imports the CLI, and no file
 * imports itself round a circle (type-only imports included: a circle of
 * types is a file doing two jobs).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const SRC = resolve('src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(p) ? [p] : [];
  });
}

/** Folder under src/ of each import of `file` (relative imports), plus bare module names. */
function imports(file: string): { local: string[]; packages: string[] } {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2],
  );
  const local: string[] = [];
  const packages: string[] = [];
  for (const s of specs) {
    if (s.startsWith('.')) local.push(relative(SRC, resolve(join(file, '..'), s)));
    else packages.push(s);
  }
  return { local, packages };
}

/** The unit the rules talk about: a top-level folder of src/, or personalities/<name>. */
const folderOf = (rel: string) => {
  const parts = rel.split('/');
  if (parts.length === 1) return rel;
  return parts[0] === 'personalities' ? `${parts[0]}/${parts[1]}` : parts[0];
};

const PURE = ['merkle', 'codec', 'note', 'checkpoint', 'crypto', 'x509', 'audit', 'evidence'];
const IO_PACKAGES = [
  'node:fs',
  'node:fs/promises',
  'node:net',
  'node:http',
  'node:https',
  'fastify',
  'pg',
  'better-sqlite3',
  'undici',
  'pino',
];

/** Halves of a personality that a verifying client, a monitor or a browser bundle loads alone. */
const WIRE = ['ct', 'hub', 'tiles'];
const SERVER_PACKAGES = ['fastify', 'prom-client', 'pino', 'pg', 'better-sqlite3', 'node:sqlite'];

/** Which src folders each folder may import (besides itself and errors.ts). */
const ALLOWED: Record<string, string[]> = {
  merkle: [],
  codec: ['merkle'],
  crypto: ['codec'],
  note: ['codec', 'crypto', 'merkle'],
  checkpoint: ['codec', 'crypto', 'merkle', 'note'],
  x509: ['crypto', 'codec'],
  // The observer side's pure core: observed heads, the extends-or-not decision, the HeadStore contract.
  audit: ['merkle', 'codec', 'crypto', 'note', 'checkpoint'],
  log: ['merkle', 'crypto', 'codec'],
  storage: ['log', 'merkle', 'audit'],
  // Shared HTTP building blocks: the error mapper knows the lower layers' error classes.
  http: ['log', 'merkle', 'crypto', 'codec', 'note', 'checkpoint', 'evidence'],
  // Wire and client halves: formats, verification and clients, no server code (see SERVER_PACKAGES).
  ct: ['merkle', 'crypto', 'codec'],
  hub: ['merkle', 'crypto', 'codec', 'note', 'checkpoint'],
  // Personalities sit on the core and their wire half, and never import each other.
  'personalities/hub': ['log', 'merkle', 'crypto', 'codec', 'note', 'checkpoint', 'http', 'storage', 'hub', 'publish', 'audit'],
  'personalities/ct': ['log', 'merkle', 'crypto', 'codec', 'x509', 'http', 'storage', 'ct', 'note', 'checkpoint', 'publish'],
  // Tiled logs' read API, client half (paths, hash reader, rebuild, HTTP client): no server code.
  tiles: ['merkle', 'codec', 'crypto', 'note', 'checkpoint'],
  // Publishing a log the C2SP way (checkpoint, tiles, witnessing): served by the personalities' parts.
  publish: ['merkle', 'codec', 'crypto', 'note', 'checkpoint', 'tiles', 'witness', 'http'],
  // The C2SP witness: a server half on the observer core (audit) and the note/checkpoint formats.
  witness: ['audit', 'evidence', 'merkle', 'codec', 'crypto', 'note', 'checkpoint', 'log', 'http', 'storage', 'ct', 'tiles'],
  // Evidence format and verifier (pure): the hub wire half only for its domain-separation checks.
  evidence: ['merkle', 'codec', 'crypto', 'note', 'checkpoint', 'audit', 'hub'],
  // Incident delivery (I/O): the reporter and its sinks, on the evidence format.
  incidents: ['evidence'],
  // Collector and auditor: wire clients, the observer core, evidence and incident delivery; no server code.
  monitor: ['audit', 'checkpoint', 'codec', 'crypto', 'ct', 'evidence', 'gossip', 'hub', 'incidents', 'log', 'merkle', 'note', 'tiles'],
  config: [
    'crypto',
    'codec',
    'hub',
    'ct',
    'personalities/hub',
    'personalities/ct',
    'x509',
    'log',
    'note',
    'witness',
    'gossip',
    'checkpoint',
    'http',
  ],
  // The gossip service (issue 11): wire/ and validate/ are pure (PURE_SUBFOLDERS); transports use the clients;
  // the loop reads the local CT log and its in-process transport calls the local hub (personalities below gossip).
  gossip: [
    'merkle',
    'codec',
    'crypto',
    'note',
    'checkpoint',
    'x509',
    'audit',
    'evidence',
    'incidents',
    'ct',
    'hub',
    'log',
    'http',
    'storage',
    'personalities/hub',
    'personalities/ct',
    'tiles',
  ],
  // The web dashboard (issue 14): every part's status through src/http's contract, incidents' evidence verified;
  // its browser code (dashboard/ui) is checked below: it loads nothing of the server.
  dashboard: ['http', 'evidence'],
  // The one server builder: runs the parts (personalities, gossip, …) from resolved configs; only cli/ is above it.
  server: [
    'audit',
    'merkle',
    'crypto',
    'codec',
    'note',
    'checkpoint',
    'log',
    'storage',
    'http',
    'hub',
    'ct',
    'personalities/hub',
    'personalities/ct',
    'gossip',
    'config',
    'incidents',
    'dashboard',
    'witness',
    'publish',
  ],
};

/** Pure parts of folders that also hold I/O. */
const PURE_SUBFOLDERS = ['gossip/wire', 'gossip/validate'];

describe('architecture: dependencies point one way', () => {
  const all = files(SRC);
  for (const [folder, allowed] of Object.entries(ALLOWED)) {
    it(`src/${folder} imports only ${allowed.length ? allowed.join(', ') : 'itself'} (and errors.ts)`, () => {
      for (const f of all.filter((x) => folderOf(relative(SRC, x)) === folder)) {
        for (const dep of imports(f).local) {
          const target = folderOf(dep);
          if (target === folder || dep === 'errors.ts') continue;
          assert.ok(allowed.includes(target), `${relative(SRC, f)} imports ${dep}`);
        }
      }
    });
  }

  it('every folder of src/ (but cli) has declared dependencies', () => {
    const dirs = (d: string) => readdirSync(join(SRC, d)).filter((n) => statSync(join(SRC, d, n)).isDirectory());
    const folders = dirs('.')
      .flatMap((n) => (n === 'personalities' ? dirs(n).map((p) => `${n}/${p}`) : [n]))
      .filter((n) => n !== 'cli');
    for (const f of folders) assert.ok(f in ALLOWED, `src/${f} is missing from ALLOWED in test/architecture.test.ts`);
  });

  it('wire and client halves (src/ct, src/hub) load no server code', () => {
    for (const f of all.filter((x) => WIRE.includes(folderOf(relative(SRC, x))))) {
      for (const p of imports(f).packages) assert.ok(!SERVER_PACKAGES.includes(p), `${relative(SRC, f)} imports ${p}`);
    }
  });

  it('pure folders import no I/O packages', () => {
    for (const f of all.filter((x) => PURE.includes(folderOf(relative(SRC, x))))) {
      for (const p of imports(f).packages) assert.ok(!IO_PACKAGES.includes(p), `${relative(SRC, f)} imports ${p}`);
    }
  });

  it('pure sub-folders (gossip/wire, gossip/validate) import no I/O packages and no clock-reading code of their parent', () => {
    for (const f of all.filter((x) => PURE_SUBFOLDERS.some((p) => relative(SRC, x).startsWith(`${p}/`)))) {
      for (const p of imports(f).packages) assert.ok(!IO_PACKAGES.includes(p), `${relative(SRC, f)} imports ${p}`);
      for (const dep of imports(f).local) {
        if (folderOf(dep) === 'gossip') {
          assert.ok(
            PURE_SUBFOLDERS.some((p) => dep.startsWith(`${p}/`)),
            `${relative(SRC, f)} imports ${dep}`,
          );
        }
      }
    }
  });

  it("the dashboard's browser code (src/dashboard/ui) loads only itself, preact and uplot; server shapes as types only", () => {
    const ui = join(SRC, 'dashboard', 'ui');
    for (const f of all.filter((x) => x.startsWith(`${ui}/`))) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*?['"]([^'"]+)['"]/gm)) {
        const [, typeOnly, spec] = m;
        if (spec.startsWith('.')) {
          const inside = resolve(join(f, '..'), spec).startsWith(`${ui}/`);
          assert.ok(inside || typeOnly, `${relative(SRC, f)} imports ${spec} (outside ui/: type imports only)`);
        } else {
          assert.ok(/^(preact(\/hooks)?|uplot(\/dist\/uPlot\.min\.css)?)$/.test(spec), `${relative(SRC, f)} imports ${spec}`);
        }
      }
    }
  });

  it('no import circles between files (type imports included)', () => {
    const graph = new Map<string, string[]>();
    for (const f of all) {
      const deps = imports(f).local.map((d) => (/\.tsx?$/.test(d) ? d : `${d}.ts`));
      graph.set(
        relative(SRC, f),
        deps.filter((d) => d !== relative(SRC, f)),
      );
    }
    // Depth-first search; a back edge to a file still on the stack closes a circle.
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const circles: string[] = [];
    const visit = (f: string) => {
      state.set(f, 'open');
      stack.push(f);
      for (const d of graph.get(f) ?? []) {
        if (!graph.has(d)) continue;
        if (state.get(d) === 'open') circles.push([...stack.slice(stack.indexOf(d)), d].join(' → '));
        else if (!state.has(d)) visit(d);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of graph.keys()) if (!state.has(f)) visit(f);
    assert.deepEqual(circles, []);
  });

  it('nothing outside src/cli imports the CLI, and only storage/ imports a storage backend', () => {
    for (const f of all) {
      const rel = relative(SRC, f);
      for (const dep of imports(f).local) {
        if (folderOf(rel) !== 'cli') assert.ok(folderOf(dep) !== 'cli', `${rel} imports ${dep}`);
        if (folderOf(rel) !== 'storage' && folderOf(dep) === 'storage') assert.equal(dep, 'storage/index.ts', `${rel} imports ${dep}`);
      }
      if (folderOf(rel) !== 'storage') {
        for (const p of imports(f).packages) assert.ok(p !== 'pg' && p !== 'better-sqlite3', `${rel} imports ${p}`);
      }
    }
  });
});
