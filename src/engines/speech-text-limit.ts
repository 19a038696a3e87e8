/**
 * Longest text one local speech synthesis takes (eSpeak-NG and Piper alike), in UTF-16 code
 * units as `String.length` counts them. The speech task's schema declares the same limit, so
 * a longer text is refused as input before a job exists rather than failing inside the engine.
 */
export const MAX_SPEECH_TEXT_CHARS = 20_000;
