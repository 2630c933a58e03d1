/** Storage cannot be opened or used; the message names the backend or namespace, never credentials. */
export class StorageError extends Error {
  override name = 'StorageError';
}
