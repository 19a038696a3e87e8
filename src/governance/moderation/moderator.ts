import { readFileSync } from 'node:fs';
import { ShenbiError } from '../../core/errors.ts';
import { parseOrThrow } from '../../core/validation.ts';
import { moderationConfigSchema, type ModerationConfig } from './config.ts';
import { DEFAULT_TERMS, type ModerationTerm } from './default-terms.ts';
import { moderateWithProvider } from './provider.ts';
import { TermMatcher } from './term-matcher.ts';

/** Stable reason codes (details.reason of GOVERNANCE_REFUSED). */
export type ModerationReason = 'moderation.term' | 'moderation.provider';

export type ModerationVerdict =
  | { allowed: true; /** The provider was down and failClosed is off: only the term lists were checked. */ unchecked?: true }
  | { allowed: false; reason: ModerationReason; category: string; matched: string };

export interface ModeratorOptions {
  env?: NodeJS.ProcessEnv;
  /** Told when a provider outage let text through (failClosed off). */
  warn?: (message: string) => void;
}

/**
 * Decides whether text may go into or come out of a model: the configured term lists
 * first (local, synchronous, evasion-resistant), then the provider endpoint if one is
 * configured. Built once per Shenbi instance; cheap to call.
 */
export class Moderator {
  readonly config: ModerationConfig;
  readonly #matcher: TermMatcher;
  readonly #options: ModeratorOptions;

  constructor(config: unknown = {}, options: ModeratorOptions = {}) {
    this.config = parseOrThrow(moderationConfigSchema, config, 'moderation', 'CONFIG_INVALID');
    this.#options = options;
    this.#matcher = new TermMatcher(collectTerms(this.config));
  }

  get enabled(): boolean {
    return this.config.enabled;
  }

  /** Longest normalized term: a streaming check keeps at least this much context. */
  get longestTerm(): number {
    return this.#matcher.longestTerm;
  }

  /** The term lists only: synchronous, no network. */
  moderateText(text: string): ModerationVerdict {
    if (!this.config.enabled) return { allowed: true };
    const hit = this.#matcher.match(text);
    return hit === undefined ? { allowed: true } : { allowed: false, reason: 'moderation.term', category: hit.category, matched: hit.term };
  }

  /** Term lists, then the provider (if configured) on whatever passed them. */
  async moderate(texts: readonly string[], signal?: AbortSignal): Promise<ModerationVerdict> {
    if (!this.config.enabled) return { allowed: true };
    for (const text of texts) {
      const verdict = this.moderateText(text);
      if (!verdict.allowed) return verdict;
    }
    const provider = this.config.provider;
    const nonEmpty = texts.filter((t) => t.trim() !== '');
    if (provider === undefined || nonEmpty.length === 0) return { allowed: true };
    try {
      const result = await moderateWithProvider(provider, nonEmpty, { ...(this.#options.env ? { env: this.#options.env } : {}), ...(signal ? { signal } : {}) });
      if (!result.flagged) return { allowed: true };
      return { allowed: false, reason: 'moderation.provider', category: result.categories[0] ?? 'flagged', matched: result.categories.join(',') };
    } catch (error) {
      if (error instanceof ShenbiError && error.code === 'PROVIDER_UNAVAILABLE' && !provider.failClosed) {
        this.#options.warn?.(`moderation: ${error.message} Continuing on the term lists alone (failClosed is off).`);
        return { allowed: true, unchecked: true };
      }
      throw error;
    }
  }

  /** Throws GOVERNANCE_REFUSED (details.reason etc.) unless every text is allowed. */
  async assertAllowed(texts: readonly string[], where: string, signal?: AbortSignal): Promise<void> {
    throwIfRefused(await this.moderate(texts, signal), where);
  }
}

/** GOVERNANCE_REFUSED for a refusing verdict; nothing for an allowing one. */
export function throwIfRefused(verdict: ModerationVerdict, where: string): void {
  if (verdict.allowed) return;
  throw new ShenbiError('GOVERNANCE_REFUSED', `Refused by content moderation: ${where} contains ${verdict.reason === 'moderation.term' ? 'a forbidden term' : 'content the moderation provider flagged'} (${verdict.category}).`, {
    details: { reason: verdict.reason, category: verdict.category, matched: verdict.matched, where },
    hint: 'Rephrase the request. Operators configure the lists under "moderation" in config.json.',
  });
}

function collectTerms(config: ModerationConfig): ModerationTerm[] {
  const terms: ModerationTerm[] = [];
  if (config.builtinTerms) terms.push(...DEFAULT_TERMS.zh, ...DEFAULT_TERMS.en);
  for (const entry of [...config.terms.zh, ...config.terms.en]) terms.push(typeof entry === 'string' ? { term: entry, category: 'custom' } : entry);
  if (config.extraTermsFile !== undefined) terms.push(...readTermsFile(config.extraTermsFile));
  return terms;
}

/** One term per line; `#` comments; `category<TAB>term` names a category. */
export function readTermsFile(path: string): ModerationTerm[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ShenbiError('CONFIG_UNREADABLE', `Cannot read the moderation terms file ${path}: ${(error as Error).message}`, { cause: error });
  }
  const terms: ModerationTerm[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const tab = line.indexOf('\t');
    terms.push(tab === -1 ? { term: line, category: 'custom' } : { category: line.slice(0, tab).trim() || 'custom', term: line.slice(tab + 1).trim() });
  }
  return terms;
}
