/**
 * Errors about the user's input (malformed files, bad settings). The CLI prints them as one line
 * with exit code 2; the app shows them beside the input. Their messages name the file and the part
 * that is wrong, and never span more than one line.
 *
 * Every input error extends {@link InputError}; anything else is a bug (the CLI exits 1 with a stack
 * trace). Across a worker boundary the class is lost, so the wire format carries `input: true` and
 * {@link asInputError} rebuilds an InputError with the original class name.
 */

/** A problem with what the user gave us, as opposed to a bug. Subclasses set their own `name`. */
export class InputError extends Error {
  constructor(message: string) {
    super(message.split('\n')[0]);
    this.name = 'InputError';
  }
}

/** True for errors that should be reported as bad input (exit code 2 in the CLI). */
export function isInputError(err: unknown): err is InputError {
  return err instanceof InputError;
}

/** An InputError carrying `name` (the class name of an input error thrown on the other side of a worker boundary). */
export function asInputError(name: string, message: string): InputError {
  const err = new InputError(message);
  err.name = name;
  return err;
}
