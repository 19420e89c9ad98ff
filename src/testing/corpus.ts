// The detection-rules corpus as tests see it: the active rule files (outside any `_deprecated` directory)
// and their kuery queries. Test support only.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "smol-toml";
import { CORPUS_DIR } from "./paths.js";

/** Every .toml file under `dir`, skipping `_deprecated` directories, in directory order. */
export function activeRuleFiles(dir: string = CORPUS_DIR, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "_deprecated") activeRuleFiles(p, out);
    } else if (entry.name.endsWith(".toml")) out.push(p);
  }
  return out;
}

/** The `[rule] query` of a parsed rule file whose language is kuery ("" when it has none), else undefined. */
export function kueryQuery(doc: unknown): string | undefined {
  if (typeof doc !== "object" || doc === null || !("rule" in doc)) return undefined;
  const rule = doc.rule;
  if (typeof rule !== "object" || rule === null || !("language" in rule) || rule.language !== "kuery") return undefined;
  return "query" in rule && typeof rule.query === "string" ? rule.query : "";
}

/** The active kuery queries of the corpus, with their files. */
export function activeKueryQueries(): { file: string; query: string }[] {
  const out: { file: string; query: string }[] = [];
  for (const file of activeRuleFiles()) {
    const query = kueryQuery(parse(readFileSync(file, "utf8")));
    if (query !== undefined) out.push({ file, query });
  }
  return out;
}
