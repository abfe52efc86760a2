/**
 * Errors about the user's input (malformed files, bad settings). The CLI prints them as one line
 * with exit code 2; the app shows them beside the input. Their messages name the file and the part
 * that is wrong, and never span more than one line.
 */

/** A problem with what the user gave us, as opposed to a bug. */
export class InputError extends Error {
  constructor(message: string) {
    super(message.split('\n')[0]);
    this.name = 'InputError';
  }
}

/** Error classes from engine/ that are the user's input, not our bug (matched by name to survive workers). */
const INPUT_ERROR_NAMES = new Set(['InputError', 'SafetensorsError', 'UsageError', 'RangeError']);

/** True for errors that should be reported as bad input (exit code 2 in the CLI). */
export function isInputError(err: unknown): boolean {
  return err instanceof Error && INPUT_ERROR_NAMES.has(err.name);
}

/** Registers another error class name as "bad input" (e.g. a checkpoint or pickle error). */
export function registerInputErrorName(name: string): void {
  INPUT_ERROR_NAMES.add(name);
}
