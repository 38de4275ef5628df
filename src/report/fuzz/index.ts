import { jsonReporter } from './json.js';
import { junitReporter } from './junit.js';
import type { FuzzReporter, ReporterContext } from './reporter.js';
import { tapReporter } from './tap.js';
import { textReporter } from './text.js';

export const FORMATS = ['text', 'json', 'junit', 'tap'] as const;
export type Format = (typeof FORMATS)[number];

export function makeReporter(format: Format, ctx: ReporterContext): FuzzReporter {
  switch (format) {
    case 'text':
      return textReporter(ctx);
    case 'json':
      return jsonReporter(ctx);
    case 'junit':
      return junitReporter(ctx);
    case 'tap':
      return tapReporter(ctx);
  }
}
