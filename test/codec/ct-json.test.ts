import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CodecError,
  type CodecErrorCode,
  encodeBase64,
  formatAddChainResponse,
  formatDnsSth,
  formatGetEntries,
  formatGetEntryAndProof,
  formatGetProofByHash,
  formatGetSth,
  formatGetSthConsistency,
  parseAddChainResponse,
  parseDnsSth,
  parseGetEntries,
  parseGetEntryAndProof,
  parseGetProofByHash,
  parseGetSth,
  parseGetSthConsistency,
  sthFromJson,
} from '../../src/codec/index.ts';
import { hashLeaf, verifyInclusion } from '../../src/merkle/index.ts';
import { assertThrowsCode } from '../support/assert-code.ts';
import { loadTestdata } from '../testdata.ts';
import { b64, hex } from './testing.ts';

const sths = loadTestdata('ct-sths.json');
const responses = loadTestdata('ct-get-responses.json');

/**
 * The typed error each malformed get-sth body must produce, keyed by `desc`.
 * `want_error_containing` is certificate-transparency-go's message; the code
 * is ours. "trailing junk": the file's base64 ends "…PT8bbbb=", whose last
 * group has non-zero unused bits; Go's StdEncoding tolerates that and then
 * finds 3 bytes after the DigitallySigned ("trailing data"); our strict base64
 * (README finding 9) rejects it one step earlier. The TRAILING_DATA path on
 * the same bytes is tested separately below.
 */
const MALFORMED_GET_STH: Record<string, CodecErrorCode> = {
  empty: 'BAD_JSON', // EOF
  'bad json': 'BAD_JSON', // invalid
  'root not base64': 'BAD_BASE64', // illegal base64
  'sig not base64': 'BAD_BASE64', // illegal base64
  'both not base64': 'BAD_BASE64', // illegal base64
  'invalid hash len': 'LENGTH_OUT_OF_BOUNDS', // hash is invalid length
  'bad tls data': 'TRUNCATED', // tls: syntax error
  'trailing junk': 'BAD_BASE64', // trailing data (see above)
};

describe('parseGetSth (RFC 6962 §4.3)', () => {
  for (const s of [...sths.real_log_sths, ...sths.test_key_sths]) {
    it(`${s.id}: parses and formats back to an equivalent body`, () => {
      const sth = parseGetSth(JSON.stringify(s.sth));
      assert.equal(sth.treeSize, s.sth.tree_size);
      assert.equal(sth.timestamp, s.sth.timestamp);
      assert.equal(sth.sha256RootHash.toString('base64'), s.sth.sha256_root_hash);
      assert.equal(sth.sthVersion, undefined);
      assert.equal(sth.logId, undefined);
      assert.deepEqual(JSON.parse(formatGetSth(sth)), s.sth);
    });
  }

  it('has an expected error for every malformed get-sth body in ct-sths.json', () =>
    assert.deepEqual(sths.malformed_get_sth_bodies.map((m: { desc: string }) => m.desc).sort(), Object.keys(MALFORMED_GET_STH).sort()));

  for (const m of sths.malformed_get_sth_bodies) {
    it(`rejects "${m.desc}" (upstream: "${m.want_error_containing}") with CodecError ${MALFORMED_GET_STH[m.desc]}`, () =>
      assertThrowsCode(() => parseGetSth(m.get_sth_body), CodecError, MALFORMED_GET_STH[m.desc]));
  }

  it('rejects the "trailing junk" signature bytes, canonically encoded, with TRAILING_DATA', () => {
    const body = JSON.parse(sths.malformed_get_sth_bodies.find((m: { desc: string }) => m.desc === 'trailing junk').get_sth_body);
    const lenient = b64(body.tree_head_signature);
    assert.equal(lenient.length, 4 + 70 + 3, 'what Go decodes: a DigitallySigned with a 70-byte signature, then 3 junk bytes');
    const canonical = { ...body, tree_head_signature: encodeBase64(lenient) };
    assertThrowsCode(() => parseGetSth(JSON.stringify(canonical)), CodecError, 'TRAILING_DATA');
  });

  const strict: { desc: string; body: unknown; code: CodecErrorCode }[] = [
    { desc: 'a JSON array', body: [], code: 'BAD_JSON' },
    { desc: 'JSON null', body: null, code: 'BAD_JSON' },
    { desc: 'a missing tree_size', body: { timestamp: 1, sha256_root_hash: '', tree_head_signature: '' }, code: 'BAD_FIELD' },
    { desc: 'tree_size null', body: { tree_size: null }, code: 'BAD_FIELD' },
    { desc: 'tree_size as a string', body: { tree_size: '5' }, code: 'BAD_FIELD' },
    { desc: 'a negative tree_size', body: { tree_size: -1 }, code: 'BAD_FIELD' },
    { desc: 'a fractional timestamp', body: { tree_size: 1, timestamp: 1.5 }, code: 'BAD_FIELD' },
    { desc: 'a tree_size above 2^53-1', body: { tree_size: 2 ** 53 }, code: 'UNSAFE_INTEGER' },
    {
      desc: 'a root of 33 bytes',
      body: { tree_size: 1, timestamp: 1, sha256_root_hash: encodeBase64(Buffer.alloc(33)), tree_head_signature: 'BAMAAA==' },
      code: 'LENGTH_OUT_OF_BOUNDS',
    },
    {
      desc: 'unpadded base64',
      body: {
        tree_size: 1,
        timestamp: 1,
        sha256_root_hash: encodeBase64(Buffer.alloc(32)).replace('=', ''),
        tree_head_signature: 'BAMAAA==',
      },
      code: 'BAD_BASE64',
    },
  ];
  for (const tc of strict) {
    it(`rejects ${tc.desc} with CodecError ${tc.code}`, () =>
      assertThrowsCode(() => parseGetSth(JSON.stringify(tc.body)), CodecError, tc.code));
  }

  it('reads a body given as UTF-8 bytes, and rejects bytes that are not UTF-8 with BAD_JSON', () => {
    const s = sths.real_log_sths[0].sth;
    assert.equal(parseGetSth(Buffer.from(JSON.stringify(s))).treeSize, s.tree_size);
    assertThrowsCode(() => parseGetSth(hex('7bff7d')), CodecError, 'BAD_JSON');
  });

  it('ignores unknown fields, as Go clients do', () =>
    assert.equal(parseGetSth(JSON.stringify({ ...sths.real_log_sths[0].sth, extra: true })).treeSize, 3721782));
});

