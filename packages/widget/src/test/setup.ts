import { cleanup } from '@testing-library/preact';
import { afterEach } from 'vitest';

// Browser journeys under e2e/ run in the node environment: there is no document to clean there.
if (typeof document !== 'undefined') {
  afterEach(() => {
    cleanup();
    document.body.innerHTML = '';
  });
}
