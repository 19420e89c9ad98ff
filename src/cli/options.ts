// Option value parsers shared by the verbs (commander calls them with the text given; what they throw is
// reported as a usage error, exit 2).

import { InvalidArgumentError } from "commander";

/** A positive whole number written as digits only: no sign, fraction, exponent or trailing text. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^[1-9][0-9]*$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError("expected a positive whole number.");
  return n;
}