describe('sthFromJson on the draft-ietf-trans-gossip sth-pollination body', () => {
  const body = sths.sth_pollination_request.body;
  for (const [i, s] of body.sths.entries()) {
    it(`sths[${i}]: reads sth_version 0 and the 32-byte log_id, and formats back`, () => {
      const sth = sthFromJson(s);
      assert.equal(sth.sthVersion, 0);
      assert.equal(sth.logId?.toString('base64'), s.log_id);
      assert.deepEqual(JSON.parse(formatGetSth(sth)), s);
    });
  }
  it('rejects sth_version 1 with BAD_VALUE', () =>
    assertThrowsCode(() => sthFromJson({ ...body.sths[0], sth_version: 1 }), CodecError, 'BAD_VALUE'));
  it('rejects a log_id that is not 32 bytes with LENGTH_OUT_OF_BOUNDS', () =>
    assertThrowsCode(() => sthFromJson({ ...body.sths[0], log_id: 'AAAA' }), CodecError, 'LENGTH_OUT_OF_BOUNDS'));
});

describe('parseDnsSth (CT-over-DNS TXT)', () => {
  const ex = sths.dns_api_sth_example;
  const pilot = sths.real_log_sths.find((s: { id: string }) => s.id === 'ctgo-logclient-validsth');
  it('decodes the derived Pilot TXT record to the Pilot STH, and formats back', () => {
    const sth = parseDnsSth(ex.txt);
    assert.deepEqual(JSON.parse(formatGetSth(sth)), pilot.sth);
    assert.equal(formatDnsSth(sth), ex.txt);
  });
  const bad: { desc: string; txt: string; code: CodecErrorCode }[] = [
    { desc: 'three fields', txt: ex.txt.split('.').slice(0, 3).join('.'), code: 'BAD_FIELD' },
    { desc: 'a leading zero', txt: `0${ex.txt}`, code: 'BAD_FIELD' },
    { desc: 'a signed size', txt: `+${ex.txt}`, code: 'BAD_FIELD' },
    { desc: 'a size above 2^53-1', txt: ex.txt.replace(/^\d+/, '9007199254740993'), code: 'UNSAFE_INTEGER' },
  ];
  for (const tc of bad) {
    it(`rejects ${tc.desc} with CodecError ${tc.code}`, () => assertThrowsCode(() => parseDnsSth(tc.txt), CodecError, tc.code));
  }
});

