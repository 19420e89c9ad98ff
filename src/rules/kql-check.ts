// The KQL query checker the rule layer uses for "kuery" rules (issue 2 "Query text is checked by the KQL
// layer through a hook"): parses with src/lang/kql and reports a syntax error as KQL00x at its offset in the
// query text; validate.ts maps that offset to the line:col inside the rule file.
import { CODES, type Code } from "../diag/index.js";
import { KqlSyntaxError, parseKql } from "../lang/kql/index.js";
import type { QueryChecker } from "./validate.js";

export const kqlChecker: QueryChecker = (query) => {
  try {
    parseKql(query);
    return [];
  } catch (e) {
    if (!(e instanceof KqlSyntaxError)) throw e;
    const code: Code = Object.prototype.hasOwnProperty.call(CODES, e.code) ? (e.code as Code) : "KQL001";
    return [{ offset: e.offset, length: 1, message: e.shortMessage, code }];
  }
};
