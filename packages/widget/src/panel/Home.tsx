import { HomeHero } from '../components/HomeHero.js';
import type { I18n } from '../i18n/i18n.js';
import type { PanelContext } from './context.js';
import { AvailabilitySlot, TeamSlot } from './notify-slot.js';

/**
 * The first screen's top, above the recent conversations or a first message: the brand's logo and
 * greeting from the `boot` options (`brandAvatarUrl`, `greeting`; `brandName` is the panel's
 * title), the team and the hours from the app's settings (`availability.get`, asked once per
 * opening and shared by both, drawn by the tl-notify chunk).
 */
export function HomeTop({ ctx, i18n }: { ctx: PanelContext; i18n: I18n }) {
  return (
    <HomeHero i18n={i18n} brandAvatarUrl={ctx.brandAvatarUrl} greeting={ctx.greeting ?? i18n.t('greeting')} team={<TeamSlot ctx={ctx} i18n={i18n} />}>
      <AvailabilitySlot ctx={ctx} i18n={i18n} />
    </HomeHero>
  );
}
