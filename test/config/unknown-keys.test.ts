/**
 * Every key of every section is checked: an unknown key is reported at its
 * own path, with the nearest known key when it looks like a typo, in all
 * three file types and together with the file's other problems.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references in config text are the subject of these tests
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CtConfigError, parseCtConfig } from '../../src/config/ct.ts';
import { ConfigProblemsError } from '../../src/config/fields.ts';
import { parseHubConfig } from '../../src/config/hub.ts';
import { nearestKey } from '../../src/config/problems.ts';
import { loadSiteConfigText } from '../../src/config/site.ts';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigProblemsError, String(err));
    return [...err.problems];
  }
  assert.fail('accepted');
}

const noFiles = { baseDir: '/cfg', readFile: () => assert.fail('no file read expected') };

describe('unknown keys', () => {
  it('names a typo inside a CT file and suggests the key meant', () => {
    const p = problems(() => parseCtConfig('keyFile: k\nroots: [r]\nmdd: 10s\nlimits: { maxGetEntrys: 5 }\nsequencer: { leaseTTL: 5s }\n'));
    assert.deepEqual(p.sort(), [
      'limits.maxGetEntrys: unknown key; did you mean maxGetEntries?',
      'mdd: unknown key; did you mean mmd?',
      'sequencer.leaseTTL: unknown key; did you mean leaseTtl?',
    ]);
  });

  it('names ct.mdd in a grapevine serve file, with the other problems of the file', () => {
    const p = problems(() =>
      loadSiteConfigText(
        'listen: nowhere\nct:\n  keyFile: k\n  roots: [r]\n  mdd: 10s\n  quota: { perClient: { raed: { rate: 1, burst: 1 } } }\nhub: { instances: [] }\n',
        noFiles,
      ),
    );
    assert.ok(p.includes('ct.mdd: unknown key; did you mean mmd?'), p.join('\n'));
    assert.ok(p.includes('ct.quota.perClient.raed: unknown key; did you mean read?'), p.join('\n'));
    assert.ok(
      p.some((x) => x.startsWith('hub.instances:')),
      p.join('\n'),
    );
  });

  it('says where a server key belongs when a grapevine serve section sets it', () => {
    const p = problems(() => loadSiteConfigText('ct:\n  keyFile: k\n  roots: [r]\n  trustProxy: true\n  listen: 1.2.3.4:5\n', noFiles));
    assert.deepEqual(p.sort(), [
      'ct.listen: set at the top level of a grapevine serve config, for every section',
      'ct.trustProxy: set at the top level of a grapevine serve config, for every section',
    ]);
  });

  it('names a typo in a hub source inside a list, at its index', () => {
    const p = problems(() =>
      parseHubConfig(
        'instances:\n  - prefix: a\n    privateKeyFile: k\n    sources:\n      - { id: x, kind: UNKNOWN, publicKey: k, orign: o }\n',
      ),
    );
    assert.ok(p.includes('instances[0].sources[0].orign: unknown key; did you mean origin?'), p.join('\n'));
  });

  it('lists the known keys when nothing is close', () => {
    const p = problems(() => parseCtConfig('keyFile: k\nroots: [r]\nnotAfter: { zebra: 1 }\n'));
    assert.deepEqual(p, ['notAfter.zebra: unknown key (want one of: start, limit)']);
  });

  it('is a CtConfigError with code INVALID', () => {
    assert.throws(
      () => parseCtConfig('keyFile: k\nroots: [r]\nmdd: 1s'),
      (e: unknown) => e instanceof CtConfigError && e.code === 'INVALID',
    );
  });
});

describe('nearestKey', () => {
  const known = ['mmd', 'tree', 'prefix', 'keyFile', 'roots', 'maxGetEntries'];
  for (const [typo, want] of [
    ['mdd', 'mmd'],
    ['MMD', 'mmd'],
    ['keyfile', 'keyFile'],
    ['root', 'roots'],
    ['trees', 'tree'],
    ['zebra', undefined],
    ['x', undefined],
  ] as const) {
    it(`${typo} → ${want ?? 'nothing'}`, () => assert.equal(nearestKey(typo, known), want));
  }
});
