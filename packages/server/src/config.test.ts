import { describe, expect, it } from 'vitest';
import { configFromEnv, unattachedUploadsOf } from './config.js';

describe('configFromEnv', () => {
  it('reads the budget and the grace period of uploads no message uses', () => {
    const config = configFromEnv({ THREADLINE_UNATTACHED_UPLOADS: '5', THREADLINE_UNATTACHED_UPLOAD_BYTES: '1000', THREADLINE_UNATTACHED_UPLOAD_TTL_MS: '60000' });
    expect(unattachedUploadsOf(config)).toEqual({ maxFilesPerVisitor: 5, maxBytesPerVisitor: 1000, ttlMs: 60_000, sweepIntervalMs: 60_000 });
  });

  it('lets a full message of the largest files through by default, and sweeps hourly for a 24 h grace period', () => {
    const config = configFromEnv({ THREADLINE_MAX_UPLOAD_BYTES: '2000000' });
    expect(unattachedUploadsOf(config)).toEqual({ maxFilesPerVisitor: 50, maxBytesPerVisitor: 20_000_000, ttlMs: 86_400_000, sweepIntervalMs: 3_600_000 });
  });

  it('refuses a grace period that is not a non-negative integer', () => {
    expect(() => configFromEnv({ THREADLINE_UNATTACHED_UPLOAD_TTL_MS: '1h' })).toThrow(/THREADLINE_UNATTACHED_UPLOAD_TTL_MS/);
  });
});