/** The typed error for each of the 20 malformed bodies in ct-get-responses.json, keyed by endpoint then desc. */
const ERROR_BODIES: Record<string, Record<string, CodecErrorCode>> = {
  'get-sth-consistency': {
    empty: 'BAD_JSON',
    'invalid json': 'BAD_JSON',
    'not base64': 'BAD_BASE64',
    'bad proof': 'BAD_JSON', // trailing comma
  },
  'get-proof-by-hash': {
    empty: 'BAD_JSON',
    'bad json': 'BAD_JSON',
    'path not base64': 'BAD_BASE64',
    'malformed json': 'BAD_JSON',
  },
  'get-entries': {
    eof: 'BAD_JSON',
    'non json input': 'BAD_JSON',
    'leaf_input not base64': 'BAD_BASE64',
    'extra_data not base64': 'BAD_BASE64', // leaf_input "Z29vZA" is unpadded, caught first
    'both not base64': 'BAD_BASE64',
    'bad json (leaf_input not a MerkleTreeLeaf)': 'BAD_VALUE', // "bbbb" decodes to version 0x6d
  },
  'get-entry-and-proof': {
    empty: 'BAD_JSON',
    'bad json': 'BAD_JSON',
    'leaf_input not base64': 'BAD_BASE64',
    'extra_data not base64': 'BAD_BASE64',
    'audit_path no base64': 'BAD_BASE64',
    'malformed json': 'BAD_JSON',
  },
};

const PARSERS: Record<string, (body: string) => unknown> = {
  'get-sth-consistency': parseGetSthConsistency,
  'get-proof-by-hash': parseGetProofByHash,
  'get-entries': parseGetEntries,
  'get-entry-and-proof': parseGetEntryAndProof,
};

describe('RFC 6962 §4 response bodies: every malformed body in ct-get-responses.json', () => {
  it('has an expected error for each of the 20 bodies', () => {
    const inFile = Object.entries(responses.error_bodies).flatMap(([ep, cases]) =>
      (cases as { desc: string }[]).map((c) => `${ep}|${c.desc}`),
    );
    const inTable = Object.entries(ERROR_BODIES).flatMap(([ep, cases]) => Object.keys(cases).map((d) => `${ep}|${d}`));
    assert.equal(inFile.length, 20);
    assert.deepEqual(inFile.sort(), inTable.sort());
  });

  for (const [ep, cases] of Object.entries(responses.error_bodies)) {
    for (const c of cases as { desc: string; body: string; want_error_containing: string }[]) {
      const code = ERROR_BODIES[ep][c.desc];
      it(`${ep}: rejects "${c.desc}" (upstream: "${c.want_error_containing}") with CodecError ${code}`, () =>
        assertThrowsCode(() => PARSERS[ep](c.body), CodecError, code));
    }
  }
});

describe('parseGetEntries (RFC 6962 §4.6)', () => {
  const body = responses.real_get_entries_response.body;
  it('parses the real 4-entry body, keeping leaf_input verbatim for hashing', () => {
    const entries = parseGetEntries(JSON.stringify(body));
    assert.equal(entries.length, 4);
    entries.forEach((e, i) => {
      assert.equal(e.leafInput.toString('base64'), body.entries[i].leaf_input);
      assert.equal(e.extraData.toString('base64'), body.entries[i].extra_data);
      assert.equal(e.leaf.signedEntry.entryType, 'x509_entry');
      assert.equal(hashLeaf(e.leafInput).toString('hex'), responses.real_get_entries_response.entries_decoded[i].computed_leaf_hash_hex);
    });
    assert.deepEqual(JSON.parse(formatGetEntries(entries)), body);
  });

  it('parses the two real-looking entries (precert and x509) served together', () => {
    const items = responses.real_get_entries_items.entries;
    const entries = parseGetEntries(
      JSON.stringify({
        entries: items.map((e: { leaf_input: string; extra_data: string }) => ({ leaf_input: e.leaf_input, extra_data: e.extra_data })),
      }),
    );
    assert.deepEqual(
      entries.map((e) => e.leaf.signedEntry.entryType),
      ['precert_entry', 'x509_entry'],
    );
  });

  it('reads "entries": null (a Go nil slice) as no entries, but rejects a missing field with BAD_FIELD', () => {
    assert.deepEqual(parseGetEntries('{"entries":null}'), []);
    assertThrowsCode(() => parseGetEntries('{}'), CodecError, 'BAD_FIELD');
  });

  it('rejects an entry that is not an object with BAD_JSON', () =>
    assertThrowsCode(() => parseGetEntries('{"entries":[1]}'), CodecError, 'BAD_JSON'));
});

