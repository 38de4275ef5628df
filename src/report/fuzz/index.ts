import { jsonReporter } from './json.js';
import { junitReporter } from './junit.js';
import type { FuzzReporter, Out } from './reporter.js';
import { tapReporter } from './tap.js';
import { textReporter } from './text.js';

export const FORMATS = ['text', 'json', 'junit', 'tap'] as const;
export type Format = (typeof FORMATS)[number];

export function makeReporter(format: Format, out: Out): FuzzReporter {
  switch (format) {
    case 'text':
      return textReporter(out);
    case 'json':
      return jsonReporter(out);
    case 'junit':
      return junitReporter(out);
    case 'tap':
      return tapReporter(out);
  }
}
