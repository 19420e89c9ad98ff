// Public surface of the KQL byte-level prefilter (issue 3): kqlPrefilter and its requirement formula;
// kqlUnionPrefilter for a run's many rules (issue 6).
export { kqlPrefilter, kqlUnionPrefilter, kqlRoutedPrefilter, routedSetKey, type PrefilterQuery, prefilterOf, sieveOf, triggersOf, unionOf, decodeJsonEscapes, describeRequirements, type KqlPrefilter } from "./prefilter.js";
export { andOf, orOf, requirementsOf, MIN_LITERAL_LENGTH, type Req } from "./requirements.js";
export { eqlPrefilter, eqlPrefilterQuery, eqlRequirements } from "./eql.js";