describe('parseGetProofByHash (RFC 6962 §4.5)', () => {
  const p = responses.real_get_proof_by_hash;
  it('parses the real proof for leaf 848049 of 3,630,887, which verifies to its root', () => {
    const proof = parseGetProofByHash(JSON.stringify(p.response));
    assert.equal(proof.leafIndex, 848049);
    assert.equal(proof.auditPath.length, 22);
    verifyInclusion(proof.leafIndex, p.request.tree_size, b64(p.request.hash), proof.auditPath, hex(p.root_hash_hex));
    assert.deepEqual(JSON.parse(formatGetProofByHash(proof)), p.response);
  });

  it('rejects an audit path node that is not 32 bytes with LENGTH_OUT_OF_BOUNDS', () =>
    assertThrowsCode(() => parseGetProofByHash('{"leaf_index":1,"audit_path":["Z29vZA=="]}'), CodecError, 'LENGTH_OUT_OF_BOUNDS'));
  it('rejects a node that is not a string with BAD_FIELD', () =>
    assertThrowsCode(() => parseGetProofByHash('{"leaf_index":1,"audit_path":[1]}'), CodecError, 'BAD_FIELD'));
  it('reads "audit_path": null as an empty path', () =>
    assert.deepEqual(parseGetProofByHash('{"leaf_index":0,"audit_path":null}').auditPath, []));
});

describe('canned bodies (parse-only)', () => {
  const canned = (ep: string) => responses.canned_responses.find((c: { endpoint: string }) => c.endpoint === ep);

  it('get-proof-by-hash: leaf_index 3 with a 3-node path', () => {
    const c = canned('get-proof-by-hash');
    const p = parseGetProofByHash(c.body);
    assert.equal(p.leafIndex, 3);
    assert.deepEqual(
      p.auditPath.map((n) => n.toString('base64')),
      JSON.parse(c.body).audit_path,
    );
  });

  it('get-sth-consistency: unescapes "\\/" inside base64 and returns 2 nodes', () => {
    const c = canned('get-sth-consistency');
    const nodes = parseGetSthConsistency(c.body);
    assert.deepEqual(
      nodes.map((n) => n.toString('base64')),
      ['IqlrapPQKtmCY1jCr8+lpCtscRyjjZAA7nyadtFPRFQ=', 'ytf6K2GnSRZ3Au+YkivCb7N1DygfKyZmE4aEs9OXl/8='],
    );
    assert.deepEqual(parseGetSthConsistency(formatGetSthConsistency(nodes)), nodes);
  });

  it('get-entry-and-proof: decodes the leaf and keeps extra_data raw ("Extra\\n")', () => {
    const c = canned('get-entry-and-proof');
    const e = parseGetEntryAndProof(c.body);
    assert.equal(e.leaf.timestamp, c.decoded_leaf.timestamp);
    assert.equal(e.extraData.toString(), 'Extra\n');
    assert.equal(e.auditPath.length, 3);
    assert.deepEqual(JSON.parse(formatGetEntryAndProof(e)), JSON.parse(c.body));
  });
});

describe('parseAddChainResponse (RFC 6962 §4.1)', () => {
  const sct = {
    logId: Buffer.alloc(32, 7),
    timestamp: 1_700_000_000_000,
    extensions: Buffer.alloc(0),
    signature: { hashAlgorithm: 4, signatureAlgorithm: 3, signature: hex('3006020101020101') },
  };
  it('round-trips an SCT through its JSON form', () => assert.deepEqual(parseAddChainResponse(formatAddChainResponse(sct)), sct));
  it('rejects sct_version 1 with BAD_VALUE', () => {
    const o = JSON.parse(formatAddChainResponse(sct));
    assertThrowsCode(() => parseAddChainResponse(JSON.stringify({ ...o, sct_version: 1 })), CodecError, 'BAD_VALUE');
  });
  it('rejects a signature with trailing bytes with TRAILING_DATA', () => {
    const o = JSON.parse(formatAddChainResponse(sct));
    assertThrowsCode(
      () => parseAddChainResponse(JSON.stringify({ ...o, signature: encodeBase64(hex('04030000ff')) })),
      CodecError,
      'TRAILING_DATA',
    );
  });
});
