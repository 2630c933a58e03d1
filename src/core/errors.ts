/**
 * An expected failure caused by what the user asked (a malformed filter, an unknown paper id).
 * Its message is written for the user and is safe to show as is; anything else that goes
 * wrong is a bug or an outage and gets a generic answer with a reference id instead.
 */
export class UserFacingError extends Error {
  override name = 'UserFacingError';

  constructor(
    message: string,
    /** An optional second line: what to try instead. */
    readonly hint?: string,
  ) {
    super(message);
  }
}
