/** The studio's two UI languages (its own module: node tests import the translation tables without the DOM). */
export type Language = 'zh' | 'en';
