/** Gives the event loop a turn; long index work calls it between slices of about 15–30 ms. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
