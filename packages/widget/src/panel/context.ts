import type { Client } from '@threadline/core';
import type { Drafts } from '../drafts.js';
import type { Previews } from './previews.js';
import type { Locale } from '../i18n/locale.js';
import type { UiStore } from '../state/ui.js';
import type { RecorderFactory } from '../voice/recorder.js';

/**
 * What the panel chunk receives from the initial chunk when it is loaded on first open: this
 * interface is their whole contract, so keep it small. (They share modules through the build's
 * chunks, but the initial chunk draws without Preact and never reaches into the panel.)
 */
export interface PanelContext {
  client: Client;
  ui: UiStore;
  locale: Locale;
  brandName?: string | undefined;
  brandAvatarUrl?: string | undefined;
  greeting?: string | undefined;
  drafts: Drafts;
  /** Pictures of photos still uploading (made by the panel entry). */
  previews?: Previews | undefined;
  /** Adds a stylesheet to the shadow root (see host.ts). */
  addStyles(css: string): (css: string) => void;
  /** Close the panel and give focus back to the launcher. */
  close(): void;
  /** Replaceable for tests and browsers without MediaRecorder. */
  recorder?: RecorderFactory | undefined;
  /** The primary pointer is coarse (a touch screen); asked of matchMedia when left out. */
  coarsePointer?: boolean | undefined;
}

/** What the initial chunk hands over; the panel makes the rest (drafts) itself. */
export type PanelInit = Omit<PanelContext, 'drafts' | 'previews' | 'coarsePointer'> & { appId: string };

export interface PanelModule {
  /** Renders the panel into `container`; returns the function that unmounts it. */
  renderPanel(container: HTMLElement, init: PanelInit): () => void;
}
