/**
 * The explicit list of CLI command groups. Each module exports one
 * `register(program)` function that adds its sub-commands.
 */
import type { Command } from 'commander';
import { registerCt } from './ct.ts';
import { registerHub } from './hub.ts';
import { registerKeygen } from './keygen.ts';
import { registerLog } from './log.ts';
import { registerProof } from './proof.ts';
import { registerServe } from './serve.ts';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerLog, registerProof, registerKeygen, registerHub, registerCt, registerServe];
