/** Database URLs in logs and errors carry no secret (issue 9 #5): redact() in src/storage/index.ts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redact } from '../../src/storage/index.ts';

describe('redact', () => {
  const cases = [
    { desc: 'a plain password', url: 'postgres://user:secret@db.example:5432/gv', want: 'postgres://user:***@db.example:5432/gv' },
    { desc: "a password with '@' (node-postgres reads p@ss)", url: 'postgres://user:p@ss@host/db', want: 'postgres://user:***@host/db' },
    { desc: 'a password and no user name', url: 'postgres://:pw@host/db', want: 'postgres://:***@host/db' },
    { desc: 'a percent-encoded password', url: 'postgresql://u:p%40ss%3Aw@host/db', want: 'postgresql://u:***@host/db' },
    {
      desc: 'a password query parameter, other parameters kept',
      url: 'postgres://u@host/db?sslmode=require&password=hunter2',
      want: 'postgres://u@host/db?sslmode=require&password=***',
    },
    { desc: "libpq's sslpassword parameter", url: 'postgres://u@host/db?sslpassword=k3y', want: 'postgres://u@host/db?sslpassword=***' },
    { desc: 'no secret at all', url: 'postgres://u@host/db', want: 'postgres://u@host/db' },
    { desc: 'a SQLite path', url: 'sqlite:./grapevine-data/grapevine.db', want: 'sqlite:./grapevine-data/grapevine.db' },
    { desc: 'SQLite in memory', url: 'sqlite::memory:', want: 'sqlite::memory:' },
    { desc: 'a libpq key=value string (not a URL): hidden whole', url: 'host=db password=hunter2', want: '<not a URL: hidden>' },
    { desc: 'an unparseable URL: hidden but for its scheme', url: 'postgres://u:pw@[bad', want: 'postgres:<not a URL: hidden>' },
  ];
  for (const c of cases) {
    it(`hides ${c.desc}`, () => {
      const got = redact(c.url);
      assert.equal(got, c.want);
      for (const secret of ['secret', 'p@ss', 'pw@', 'p%40ss', 'hunter2', 'k3y'])
        assert.ok(!got.includes(secret), `${got} shows ${secret}`);
    });
  }
});
