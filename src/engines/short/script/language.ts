/** The two languages a short's script is written and narrated in. */
export type ScriptLanguage = 'zh' | 'en';

/** 'auto' reads the text: any Han character makes it Chinese (eSpeak's cmn voice), otherwise English. */
export function detectScriptLanguage(text: string): ScriptLanguage {
  return /\p{Script=Han}/u.test(text) ? 'zh' : 'en';
}
