// Transform components: reshape, compute over, validate and (de)serialize packets.
export { Transform } from './transformer.ts';
export { Operations } from './operations.ts';
export { Map, Filter } from './map-filter.ts';
export { Validate } from './validate.ts';
export { CsvParse, CsvFormat } from './csv.ts';
