import type { BlocksProps } from './rich.js';
import { lazyChunk } from './lazy-chunk.js';

const useRich = lazyChunk(() => import('./rich.js'));

/**
 * The blocks of a message, drawn by the rich chunk once it is here (fetched when the first
 * message with blocks is drawn); until then, and if it cannot load, the message's text stands
 * for them.
 */
export function RichSlot(props: BlocksProps) {
  const m = useRich();
  return m ? <m.Blocks {...props} /> : null;
}
