// ECS normalisation for Linux sensors other than Elastic Defend (docs/sources-mapping.md).
export { normalizeEcsEvent } from "./normalize.js";
export { fileFieldsOf, fileExtension, baseName, dirName, joinPath, normalizePath, type FileFields } from "./file-fields.js";
export { defendIndexFor, type LinuxProducer } from "./index-name.js";
export { NORMALIZED_PRODUCERS_KQL } from "./markers.js";
