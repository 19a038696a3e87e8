/**
 * The built-in refusal list: a few phrases that no legitimate request needs, in Chinese and
 * English. Deliberately small and unambiguous (child sexual abuse material, terrorism);
 * operators extend it with `moderation.terms` and `moderation.extraTermsFile`, and a
 * provider's moderation endpoint covers the long tail.
 */
export interface ModerationTerm {
  readonly term: string;
  readonly category: string;
}

export const DEFAULT_TERMS: { readonly zh: readonly ModerationTerm[]; readonly en: readonly ModerationTerm[] } = {
  zh: [
    { term: '儿童色情', category: 'csam' },
    { term: '幼童色情', category: 'csam' },
    { term: '未成年色情', category: 'csam' },
    { term: '未成年人色情', category: 'csam' },
    { term: '儿童性虐待', category: 'csam' },
    { term: '制作炸弹教程', category: 'terrorism' },
    { term: '恐怖袭击计划', category: 'terrorism' },
    { term: '加入伊斯兰国', category: 'terrorism' },
    { term: '圣战招募', category: 'terrorism' },
  ],
  en: [
    { term: 'child pornography', category: 'csam' },
    { term: 'child porn', category: 'csam' },
    { term: 'child sexual abuse material', category: 'csam' },
    { term: 'underage porn', category: 'csam' },
    { term: 'build a pipe bomb', category: 'terrorism' },
    { term: 'make a pipe bomb', category: 'terrorism' },
    { term: 'terrorist attack plan', category: 'terrorism' },
    { term: 'isis recruitment', category: 'terrorism' },
  ],
};
