import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../../src/storage/index.ts';
import { storageContract } from './contract.ts';

let file = '';
storageContract(
  'sqlite (file, WAL)',
  () => {
    file = join(mkdtempSync(join(tmpdir(), 'gv-sqlite-')), 'log.db');
    return openStorage(`sqlite:${file}`);
  },
  () => openStorage(`sqlite:${file}`),
);
storageContract('sqlite (:memory:)', () => openStorage('sqlite::memory:'));
