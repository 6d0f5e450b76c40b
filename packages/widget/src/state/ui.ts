import { createStore, type Store } from './store.js';

/**
 * What the widget shows, apart from the threads themselves (those are the core's snapshot).
 * `compose` is a new conversation that exists only once its first message is sent.
 */
export type Route =
  | { name: 'inbox' }
  | { name: 'thread'; threadId: string }
  /** A new conversation; with `promptId`, the answer to a proactive prompt. */
  | { name: 'compose'; promptId?: string };

export interface UiState {
  open: boolean;
  route: Route;
  /** Text to put in the composer once (from `showNewMessage(text)`). */
  prefill: string | null;
  /** Storage fell back to memory: the panel says, discreetly, that nothing will be kept. */
  storageFallback: boolean;
}

export type UiAction =
  | { type: 'open' }
  | { type: 'close' }
  | { type: 'toggle' }
  | { type: 'navigate'; route: Route }
  | { type: 'compose'; text?: string | undefined }
  | { type: 'prefillTaken' }
  | { type: 'storageFallback' };

export const initialUi: UiState = { open: false, route: { name: 'inbox' }, prefill: null, storageFallback: false };

export function uiReducer(state: UiState, action: UiAction): UiState {
  switch (action.type) {
    case 'open':
      return state.open ? state : { ...state, open: true };
    case 'close':
      return state.open ? { ...state, open: false } : state;
    case 'toggle':
      return { ...state, open: !state.open };
    case 'navigate':
      return { ...state, route: action.route };
    case 'compose':
      return { ...state, open: true, route: { name: 'compose' }, prefill: action.text ?? null };
    case 'prefillTaken':
      return state.prefill === null ? state : { ...state, prefill: null };
    case 'storageFallback':
      return state.storageFallback ? state : { ...state, storageFallback: true };
  }
}

export type UiStore = Store<UiState, UiAction>;

export function createUiStore(): UiStore {
  return createStore(uiReducer, initialUi);
}
