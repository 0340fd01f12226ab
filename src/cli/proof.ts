/**
 * `grapevine proof verify-inclusion|verify-consistency`: check RFC 6962
 * proofs from the command line. Hashes in hex or base64; an empty proof is
 * an empty string. Exit 0 valid, 1 invalid (one line saying why), 2 usage.
 */
import type { Command } from 'commander';
import { ProofError, verifyConsistency, verifyInclusion } from '../merkle/index.ts';
import { hashArg, intArg } from './args.ts';
import { CliError } from './errors.ts';

export function registerProof(proof: Command): void {
  proof
    .command('verify-inclusion')
    .description('Check that a leaf hash is at an index of a tree with a given root (RFC 6962 §2.1.1)')
    .requiredOption('--leaf-hash <hash>', 'leaf hash (hex or base64)', hashArg)
    .requiredOption('--index <n>', 'leaf index', intArg)
    .requiredOption('--size <n>', 'tree size', intArg)
    .requiredOption('--root <hash>', 'root hash of the tree of that size (hex or base64)', hashArg)
    .requiredOption('--proof <hashes>', 'audit path, comma-separated, leaf side first; "" for none', proofArg)
    .action((o: { leafHash: Buffer; index: number; size: number; root: Buffer; proof: Buffer[] }) => {
      verdict(() => verifyInclusion(o.index, o.size, o.leafHash, o.proof, o.root));
      process.stdout.write(`OK: leaf ${o.index} is included in the tree of size ${o.size}\n`);
    });

  proof
    .command('verify-consistency')
    .description('Check that the tree (size1, root1) is a prefix of (size2, root2) (RFC 6962 §2.1.2)')
    .requiredOption('--size1 <n>', 'first tree size', intArg)
    .requiredOption('--size2 <n>', 'second tree size', intArg)
    .requiredOption('--root1 <hash>', 'first root (hex or base64)', hashArg)
    .requiredOption('--root2 <hash>', 'second root (hex or base64)', hashArg)
    .requiredOption('--proof <hashes>', 'consistency proof, comma-separated; "" for none', proofArg)
    .action((o: { size1: number; size2: number; root1: Buffer; root2: Buffer; proof: Buffer[] }) => {
      verdict(() => verifyConsistency(o.size1, o.size2, o.proof, o.root1, o.root2));
      process.stdout.write(`OK: the tree of size ${o.size1} is consistent with the tree of size ${o.size2}\n`);
    });
}

function verdict(check: () => void): void {
  try {
    check();
  } catch (err) {
    if (err instanceof ProofError) throw new CliError('INVALID', `invalid proof (${err.code}): ${err.message}`, { cause: err });
    throw err;
  }
}

function proofArg(v: string): Buffer[] {
  if (v.trim() === '') return [];
  return v.split(',').map((x) => hashArg(x));
}
