/**
 * The few DOM helpers the launcher's plain-DOM views share. Text from the network goes in as
 * textContent or attribute values, never as markup.
 */

/** An element with attributes and, optionally, text. */
export function h<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  attrs: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const el = doc.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * Sets an attribute, or removes it for `null`. An unchanged value is not written again: the
 * toast is a live region (`role="status"`), and rewriting it could make a screen reader repeat it.
 */
export function setAttr(el: Element, name: string, value: string | null): void {
  if (el.getAttribute(name) === value) return;
  if (value === null) el.removeAttribute(name);
  else el.setAttribute(name, value);
}

/** Sets an element's text, only when it changed (same reason as `setAttr`). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
