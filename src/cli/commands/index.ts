// Every verb of the CLI, in the order `tern --help` lists them. A verb is a module exporting
// `register(program, ctx)`; add yours here.
import type { Command } from "commander";
import type { CliContext } from "../context.js";
import { register as convert } from "./convert.js";
import { register as run } from "./run.js";
import { register as state } from "./state.js";
import { register as alerts } from "./alerts.js";
import { register as validate } from "./validate.js";
import { register as rule } from "./rule.js";
import { register as kql } from "./kql.js";
import { register as eql } from "./eql.js";
import { register as explain } from "./explain.js";
import { register as coverage } from "./coverage.js";
import { register as clusterIndex } from "./cluster-index.js";
import { register as report } from "./report.js";

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

export const COMMANDS: RegisterCommand[] = [run, convert, clusterIndex, state, alerts, report, validate, coverage, rule, kql, eql, explain];
