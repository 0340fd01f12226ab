import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logIdOfOrigin } from '../../../src/audit/index.ts';
import { KnownLogError, LogRegistry, makeKnownLog, parseCtLogListV3 } from '../../../src/gossip/validate/index.ts';
import { b64 } from '../../codec/testing.ts';
import { assertThrowsCode } from '../../support/assert-code.ts';
import { loadTestdata } from '../../testdata.ts';
import { CT_STHS, fixtureRegistry, LOG_LIST_TEXT } from '../fixtures.ts';

const CHECKPOINT_LOGS = loadTestdata('checkpoint-logs.json');

describe('parseCtLogListV3', () => {
  it('reads every log and tiled log of the v3 fixture with its state, MMD and URL or origin', () => {
    const specs = parseCtLogListV3(LOG_LIST_TEXT);
    assert.equal(specs.length, 6);
    const aviator = specs.find((s) => s.name === "Google 'Aviator' log");
    assert.equal(aviator?.url, 'https://ct.googleapis.com/aviator/');
    assert.equal(aviator?.mmdMs, 86_400_000);
    const m = specs.find((s) => s.name === 'TEST KEY m as a tiled log');
    assert.equal(m?.origin, 'm.ct.grapevine.test/2026h1');
    assert.equal(m?.state, 'usable');
    assert.equal(specs.find((s) => s.name === 'TEST KEY b')?.state, 'readonly');
  });

  it('gives each log the RFC 6962 log id of ct-sths.json as its canonical id', () => {
    const reg = fixtureRegistry();
    for (const c of CT_STHS.real_log_sths) {
      const id = b64(c.log.log_id).toString('hex');
      assert.equal(reg.get(id)?.id, id, c.id);
    }
  });

  it('resolves a tiled log by its origin id too, and verifies its 0x05 notes', () => {
    const reg = fixtureRegistry();
    const m = [...reg].find((l) => l.origin === 'm.ct.grapevine.test/2026h1');
    assert.ok(m);
    assert.equal(reg.get(logIdOfOrigin('m.ct.grapevine.test/2026h1')), m);
    assert.equal(m.noteVerifiers.size, 1);
  });

  const broken: { desc: string; text: string }[] = [
    { desc: 'not JSON', text: '{' },
    { desc: 'no operators', text: '{"logs":[]}' },
    { desc: 'a log without a key', text: '{"operators":[{"logs":[{"log_id":"AAAA","url":"u"}]}]}' },
    { desc: 'a log_id that is not base64', text: '{"operators":[{"logs":[{"log_id":"!!","key":"AAAA","url":"u"}]}]}' },
    { desc: 'a short log_id', text: '{"operators":[{"logs":[{"log_id":"AAAA","key":"AAAA","url":"u"}]}]}' },
    { desc: 'a fractional mmd', text: `{"operators":[{"logs":[{"log_id":"${'A'.repeat(43)}=","key":"AAAA","url":"u","mmd":1.5}]}]}` },
  ];
  for (const tc of broken) {
    it(`refuses ${tc.desc} as BAD_LOG_LIST`, () => assertThrowsCode(() => parseCtLogListV3(tc.text), KnownLogError, 'BAD_LOG_LIST'));
  }

  it('refuses a log whose log_id is not SHA-256 of its key (BAD_LOG)', () => {
    const doc = JSON.parse(LOG_LIST_TEXT);
    doc.operators[0].logs[0].log_id = doc.operators[0].logs[1].log_id;
    assertThrowsCode(() => new LogRegistry(parseCtLogListV3(JSON.stringify(doc))), KnownLogError, 'BAD_LOG');
  });
});

describe('LogRegistry', () => {
  it('refuses two logs with one id (DUPLICATE_LOG)', () => {
    const specs = parseCtLogListV3(LOG_LIST_TEXT);
    assertThrowsCode(() => new LogRegistry([...specs, specs[0]]), KnownLogError, 'DUPLICATE_LOG');
  });

  it('knows the real checkpoint logs of checkpoint-logs.json by their origin id, and by key id where the key is theirs alone', () => {
    const logs = CHECKPOINT_LOGS.logs as { origin: string; vkey: string; transparency_dev_log_id_hex: string }[];
    const reg = new LogRegistry(logs.map((l) => ({ name: l.origin, origin: l.origin, vkeys: [l.vkey] })));
    assert.equal(reg.size, logs.length);
    for (const l of logs) {
      const log = reg.get(logIdOfOrigin(l.origin));
      assert.ok(log, l.origin);
      assert.equal(log.id, l.transparency_dev_log_id_hex);
      const keyId = log.ids[1];
      const sharing = logs.filter((o) => o.vkey === l.vkey).length;
      assert.equal(reg.get(keyId), sharing === 1 ? log : undefined, `${l.origin}: key shared by ${sharing} logs`);
    }
  });

  const bad: { desc: string; spec: Parameters<typeof makeKnownLog>[0] }[] = [
    { desc: 'neither key nor vkeys', spec: { name: 'x' } },
    { desc: 'vkeys without an origin', spec: { name: 'x', vkeys: ['PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'] } },
    { desc: 'a garbage key', spec: { name: 'x', key: 'AAAA' } },
    { desc: 'a bad vkey', spec: { name: 'x', origin: 'o', vkeys: ['nope'] } },
    {
      desc: 'an empty origin',
      spec: { name: 'x', origin: '', vkeys: ['PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'] },
    },
  ];
  for (const tc of bad) {
    it(`refuses ${tc.desc} (BAD_LOG)`, () => assertThrowsCode(() => makeKnownLog(tc.spec), KnownLogError, 'BAD_LOG'));
  }
});
