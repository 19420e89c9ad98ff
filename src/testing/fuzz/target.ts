// What every fuzz target provides (docs/fuzzing.md): an arbitrary of inputs, the check that fails an
// input breaking an invariant (by throwing), and ways to write the input out for a report.
import type fc from "fast-check";

export const TARGET_NAMES = ["kql", "eql", "rules", "ecs", "auditd", "sysmon"] as const;
export type TargetName = (typeof TARGET_NAMES)[number];
/** Targets checked in this process (in a watched child); the others run the CLI in a child per input. */
export const IN_PROCESS_TARGETS: readonly TargetName[] = ["kql", "eql", "rules"];

export interface FuzzTarget<T> {
  readonly name: TargetName;
  readonly arbitrary: fc.Arbitrary<T>;
  /** Throws when `input` breaks an invariant; the message says which. */
  check(input: T): Promise<void>;
  /** The input as it reaches tern (written out before each check, to report a hang). */
  render(input: T): Buffer;
  /** One line naming the input. */
  describe(input: T): string;
  /** Writes the input (and what reproduces it) under `dir`; returns the files written. */
  save(input: T, dir: string): string[];
  /** Figures for the report (peak memory, the clean run's alerts). */
  notes?(): string[];
  dispose?(): void;
}
