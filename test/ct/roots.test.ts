import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CertificateCache, RootStore } from '../../src/personalities/ct/index.ts';
import { parseCertificate } from '../../src/x509/index.ts';
import { type DemoSet, mintIntermediate, mintLeaf, mintRoot, type TestCert } from '../../src/x509/testca/index.ts';
import { demoSet } from './fixtures.ts';

const copy = (b: Buffer) => Buffer.from(Uint8Array.prototype.slice.call(b));

describe('RootStore', () => {
  let d: DemoSet;
  before(async () => {
    d = await demoSet();
  });

  it('knows a root by its bytes, whatever buffer holds them', async () => {
    const roots = new RootStore([d.root.der, d.root.der]);
    assert.equal(roots.size, 1, 'duplicates removed');
    assert.ok(roots.has(parseCertificate(copy(d.root.der))));
    assert.ok(!roots.has(parseCertificate(d.intermediate.der)));
    const twin = await mintRoot({ subject: 'CN=Grapevine Test Root, O=Grapevine Test CA' });
    assert.ok(!roots.has(parseCertificate(twin.der)), 'same name, other bytes');
  });

  it('offers same-named roots whose key identifier matches first', async () => {
    const subject = 'CN=Rekeyed Root';
    const [a, b] = [await mintRoot({ subject }), await mintRoot({ subject })];
    const roots = new RootStore([a.der, b.der]);
    const underB = parseCertificate((await mintLeaf(b)).der);
    assert.deepEqual(
      roots.candidatesFor(underB).map((r) => r.der),
      [b.der, a.der],
    );
    assert.deepEqual(roots.candidatesFor(parseCertificate(d.leaf.der)), []);
  });
});

describe('CertificateCache', () => {
  let d: DemoSet;
  before(async () => {
    d = await demoSet();
  });

  it('returns one parse per certificate, found by bytes, past its recent list too', async () => {
    const cache = new CertificateCache();
    const first = cache.parse(copy(d.intermediate.der));
    assert.equal(cache.parse(copy(d.intermediate.der)), first);
    const others: TestCert[] = [];
    for (let i = 0; i < 10; i++) others.push(await mintIntermediate(d.root, { subject: `CN=Other ${i}` }));
    for (const o of others) cache.parse(o.der);
    assert.equal(cache.parse(copy(d.intermediate.der)), first, 'found by hash after ten newer ones');
    assert.notEqual(cache.parse(d.precertSigner.der), first);
  });

  it('keeps at most its bound', async () => {
    const cache = new CertificateCache(2);
    const first = cache.parse(d.intermediate.der);
    cache.parse(d.precertSigner.der);
    cache.parse(d.root.der);
    const others = [];
    for (let i = 0; i < 8; i++) others.push(cache.parse((await mintIntermediate(d.root, { subject: `CN=Filler ${i}` })).der));
    assert.notEqual(cache.parse(d.intermediate.der), first, 'evicted and parsed again');
  });

  it('remembers a link for the same bytes, not only the same objects', () => {
    const cache = new CertificateCache();
    const [inter, root] = [cache.parse(d.intermediate.der), parseCertificate(d.root.der)];
    cache.rememberLink(inter, root);
    assert.ok(cache.linkKnown(inter, root));
    assert.ok(cache.linkKnown(parseCertificate(d.intermediate.der), parseCertificate(copy(d.root.der))));
    assert.ok(!cache.linkKnown(parseCertificate(d.precertSigner.der), root));
  });
});
