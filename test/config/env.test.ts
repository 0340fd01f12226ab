/**
 * `${VAR}` substitution in config text (src/config/env.ts): values, defaults,
 * escapes, comments left alone, and problems that name the variable but
 * never show a value.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} references in config text are the subject of these tests
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactSubstitutions, substituteEnv } from '../../src/config/env.ts';

const env = { HOST: 'db.internal', PW: 's3cr3t-pw', EMPTY: '', PORT: '5432' };

describe('substituteEnv', () => {
  const cases: Array<{ desc: string; text: string; want?: string; wantProblem?: RegExp }> = [
    { desc: 'a plain reference', text: 'database: postgres://u@${HOST}/g\n', want: 'database: postgres://u@db.internal/g\n' },
    { desc: 'several on one line', text: 'a: ${HOST}:${PORT}\n', want: 'a: db.internal:5432\n' },
    { desc: 'a default for an unset variable', text: 'a: ${NOPE:-127.0.0.1:8080}\n', want: 'a: 127.0.0.1:8080\n' },
    { desc: 'a default for an empty variable', text: 'a: ${EMPTY:-x}\n', want: 'a: x\n' },
    { desc: 'a set variable wins over its default', text: 'a: ${HOST:-x}\n', want: 'a: db.internal\n' },
    { desc: 'an empty default', text: 'a: "${NOPE:-}"\n', want: 'a: ""\n' },
    { desc: 'an empty variable without default is its empty value', text: 'a: "${EMPTY}"\n', want: 'a: ""\n' },
    { desc: '$${ is a literal ${', text: 'a: "$${HOST}"\n', want: 'a: "${HOST}"\n' },
    { desc: 'a lone $ is kept', text: 'a: "$5 and $HOST"\n', want: 'a: "$5 and $HOST"\n' },
    {
      desc: 'a comment is left alone, even with an unset variable',
      text: '# uses ${NOPE}\na: 1 # ${NOPE:-x}\n',
      want: '# uses ${NOPE}\na: 1 # ${NOPE:-x}\n',
    },
    { desc: 'a # inside quotes is not a comment', text: 'a: "x # ${HOST}"\n', want: 'a: "x # db.internal"\n' },
    { desc: 'a # inside a block scalar is not a comment', text: 'a: |\n  # ${HOST}\n', want: 'a: |\n  # db.internal\n' },
    { desc: 'inside a flow mapping', text: 'a: { b: "${PORT}" }\n', want: 'a: { b: "5432" }\n' },
    { desc: 'an unset variable without default', text: 'a: 1\nb: ${NOPE}\n', wantProblem: /^line 2: environment variable NOPE is not set/ },
    { desc: 'an unclosed reference', text: 'a: ${HOST\n', wantProblem: /^line 1: "\$\{" without a closing "\}"/ },
    { desc: 'a name that is not a name', text: 'a: ${1X}\n', wantProblem: /^line 1: got \$\{1X\}, want \$\{NAME\}/ },
    { desc: 'a shell-style alternative', text: 'a: ${HOST:+x}\n', wantProblem: /^line 1: got \$\{HOST:\+x\}/ },
  ];
  for (const tc of cases) {
    it(tc.desc, () => {
      const r = substituteEnv(tc.text, env);
      if (tc.wantProblem) {
        assert.equal(r.problems.length, 1, JSON.stringify(r.problems));
        assert.match(r.problems[0], tc.wantProblem);
      } else {
        assert.deepEqual(r.problems, []);
        assert.equal(r.text, tc.want);
      }
    });
  }

  it('reports every problem at once, in text order', () => {
    const r = substituteEnv('a: ${A}\nb: ${B}\nc: ${C:-ok}\nd: ${D}\n', {});
    assert.deepEqual(
      r.problems.map((p) => p.split(':')[0]),
      ['line 1', 'line 2', 'line 4'],
    );
  });

  it('refuses a value with a line break, naming the variable and not the value', () => {
    const r = substituteEnv('a: ${ML}\n', { ML: 'line one\nkey: injected' });
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0], /ML holds a line break/);
    assert.ok(!r.problems[0].includes('injected'));
  });

  it('lists what it substituted, not defaults', () => {
    const r = substituteEnv('a: ${PW}\nb: ${NOPE:-dflt}\n', env);
    assert.deepEqual(r.substitutions, [{ name: 'PW', value: 's3cr3t-pw' }]);
  });
});

describe('redactSubstitutions', () => {
  it('replaces every substituted value by its reference, the longest first', () => {
    const subs = [
      { name: 'PW', value: 's3cr3t' },
      { name: 'URL', value: 'postgres://u:s3cr3t@h/db' },
    ];
    assert.equal(redactSubstitutions('database: got "postgres://u:s3cr3t@h/db" and s3cr3t', subs), 'database: got "${URL}" and ${PW}');
  });

  it('leaves values too short to be secrets, which would garble every message', () => {
    assert.equal(redactSubstitutions('port 80 of 8080', [{ name: 'P', value: '80' }]), 'port 80 of 8080');
  });
});
