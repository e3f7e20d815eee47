// File formats for import / export / apply. Pure code: no HTTP, no file system. See README.md.
export {
  detectFormat,
  parseConnectionsFile,
  presentFields,
  FILE_FORMATS,
  type FileFormat,
  type ParsedConnection,
  type ParseResult,
  type ParseOptions,
  type BodyField,
} from "./read.js";
export { exportWriter, exportFormatFromFileName, formatExport, type ExportFormat, type ExportWriter } from "./write.js";
export { comparePy } from "./pyyaml.js";
export { substitute } from "./subst.js";
