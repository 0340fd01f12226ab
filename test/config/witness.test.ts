/**
 * The witness config file and the witness-network.org log list: schema,
 * defaults, key files, list merging, and reports of every problem at once.
 * The logs are the real ones of checkpoint-logs.json.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { loadWitnessConfigText, parseWitnessConfig, resolveWitnessConfig, WitnessConfigFileError } from '../../src/config/witness.ts';
import { isError } from '../../src/errors.ts';
import { cosignatureV1Signer, ed25519NoteSigner, ed25519SignerFromSeed, formatSkey } from '../../src/note/index.ts';
import { parseNetworkLogList, WitnessConfigError } from '../../src/witness/index.ts';
import { testSigner } from '../note/testing.ts';
import { readerOf } from '../support/file-reader.ts';
import { loadTestdata } from '../testdata.ts';

const realLogs: { origin: string; url: string; vkey: string }[] = loadTestdata('checkpoint-logs.json').logs;
const seed = Buffer.alloc(32, 9);
const seed2 = Buffer.alloc(32, 10);
const sigsum = realLogs.find((l) => l.origin.startsWith('sigsum.org/'));
const armory = realLogs.find((l) => l.origin === 'Armory Drive Prod 2');
assert.ok(sigsum && armory);

const listText = `# a witness-network list (test)
logs/v0

vkey ${sigsum.vkey}
qpd 1440
contact sigsum@example.org

# origin differs from the key name here
vkey ${armory.vkey}
origin ${armory.origin}
qpd 24
`;

const files: Record<string, Buffer> = {
  '/cfg/witness.key': Buffer.from(`${formatSkey('witness.example/w1', seed)}\n`),
  '/cfg/next.key': Buffer.from(formatSkey('witness.example/w1', seed2)),
  '/cfg/lists/log-list.1': Buffer.from(listText),
};
const readFile = readerOf(files);
const resolve = (text: string) => resolveWitnessConfig(parseWitnessConfig(text), { readFile, baseDir: '/cfg' });

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(isError(err, WitnessConfigFileError, 'INVALID'), `want WitnessConfigFileError, got ${err}`);
    return [...(err as WitnessConfigFileError).problems];
  }
  assert.fail('no error');
}

describe('witness config', () => {
  it('resolves the real logs of checkpoint-logs.json with defaults filled', () => {
    const c = resolve(stringify({ keys: ['witness.key'], logs: realLogs.map((l) => ({ origin: l.origin, vkey: l.vkey, url: l.url })) }));
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 7380);
    assert.equal(c.database, 'sqlite:/cfg/witness.db');
    assert.equal(c.prefix, '');
    assert.equal(c.bodyLimit, 16 * 1024);
    assert.equal(c.logs.size, realLogs.length);
    const sumdb = c.logs.byOrigin('go.sum database tree');
    assert.equal(sumdb?.url, 'https://sum.golang.org');
    assert.equal(sumdb?.disabled, false);
    assert.equal(sumdb?.qpd, undefined);
    assert.equal(c.cosigners[0].vkey, cosignatureV1Signer('witness.example/w1', ed25519SignerFromSeed(seed)).vkey);
    assert.deepEqual(c.incidents, { sinks: [{ type: 'log' }] });
    assert.ok(Object.isFrozen(c));
  });

  it('takes several keys in order, relative incident paths and a postgres URL as given', () => {
    const c = resolve(
      stringify({
        keys: ['witness.key', 'next.key'],
        incidents: { sinks: [{ type: 'jsonl', path: 'state/incidents.jsonl' }] },
        database: 'postgres://w@db/witness',
        prefix: '/witness',
        logs: [{ origin: realLogs[0].origin, vkey: realLogs[0].vkey }],
      }),
    );
    assert.equal(c.cosigners.length, 2);
    assert.deepEqual(c.incidents, { sinks: [{ type: 'jsonl', path: '/cfg/state/incidents.jsonl' }] });
    assert.equal(c.database, 'postgres://w@db/witness');
    assert.equal(c.prefix, '/witness');
  });

  it('follows a witness-network list, and an operator entry overrides it without losing its key', () => {
    const c = resolve(
      stringify({
        keys: ['witness.key'],
        logLists: ['lists/log-list.1'],
        logs: [{ origin: armory.origin, disabled: true, qpd: 2 }],
      }),
    );
    assert.equal(c.logs.size, 2);
    const a = c.logs.byOrigin(armory.origin);
    assert.equal(a?.disabled, true);
    assert.equal(a?.qpd, 2);
    assert.deepEqual(
      [...(a?.keys ?? [])].map((k) => k.vkey),
      [armory.vkey],
    );
    assert.equal(c.logs.byOrigin(sigsum.origin)?.contact, 'sigsum@example.org');
  });

  it('reports every problem at once', () => {
    const p = problems(() =>
      loadWitnessConfigText(
        stringify({
          listen: 'nowhere',
          keys: ['missing.key'],
          logs: [
            { origin: 'a.example/log', vkey: realLogs[0].vkey },
            { origin: 'a.example/log', vkey: realLogs[0].vkey },
          ],
          extra: 1,
        }),
        { readFile, baseDir: '/cfg' },
      ),
    );
    assert.ok(p.some((x) => x.startsWith('listen:')));
    assert.ok(p.some((x) => x.includes('logs[1].origin')));
    assert.ok(p.some((x) => x.includes('missing.key')));
    assert.ok(p.some((x) => x.includes('extra')));
  });

  it('refuses logs without a key, with a witness key (0x04) or a broken vkey, and a witness key that is a log key', () => {
    const logKey = ed25519NoteSigner('w.example/log', ed25519SignerFromSeed(seed));
    const p = problems(() =>
      resolve(
        stringify({
          keys: ['witness.key', 'witness.key'],
          logs: [
            { origin: 'nokey.example' },
            { origin: 'cosigner.example', vkey: cosignatureV1Signer('cosigner.example', testSigner('ed25519')).vkey },
            { origin: 'broken.example', vkey: 'broken.example+00000000+AQ==' },
            { origin: 'w.example/log', vkey: logKey.vkey },
          ],
        }),
      ),
    );
    assert.equal(p.length, 5, p.join('\n'));
    assert.ok(p.some((x) => x.includes('nokey.example') && x.includes('no vkey')));
    assert.ok(p.some((x) => x.includes('cosigner.example') && x.includes('0x04')));
    assert.ok(p.some((x) => x.includes('broken.example')));
    assert.ok(p.some((x) => x.includes('w.example/log') && x.includes('witness key')));
    assert.ok(p.some((x) => x.startsWith('keys[1]')));
  });

  it('takes variable references and the --listen / database overrides, and names a mistyped key', () => {
    const text = `keys: [witness.key]\nlogs: [{ origin: "a.example/log", vkey: "\${LOG_VKEY}" }]\nlisten: 127.0.0.1:1\n`;
    const c = loadWitnessConfigText(text, {
      readFile,
      baseDir: '/cfg',
      env: { LOG_VKEY: realLogs[0].vkey },
      overrides: { listen: '127.0.0.1:7777', database: 'sqlite:state/w.db' },
    });
    assert.equal(c.port, 7777);
    assert.equal(c.database, 'sqlite:/cfg/state/w.db');
    assert.equal([...c.logs][0].keys.size, 1);
    const p = problems(() => parseWitnessConfig('keys: [k]\nlogs: [{ origin: a, vkye: b }]\n'));
    assert.ok(
      p.some((x) => x.includes('vkye') && x.includes('vkey')),
      p.join('\n'),
    );
  });

  it('needs keys and at least one log', () => {
    const p = problems(() => parseWitnessConfig('listen: 127.0.0.1:1\n'));
    assert.ok(p.some((x) => x.startsWith('keys:')));
    assert.ok(p.some((x) => x.startsWith('logs:')));
  });
});

describe('docs/examples/witness.yaml', () => {
  it('loads, with a key file beside it, and follows the real logs it names', () => {
    const text = readFileSync(new URL('../../docs/examples/witness.yaml', import.meta.url), 'utf8');
    const c = loadWitnessConfigText(text, { readFile, baseDir: '/cfg' });
    assert.equal(c.logs.size, 4);
    for (const l of c.logs) assert.ok(realLogs.some((r) => r.origin === l.origin && [...l.keys].some((k) => k.vkey === r.vkey)));
    assert.deepEqual(c.incidents, {
      evidenceDir: '/cfg/evidence',
      sinks: [{ type: 'log' }, { type: 'jsonl', path: '/cfg/incidents.jsonl' }],
    });
  });
});

describe('parseNetworkLogList', () => {
  it('reads entries, defaults the origin to the key name and keeps the contact', () => {
    const logs = parseNetworkLogList(listText);
    assert.deepEqual(logs, [
      { origin: sigsum.origin, vkeys: [sigsum.vkey], qpd: 1440, contact: 'sigsum@example.org' },
      { origin: armory.origin, vkeys: [armory.vkey], qpd: 24 },
    ]);
  });

  const rekor = realLogs.find((l) => l.vkey.startsWith('rekor'));
  for (const [desc, text] of [
    ['no header', `vkey ${sigsum.vkey}\nqpd 1\n`],
    ['another header', `logs/v1\nvkey ${sigsum.vkey}\nqpd 1\n`],
    ['an unknown keyword', `logs/v0\nvkey ${sigsum.vkey}\nqpd 1\nweight 3\n`],
    ['a log without qpd', `logs/v0\nvkey ${sigsum.vkey}\n`],
    ['qpd 0', `logs/v0\nvkey ${sigsum.vkey}\nqpd 0\n`],
    ['qpd 2^31', `logs/v0\nvkey ${sigsum.vkey}\nqpd 2147483648\n`],
    ['a second origin', `logs/v0\nvkey ${sigsum.vkey}\norigin a\norigin b\nqpd 1\n`],
    ['a field before any vkey', 'logs/v0\nqpd 1\n'],
    ['an ECDSA vkey (lists are Ed25519 only)', `logs/v0\nvkey ${rekor?.vkey}\nqpd 1\n`],
    ['a vkey that does not parse', 'logs/v0\nvkey nope+00000000+AQ==\nqpd 1\n'],
    ['an empty file', '# nothing\n'],
  ]) {
    it(`refuses ${desc}`, () => assert.throws(() => parseNetworkLogList(text), WitnessConfigError));
  }
});
