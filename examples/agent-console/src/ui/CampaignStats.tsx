import type { ArmStats, CampaignStats } from '../campaigns/campaigns-api.js';
import { percent, points } from '../campaigns/campaign-form.js';

const armName = (variant: string) => (variant === 'holdout' ? 'Holdout' : variant === 'default' ? 'Everyone' : `Variant ${variant}`);

/** A campaign's figures per arm: a table (every count and rate) and a bar chart of conversion. */
export function CampaignStatsView({ stats }: { stats: CampaignStats }) {
  const holdout = stats.arms.find((a) => a.variant === 'holdout');
  return (
    <section class="cp-stats" aria-labelledby="cp-stats-title">
      <h3 id="cp-stats-title">Results</h3>
      {stats.goal ? (
        <p class="muted">
          Goal: <code>{stats.goal.event}</code> within {formatWindow(stats.goal.windowMs)} of the prompt (or of when it would have come, for the holdout). Each person counts once.
        </p>
      ) : (
        <p class="muted">No goal is set: conversions are not counted. Edit the campaign to add one.</p>
      )}
      <ConversionChart arms={stats.arms} />
      {/* Focusable so a keyboard can scroll it sideways where it is wider than the screen. */}
      <div class="cp-table-wrap" tabIndex={0} role="region" aria-label="Figures per arm">
        <table class="cp-table">
          <caption class="visually-hidden">Figures per arm</caption>
          <thead>
            <tr>
              <th scope="col">Arm</th>
              <th scope="col">Eligible</th>
              <th scope="col">Shown</th>
              <th scope="col">Opened</th>
              <th scope="col">Replied</th>
              <th scope="col">Dismissed</th>
              <th scope="col">Converted</th>
              <th scope="col">{holdout ? 'Lift vs holdout' : 'Lift'}</th>
            </tr>
          </thead>
          <tbody>
            {stats.arms.map((a) => (
              <tr key={a.variant} class={a.variant === 'holdout' ? 'cp-holdout' : ''}>
                <th scope="row">{armName(a.variant)}</th>
                <td>{a.eligible}</td>
                <Count n={a.shown} rate={a.rates.shown} />
                <Count n={a.opened} rate={a.rates.opened} />
                <Count n={a.replied} rate={a.rates.replied} />
                <Count n={a.dismissed} rate={a.rates.dismissed} />
                <td>
                  <strong>{percent(a.rates.converted)}</strong>
                  <small>{a.converted}</small>
                </td>
                <td class="cp-lift">{lift(a, !!holdout)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="cp-method muted">
        Eligible: people the campaign prompted, or would have prompted (holdout). Rates are over the eligible. Interval: {stats.method}.
      </p>
    </section>
  );
}

function Count({ n, rate }: { n: number; rate: number | null }) {
  return (
    <td>
      {n}
      {rate !== null && <small>{percent(rate)}</small>}
    </td>
  );
}

function lift(a: ArmStats, hasHoldout: boolean) {
  if (a.variant === 'holdout') return 'baseline';
  if (!hasHoldout) return 'no holdout';
  if (!a.lift) return 'not enough data';
  return (
    <>
      {points(a.lift.difference)}
      <small>
        95 %: {points(a.lift.low)} to {points(a.lift.high)}
      </small>
    </>
  );
}

function formatWindow(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours >= 48 && Number.isInteger(hours / 24)) return `${hours / 24} days`;
  if (hours >= 1) return `${Math.round(hours * 10) / 10} hour${hours === 1 ? '' : 's'}`;
  return `${Math.round(ms / 60_000)} minutes`;
}

const ROW = 34;
const LABEL = 92;
const WIDTH = 400;
const PAD = 60;

/**
 * Conversion rate per arm as horizontal bars, drawn by hand in SVG (one chart does not need a
 * library). The table above carries the same numbers for screen readers; the SVG is one image
 * with a summary as its name.
 */
export function ConversionChart({ arms }: { arms: ArmStats[] }) {
  const rated = arms.filter((a) => a.rates.converted !== null);
  if (!rated.length) return <p class="muted cp-chart-empty">The chart appears once someone is eligible.</p>;
  // Round ticks: steps of 1, 5, 10 or 20 points, up to just above the highest rate.
  const highest = Math.max(...rated.map((a) => a.rates.converted!));
  const step = [0.01, 0.05, 0.1, 0.2].find((s) => highest / s <= 5) ?? 0.2;
  const top = Math.max(step, Math.ceil((highest + 1e-9) / step) * step);
  const height = rated.length * ROW + 28;
  const x = (rate: number) => LABEL + (rate / top) * (WIDTH - LABEL - PAD);
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => Math.round(i * step * 1000) / 1000);
  const summary = `Conversion rate by arm: ${rated.map((a) => `${armName(a.variant)} ${percent(a.rates.converted)}`).join(', ')}`;
  return (
    <figure class="cp-chart">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={summary} preserveAspectRatio="xMinYMin meet">
        {ticks.map((t) => (
          <g key={t} class="cp-tick">
            <line x1={x(t)} x2={x(t)} y1={4} y2={height - 22} />
            <text x={x(t)} y={height - 6} text-anchor="middle">
              {`${Math.round(t * 100)} %`}
            </text>
          </g>
        ))}
        {rated.map((a, i) => {
          const y = 8 + i * ROW;
          const w = Math.max(1, x(a.rates.converted!) - LABEL);
          return (
            <g key={a.variant} class={a.variant === 'holdout' ? 'cp-bar cp-bar-holdout' : 'cp-bar'}>
              <text x={LABEL - 8} y={y + 15} text-anchor="end" class="cp-bar-label">
                {armName(a.variant)}
              </text>
              <rect x={LABEL} y={y} width={w} height={22} rx={4} />
              <text x={LABEL + w + 6} y={y + 15} class="cp-bar-value">
                {percent(a.rates.converted)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption class="muted">Conversion by arm{rated.some((a) => a.variant === 'holdout') ? ' (grey: the holdout, shown nothing)' : ''}</figcaption>
    </figure>
  );
}
