/**
 * `grapevine witness …`: run a C2SP witness (`serve`), make its key
 * (`keygen`), read its latest cosigned checkpoint (`get`), and feed logs'
 * checkpoints to witnesses (`feed`). Only the module of the invoked
 * sub-command is loaded (lazy.ts).
 */
import type { Command } from 'commander';
import { type CommandPart, registerParts } from './lazy.ts';

const parts: readonly CommandPart[] = [
  { names: ['serve'], load: async () => (await import('./witness-serve.ts')).registerWitnessServe },
  {
    names: ['keygen', 'get', 'feed'],
    load: async () => {
      const m = await import('./witness-tools.ts');
      return (cmd: Command) => {
        m.registerWitnessKeygen(cmd);
        m.registerWitnessGet(cmd);
        m.registerWitnessFeed(cmd);
      };
    },
  },
];

export function registerWitness(witness: Command, path: readonly string[]): Promise<void> {
  witness.addHelpText(
    'after',
    `
Examples:
  grapevine witness keygen --name witness.example/w1 --out witness.key
  grapevine witness serve --config witness.yaml
  grapevine witness feed --config witness.yaml --once
  grapevine witness get --url http://127.0.0.1:7380 --origin "go.sum database tree"
`,
  );
  return registerParts(witness, parts, path);
}
