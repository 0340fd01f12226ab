import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../../src/storage/index.ts';
import { storageContract } from './contract.ts';

storageContract('sqlite (file, WAL)', () => openStorage(`sqlite:${join(mkdtempSync(join(tmpdir(), 'gv-sqlite-')), 'log.db')}`));
storageContract('sqlite (:memory:)', () => openStorage('sqlite::memory:'));
