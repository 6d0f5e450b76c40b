import { HomeHero } from '../components/HomeHero.js';
import type { I18n } from '../i18n/i18n.js';
import type { PanelContext } from './context.js';
import { AvailabilitySlot } from './notify-slot.js';
import { useAvailability } from './use-availability.js';

/**
 * The first screen's top, above the recent conversations or a first message: the brand's logo and
 * greeting from the `boot` options (`brandAvatarUrl`, `greeting`; `brandName` is the panel's title), the team and the hours from the
 * app's settings (`availability.get`, asked once per opening and shared with the availability line).
 */
export function HomeTop({ ctx, i18n }: { ctx: PanelContext; i18n: I18n }) {
  const availability = useAvailability(ctx.client);
  return (
    <HomeHero
      i18n={i18n}
      brandAvatarUrl={ctx.brandAvatarUrl}
      team={availability?.team ?? []}
      greeting={ctx.greeting ?? i18n.t('greeting')}
    >
      <AvailabilitySlot ctx={ctx} i18n={i18n} />
    </HomeHero>
  );
}
