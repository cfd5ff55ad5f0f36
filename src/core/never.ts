/** Makes a switch over a union exhaustive: adding a case without handling it is a type error. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
