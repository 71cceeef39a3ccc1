/** An error a user can act on: it names the file (or URL) and the problem. */
export class AutocmError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly exitCode = 1,
  ) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'AutocmError';
  }
}

export function isAutocmError(error: unknown): error is AutocmError {
  return error instanceof AutocmError;
}
