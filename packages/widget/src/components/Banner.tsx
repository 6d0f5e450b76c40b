import type { ConnectionState } from '@threadline/core';
import type { I18n } from '../i18n/i18n.js';

export interface BannerProps {
  connection: ConnectionState;
  storageFallback: boolean;
  i18n: I18n;
}

/**
 * Connection trouble in words, and — discreetly — that nothing will be kept on this device.
 * `connecting` on first start is not shown: it is usually over before it could be read.
 */
export function Banner({ connection, storageFallback, i18n }: BannerProps) {
  const text =
    connection === 'offline'
      ? i18n.t('offline')
      : connection === 'disconnected'
        ? i18n.t('connecting')
        : connection === 'refused'
          ? i18n.t('refused')
          : null;
  return (
    <>
      {text && (
        <div class="banner" role="status">
          {text}
        </div>
      )}
      {storageFallback && <div class="banner quiet">{i18n.t('storageFallback')}</div>}
    </>
  );
}
