import { render } from 'preact';
import panelCss from '../styles/panel.css?inline';
import type { PanelContext, PanelModule } from './context.js';
import { Panel } from './Panel.js';

/** Entry of the panel chunk, loaded on first open. */
export const renderPanel: PanelModule['renderPanel'] = (container: HTMLElement, ctx: PanelContext) => {
  ctx.addStyles(panelCss);
  render(<Panel ctx={ctx} />, container);
  return () => render(null, container);
};
