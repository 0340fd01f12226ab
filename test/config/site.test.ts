import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { loadSiteConfigText, SiteConfigError } from '../../src/config/site.ts';

const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const hubKey = ec().privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const srcPub = ec().publicKey.export({ type: 'spki', format: 'pem' }) as string;
const files: Record<string, string> = { '/cfg/keys/hub.pem': hubKey, '/cfg/keys/src.pem': srcPub };
const opts = {
  baseDir: '/cfg',
  readFile: (p: string) => {
    if (!(p in files)) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
    return Buffer.from(files[p]);
  },
};
const hubSection = `
hub:
  instances:
    - prefix: h
      privateKeyFile: keys/hub.pem
      sources: [{ id: local-ct, kind: RFC6962STH, publicKeyFile: keys/src.pem }]
`;

function problems(text: string): string[] {
  try {
    loadSiteConfigText(text, opts);
  } catch (err) {
    assert.ok(err instanceof SiteConfigError, String(err));
    return [...err.problems];
  }
  assert.fail('the config was accepted');
}

describe('site config (grapevine serve)', () => {
  it('resolves a hub-only site with defaults and a database relative to the config file', () => {
    const c = loadSiteConfigText(hubSection, opts);
    assert.equal(c.database, 'sqlite:/cfg/grapevine.db');
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
    assert.equal(c.ct, null);
    assert.equal(c.hub?.instances[0].prefix, 'h');
    assert.equal(c.gossip.intervalMs, 5000);
    assert.ok(Object.isFrozen(c));
  });

  it('reports every problem at once, prefixed with its section', () => {
    const p = problems(`listen: nowhere\nbogus: 1\nhub:\n  listen: 1.2.3.4:5\n  instances: []\n`);
    assert.ok(
      p.some((x) => x.includes('bogus')),
      p.join('\n'),
    );
    const q = problems(`${hubSection}\nct:\n  tree: ct\n`);
    assert.ok(
      q.some((x) => x.startsWith('ct.')),
      q.join('\n'),
    );
    const r = problems(
      `hub:\n  instances:\n    - prefix: h\n      privateKeyFile: keys/missing.pem\n      sources: [{ id: x, kind: UNKNOWN, publicKeyFile: keys/src.pem }]\n`,
    );
    assert.ok(
      r.some((x) => x.startsWith('hub.') && x.includes('missing.pem')),
      r.join('\n'),
    );
  });

  it('refuses a site with neither ct nor hub, and a section that sets listen or database', () => {
    assert.ok(problems('listen: 127.0.0.1:1\n').some((x) => x.includes('configure ct, hub or both')));
    assert.ok(problems(`hub:\n  database: sqlite:x\n  instances: []\n`).some((x) => x.includes('set at the top level')));
  });

  it('refuses malformed YAML with one clear problem', () => {
    assert.match(problems('listen: [unclosed')[0], /not valid YAML/);
  });
});
