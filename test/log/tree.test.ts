/**
 * openTree (src/log/tree.ts): the tree wiring every personality shares —
 * open-or-create with the personality and key checks, timing from the MMD,
 * a sequencer and a merge watchdog, and the fatal stop.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isError, SetupError } from '../../src/errors.ts';
import { Log, type LogStorage, openTree, StorageError } from '../../src/log/index.ts';
import { openStorage } from '../../src/storage/index.ts';
import { newSigner } from '../support/keys.ts';
import { tempDir } from '../support/temp-dir.ts';

const spec = (signer = newSigner(), mmdMs = 10_000) => ({ name: 't', personality: 'ct', signer, mmdMs, what: 'CT log "t"' });

/** The storage with some methods replaced (test-only seams over the real thing). */
function withOverrides(s: LogStorage, o: Partial<LogStorage>): LogStorage {
  return new Proxy(s, {
    get(target, prop, receiver) {
      if (prop in o) return (o as Record<string | symbol, unknown>)[prop];
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe('openTree', () => {
  it('refuses a missing tree unless asked to create it, naming how to ask', async () => {
    const storage = await openStorage('sqlite::memory:');
    await assert.rejects(
      openTree(spec(), { storage, createHint: 'start once with --create-trees to create it' }),
      (e: Error) =>
        isError(e, SetupError, 'MISSING_TREE') && /CT log "t": tree "t" does not exist; start once with --create-trees/.test(e.message),
    );
    assert.equal(await storage.getTree('t'), null, 'nothing created');
    await storage.close();
  });

  it('creates a missing tree when asked, then opens it again without asking', async () => {
    const storage = await openStorage('sqlite::memory:');
    const signer = newSigner();
    const a = await openTree(spec(signer), { storage, createMissing: true, sequencer: false });
    const b = await openTree(spec(signer), { storage, sequencer: false });
    assert.equal(a.log.tree.id, b.log.tree.id);
    assert.equal((await b.log.latestHead()).size, 0);
    await storage.close();
  });

  it('refuses a tree of another personality (WRONG_PERSONALITY) and another key (WRONG_KEY)', async () => {
    const storage = await openStorage('sqlite::memory:');
    const signer = newSigner();
    await Log.create(storage, 't', 'hub', signer);
    await assert.rejects(openTree(spec(signer), { storage }), (e) => isError(e, SetupError, 'WRONG_PERSONALITY'));
    await assert.rejects(openTree({ ...spec(newSigner()), personality: 'hub' }, { storage }), (e) => isError(e, SetupError, 'WRONG_KEY'));
    await storage.close();
  });

  it('refuses an MMD its takeover cannot keep before touching storage', async () => {
    const storage = await openStorage('sqlite::memory:');
    await assert.rejects(openTree(spec(newSigner(), 1000), { storage, createMissing: true }), (e) => isError(e, SetupError, 'BAD_CONFIG'));
    assert.equal(await storage.getTree('t'), null);
    await storage.close();
  });

  it('derives the sequencer timing from the MMD', async () => {
    const storage = await openStorage('sqlite::memory:');
    const t = await openTree(spec(newSigner(), 4000), { storage, createMissing: true });
    assert.deepEqual([t.timing.intervalMs, t.timing.leaseTtlMs, t.timing.maxRootAgeMs], [200, 1800, 4000]);
    await storage.close();
  });

  it('comes up when another frontend created the tree between its look and its create', async () => {
    const file = join(tempDir('gv-tree-'), 'race.db');
    const signer = newSigner();
    const winner = await openStorage(`sqlite:${file}`);
    const loser = await openStorage(`sqlite:${file}`);
    // The loser's first look finds nothing; the winner creates the tree before the loser's create runs.
    let looked = false;
    const racing = withOverrides(loser, {
      getTree: async (name: string) => {
        if (!looked) {
          looked = true;
          await openTree(spec(signer), { storage: winner, createMissing: true, sequencer: false });
          return null;
        }
        return loser.getTree(name);
      },
    });
    const t = await openTree(spec(signer), { storage: racing, createMissing: true, sequencer: false });
    assert.equal(t.log.tree.id, (await winner.getTree('t'))?.id);
    // Creation races are checked like any existing tree: another key is still refused.
    await assert.rejects(openTree(spec(newSigner()), { storage: loser, createMissing: true }), (e) => isError(e, SetupError, 'WRONG_KEY'));
    await winner.close();
    await loser.close();
  });

  it('stops promising and tells its listeners once when the sequencer stops on a fatal error', async () => {
    const real = await openStorage('sqlite::memory:');
    const storage = withOverrides(real, {
      integrate: async () => {
        throw new StorageError('CORRUPT', 'a stored tile disagrees with the compact range');
      },
    });
    const t = await openTree({ ...spec(), timing: { intervalMs: 1 } }, { storage, createMissing: true });
    const fatal = new Promise<unknown>((resolve) => t.onFatal(resolve));
    await t.start();
    assert.equal(await t.watchdog.refusal(), null);
    await t.log.queueLeaf({ value: Buffer.from('x') });
    const err = await fatal;
    assert.ok(isError(err, StorageError, 'CORRUPT'));
    assert.equal((await t.watchdog.refusal())?.reason, 'stopped');
    // A listener that comes late (a server that registers after its parts started) still hears of it.
    assert.equal(await new Promise<unknown>((resolve) => t.onFatal(resolve)), err);
    await t.stop();
    await real.close();
  });
});
