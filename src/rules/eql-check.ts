// The EQL query checker for "eql" rules: parses with src/lang/eql and compiles against the ECS field types,
// reporting what Elasticsearch would reject (EQL00x) at its offset in the query text; validate.ts maps that
// offset to the line:col inside the rule file.
import { EqlSyntaxError } from "../lang/eql/index.js";
import { compileEqlQuery, EqlCompileError } from "../compile/eql/index.js";
import type { QueryChecker } from "./validate.js";

export const eqlChecker: QueryChecker = (query) => {
  try {
    compileEqlQuery(query);
    return [];
  } catch (e) {
    if (e instanceof EqlSyntaxError) return [{ offset: e.offset, length: e.length, message: e.shortMessage, code: e.code }];
    if (e instanceof EqlCompileError) {
      const span = e.span ?? { start: 0, end: 1 };
      return [{ offset: span.start, length: Math.max(1, span.end - span.start), message: e.message, code: e.code }];
    }
    throw e;
  }
};
