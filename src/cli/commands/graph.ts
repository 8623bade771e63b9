import { graphToDot, graphToJson, graphToMermaid } from '../../graph/render.js';
import { unreachable } from '../../util/unreachable.js';
import { EXIT } from '../exit-codes.js';
import { compileOrReport, type GraphOptions } from './plan.js';

export interface GraphCommandOptions extends GraphOptions {
  format: 'mermaid' | 'dot' | 'json';
}

export async function graphCommand(opts: GraphCommandOptions): Promise<number> {
  const compiled = await compileOrReport(opts, true);
  if (!compiled) return EXIT.usage;
  const { graph } = compiled;
  switch (opts.format) {
    case 'json':
      process.stdout.write(`${JSON.stringify(graphToJson(graph), null, 2)}\n`);
      break;
    case 'mermaid':
      process.stdout.write(graphToMermaid(graph));
      break;
    case 'dot':
      process.stdout.write(graphToDot(graph));
      break;
    default:
      unreachable(opts.format);
  }
  return EXIT.ok;
}
