import { useState } from 'preact/hooks';
import { LIMITS } from '@threadline/protocol';
import type { I18n } from '../i18n/i18n.js';

export interface RatingProps {
  i18n: I18n;
  /** The rating already given, if any. */
  rated: { score: number; comment?: string } | null;
  onRate: (score: number, comment?: string) => void;
}

/** A 1–5 rating with an optional comment, asked when a thread is resolved. */
export function Rating({ i18n, rated, onRate }: RatingProps) {
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState('');
  if (rated) {
    return (
      <div class="rating" role="status">
        <p>{i18n.t('rateThanks')}</p>
      </div>
    );
  }
  return (
    <form
      class="rating"
      onSubmit={(e) => {
        e.preventDefault();
        if (score) onRate(score, comment.trim() || undefined);
      }}
    >
      <h3 id="tl-rate-title">{i18n.t('rateTitle')}</h3>
      <div class="stars" role="group" aria-labelledby="tl-rate-title">
        {[1, 2, 3, 4, 5].map((n) => (
          <button
            key={n}
            type="button"
            class={`star${n <= score ? ' lit' : ''}`}
            aria-pressed={n === score}
            aria-label={i18n.t('rateScore', { score: n })}
            onClick={() => setScore(n)}
          >
            {n <= score ? '★' : '☆'}
          </button>
        ))}
      </div>
      {score > 0 && (
        <>
          <textarea
            dir="auto"
            aria-label={i18n.t('rateComment')}
            rows={2}
            maxLength={LIMITS.maxCommentLength}
            placeholder={i18n.t('rateComment')}
            value={comment}
            onInput={(e) => setComment(e.currentTarget.value)}
          />
          <button type="submit" class="btn btn-primary">
            {i18n.t('rateSubmit')}
          </button>
        </>
      )}
    </form>
  );
}
