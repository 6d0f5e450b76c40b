import { Component, type ComponentChildren, type VNode } from 'preact';
import { describeError } from '../api/api-error.js';

export interface PaneBoundaryProps {
  /** The pane's name, as its landmark has it ("Visitor details"); the notice is named after it. */
  label: string;
  /** What failed, in the notice's words: "This conversation could not be shown." */
  what: string;
  /** The pane's classes, so the notice keeps the pane's place in the layout. */
  class?: string;
  /**
   * When this changes (another thread, a fresh copy of the visitor), the pane is tried again.
   * @example thread.id
   */
  resetKey?: unknown;
  /**
   * A way out of the pane, shown beside "Try again": on a phone the conversation fills the screen
   * and its own back button is gone with it.
   * @example { label: '← Back to conversations', run: () => select(null) }
   */
  leave?: { label: string; run: () => void };
  /**
   * Another look for the failure, e.g. one line in a list.
   * @default a notice with the reason and a "Try again" button, in place of the pane
   */
  fallback?: (error: unknown, retry: () => void) => VNode;
  children: ComponentChildren;
}

interface State {
  failed: boolean;
  error: unknown;
}

/**
 * Keeps a failure to render one pane in that pane. Threads and visitors come from the network:
 * data the code did not foresee (such as a visitor locale that made `Intl` throw) used to stop
 * rendering for the whole console, for every thread. Now that pane says what went wrong, and the
 * list, the other panes and the top bar keep working.
 */
export class PaneBoundary extends Component<PaneBoundaryProps, State> {
  override state: State = { failed: false, error: null };

  static override getDerivedStateFromError(error: unknown): Partial<State> {
    return { failed: true, error };
  }

  override componentDidCatch(error: unknown): void {
    // The agent sees the reason in the pane; the stack stays in the browser console for whoever
    // debugs the data that caused it.
    console.error(`[agent console] ${this.props.label} failed to render`, error);
  }

  override componentDidUpdate(previous: PaneBoundaryProps): void {
    if (this.state.failed && previous.resetKey !== this.props.resetKey) this.retry();
  }

  retry = (): void => this.setState({ failed: false, error: null });

  render() {
    const { failed, error } = this.state;
    if (!failed) return this.props.children;
    if (this.props.fallback) return this.props.fallback(error, this.retry);
    return (
      <div class={`${this.props.class ?? ''} pane-error`} role="alert" aria-label={`${this.props.label}: could not be shown`}>
        <p>
          <strong>{this.props.what}</strong>
        </p>
        <p class="muted">{describeError(error)}</p>
        <p class="pane-error-actions">
          <button type="button" class="btn btn-small" onClick={this.retry}>
            Try again
          </button>
          {this.props.leave && (
            <button type="button" class="btn btn-small btn-ghost" onClick={this.props.leave.run}>
              {this.props.leave.label}
            </button>
          )}
        </p>
      </div>
    );
  }
}
