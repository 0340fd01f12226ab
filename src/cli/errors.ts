import { GrapevineError } from '../errors.ts';

export const EXIT_OK = 0;
export const EXIT_FAIL = 1;
export const EXIT_USAGE = 2;

/** A failure the CLI reports as one readable line with an exit code. */
export class CliError extends GrapevineError<'USAGE' | 'FAILED' | 'INVALID'> {
  get exitCode(): number {
    return this.code === 'USAGE' ? EXIT_USAGE : EXIT_FAIL;
  }
}
