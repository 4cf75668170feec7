/** What the HTTP API tests read of an answer, and a schema check that keeps the body's `any` type. */
export interface Answer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** A plain boolean (not a type guard), so a checked answer keeps its `any` type. */
export function conforms(validate: (value: unknown) => boolean, value: unknown): boolean {
  return validate(value);
}
