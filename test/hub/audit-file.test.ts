/**
 * The hub's audit file (issue 9 #4): the last served head is read from the
 * tail only, so a file of any size starts the hub; the file is rotated at a
 * bounded size and every rotation step leaves the last record in place.
 */
import assert from 'node:assert/strict';
import { constants } from 'node:buffer';
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isError, SetupError } from '../../src/errors.ts';
import { FileServedHeads, type ServedHead } from '../../src/personalities/hub/index.ts';
import { tempDir } from '../support/temp-dir.ts';

const { MAX_STRING_LENGTH } = constants;
const dir = () => tempDir('gv-audit-file-');

/** A served head whose fields all derive from `n` (the file store does not check signatures). */
function head(n: number): ServedHead {
  const b = (tag: string, len: number) => Buffer.alloc(len, `${tag}${n}`);
  return {
    revision: n,
    size: n * 10,
    rootHash: b('r', 32),
    timestampMs: 1_700_000_000_000 + n,
    logRoot: b('l', 60),
    logRootSignature: b('s', 72),
    headData: b('h', 50),
    hubSignature: b('g', 72),
    servedAt: 1_700_000_000_500 + n,
  };
}

async function lastRevision(path: string): Promise<number | undefined> {
  return (await new FileServedHeads(path).last())?.revision;
}

describe('FileServedHeads', () => {
  it('reads the last record of a file larger than the longest string Node can hold (the old read failed with ERR_STRING_TOO_LONG)', async () => {
    const path = join(dir(), 'audit.jsonl');
    const store = new FileServedHeads(path, { maxBytes: 2 ** 40 });
    await store.append(head(1));
    // 600 MiB of earlier history without writing it: a sparse hole (NUL bytes), then a line end and two records.
    truncateSync(path, 600 * 2 ** 20);
    appendFileSync(path, '\n');
    await store.append(head(2));
    await store.append(head(3));
    assert.ok(statSync(path).size > MAX_STRING_LENGTH, 'readFileSync(path, "utf8") would throw ERR_STRING_TOO_LONG');
    const last = await new FileServedHeads(path).last();
    assert.deepEqual(last, head(3));
  });

  it('skips a torn final line, and the next append starts a line of its own', async () => {
    const path = join(dir(), 'audit.jsonl');
    await new FileServedHeads(path).append(head(1));
    appendFileSync(path, '{"revision": 9, "si'); // a crash mid-append
    const restarted = new FileServedHeads(path);
    assert.equal((await restarted.last())?.revision, 1);
    await restarted.append(head(2));
    assert.equal(await lastRevision(path), 2, 'the record after the torn line is read back');
    assert.match(readFileSync(path, 'utf8'), /"si\n\{"revision":2/);
  });

  it('appends after a torn line even when last() was not called first', async () => {
    const path = join(dir(), 'audit.jsonl');
    await new FileServedHeads(path).append(head(1));
    appendFileSync(path, '{"rev');
    await new FileServedHeads(path).append(head(2));
    assert.equal(await lastRevision(path), 2);
  });

  it('answers null for a missing file and for a file holding only a torn first write', async () => {
    const d = dir();
    assert.equal(await lastRevision(join(d, 'none.jsonl')), undefined);
    writeFileSync(join(d, 'torn.jsonl'), '{"revision":1,"si');
    assert.equal(await lastRevision(join(d, 'torn.jsonl')), undefined);
  });

  it('refuses a file whose complete lines are not records (SetupError BAD_CONFIG): not an audit file', async () => {
    const path = join(dir(), 'audit.jsonl');
    writeFileSync(path, 'hello\nworld\n');
    await assert.rejects(new FileServedHeads(path).last(), (err: unknown) => isError(err, SetupError, 'BAD_CONFIG'));
  });

  it('finds the last record across a chunk boundary, below lines that are not records', async () => {
    const path = join(dir(), 'audit.jsonl');
    await new FileServedHeads(path).append(head(4));
    // More than one 64 KiB chunk of lines that parse as JSON but are not records.
    appendFileSync(path, `${'{"x":1}\n'.repeat(10_000)}`);
    assert.equal(await lastRevision(path), 4);
  });

  it('rotates at maxBytes: FILE keeps the last record, FILE.1 … FILE.keep the history, nothing more on disk', async () => {
    const d = dir();
    const path = join(d, 'audit.jsonl');
    const record = await recordBytes(d);
    const store = new FileServedHeads(path, { maxBytes: 4 * record, keep: 2 });
    for (let n = 1; n <= 40; n++) {
      await store.append(head(n));
      assert.equal(await lastRevision(path), n, `after append ${n}`);
      assert.ok(statSync(path).size <= 5 * record, 'FILE stays bounded');
    }
    assert.deepEqual(readdirSync(d).sort(), ['audit.jsonl', 'audit.jsonl.1', 'audit.jsonl.2', 'probe.jsonl']);
    // Generations are in order: FILE.1 ends with the record FILE starts with; FILE.2 is older still.
    const revs = (p: string) =>
      readFileSync(p, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).revision as number);
    const cur = revs(path);
    const one = revs(`${path}.1`);
    const two = revs(`${path}.2`);
    assert.equal(cur.at(-1), 40);
    assert.equal(one.at(-1), cur[0], 'the last record is kept across the rotation');
    assert.ok((two.at(-1) as number) <= one[0]);
  });

  it('keeps no history with keep 0', async () => {
    const d = dir();
    const path = join(d, 'audit.jsonl');
    const store = new FileServedHeads(path, { maxBytes: 4096, keep: 0 });
    for (let n = 1; n <= 30; n++) await store.append(head(n));
    assert.deepEqual(readdirSync(d), ['audit.jsonl']);
    assert.equal(await lastRevision(path), 30);
  });

  it('survives the leftovers of a rotation cut short by a crash, and reads a rotated file when FILE was moved away', async () => {
    const d = dir();
    const path = join(d, 'audit.jsonl');
    const store = new FileServedHeads(path, { maxBytes: 4096, keep: 2 });
    for (let n = 1; n <= 12; n++) await store.append(head(n));
    // A crash after writing the new file and the hard link, before the renames: both temporaries remain.
    writeFileSync(`${path}.tmp`, `${JSON.stringify({ revision: 99 })}\n`);
    writeFileSync(`${path}.1.tmp`, 'partial');
    const restarted = new FileServedHeads(path, { maxBytes: 4096, keep: 2 });
    assert.equal((await restarted.last())?.revision, 12, 'temporaries are never read');
    for (let n = 13; n <= 30; n++) await restarted.append(head(n));
    assert.equal(await lastRevision(path), 30);
    assert.ok(!existsSync(`${path}.tmp`) && !existsSync(`${path}.1.tmp`));
    // An operator moved FILE away: the newest rotated generation still holds a served head.
    const moved = join(d, 'moved.jsonl');
    writeFileSync(moved, readFileSync(path));
    truncateSync(path, 0);
    const last = await new FileServedHeads(path, { keep: 2 }).last();
    assert.ok(last && last.revision < 30 && last.revision > 0);
  });
});

/** The size of one record line, written by the store to a probe file in `d`. */
async function recordBytes(d: string): Promise<number> {
  const probe = join(d, 'probe.jsonl');
  await new FileServedHeads(probe).append(head(10));
  return statSync(probe).size;
}
