import { CHAT_PATH, CLOSE_PATH } from '../components/icon-paths.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * The launcher's and toast's icons as DOM nodes, the same markup as the panel's icons.tsx.
 * Decorative (aria-hidden): the button around each carries the accessible name.
 */
function icon(doc: Document, d: string): SVGSVGElement {
  const svg = doc.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = doc.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

export const chatIcon = (doc: Document) => icon(doc, CHAT_PATH);
export const closeIcon = (doc: Document) => icon(doc, CLOSE_PATH);
