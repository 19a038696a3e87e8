import { aigcJson, parseShenbiJson, shenbiJson, type ImplicitLabelPayload } from './payload.ts';
import type { Placement, RawFindings } from './types.ts';
import { mediaInvalid } from './bytes.ts';

/**
 * Subtitle and lyric formats, each in the slot its players ignore:
 * - WebVTT: one `NOTE` block after the header, lines `AIGC=<json>` and `SHENBI=<json>`;
 * - ASS/SSA: `AIGC: <json>` and `Shenbi: <json>` lines in `[Script Info]`;
 * - LRC: ID tags `[AIGC:<json>]` and `[shenbi:<json>]` at the top.
 * SRT has no comment or metadata syntax (every block is a cue shown on screen), so SRT keeps
 * its implicit label in the store only; its explicit notice is a shown cue (explicit/subtitle.ts).
 */

const eolOf = (text: string): string => (text.includes('\r\n') ? '\r\n' : '\n');

function findings(placement: Placement, aigc: string[], shenbi: string | undefined): RawFindings {
  return { aigc: aigc.map((value) => ({ placement, value })), ...parseShenbiJson(shenbi ?? null) };
}

// WebVTT

const VTT_AIGC = /^AIGC=(.*)$/;
const VTT_SHENBI = /^SHENBI=(.*)$/;

/** Blocks separated by blank lines; index 0 is the header. */
const vttBlocks = (text: string): string[][] => text.replace(/^\uFEFF/, '').split(/\r?\n(?:[ \t]*\r?\n)+/).map((b) => b.split(/\r?\n/));

const isOurNote = (block: string[]): boolean => /^NOTE(?:\s|$)/.test(block[0]!) && block.slice(1).some((l) => VTT_AIGC.test(l) || VTT_SHENBI.test(l));

export function embedVtt(text: string, payload: ImplicitLabelPayload): string {
  const blocks = vttBlocks(text);
  if (!/^WEBVTT(?:[ \t].*)?$/.test(blocks[0]?.[0] ?? '')) throw mediaInvalid('WebVTT', 'the file does not start with "WEBVTT"');
  const note = ['NOTE', `AIGC=${aigcJson(payload.aigc)}`, `SHENBI=${shenbiJson(payload)}`];
  const kept = blocks.filter((b, i) => i === 0 || !isOurNote(b));
  const eol = eolOf(text);
  return [kept[0]!, note, ...kept.slice(1)].map((b) => b.join(eol)).join(eol + eol);
}

export function readVtt(text: string): RawFindings {
  const lines = vttBlocks(text).filter((b) => /^NOTE(?:\s|$)/.test(b[0]!)).flat();
  return findings('vtt-note', lines.flatMap((l) => VTT_AIGC.exec(l)?.[1] ?? []), lines.map((l) => VTT_SHENBI.exec(l)?.[1]).find((v) => v !== undefined));
}

// ASS / SSA

const ASS_AIGC = /^AIGC\s*:\s*(.*)$/i;
const ASS_SHENBI = /^Shenbi\s*:\s*(.*)$/i;

function scriptInfo(lines: string[]): { start: number; end: number } | null {
  const start = lines.findIndex((l) => /^\s*\[Script Info\]\s*$/i.test(l.replace(/^\uFEFF/, '')));
  if (start < 0) return null;
  let end = start + 1;
  while (end < lines.length && !/^\s*\[.*\]\s*$/.test(lines[end]!)) end++;
  return { start, end };
}

export function embedAss(text: string, payload: ImplicitLabelPayload): string {
  const lines = text.split(/\r?\n/);
  const info = scriptInfo(lines);
  if (info === null) throw mediaInvalid('ASS', 'no [Script Info] section');
  const section = lines.slice(info.start + 1, info.end).filter((l) => !ASS_AIGC.test(l) && !ASS_SHENBI.test(l));
  // Our lines go after the last non-blank line of the section, before the blank separator.
  let last = section.length;
  while (last > 0 && section[last - 1]!.trim() === '') last--;
  const ours = [`AIGC: ${aigcJson(payload.aigc)}`, `Shenbi: ${shenbiJson(payload)}`];
  return [...lines.slice(0, info.start + 1), ...section.slice(0, last), ...ours, ...section.slice(last), ...lines.slice(info.end)].join(eolOf(text));
}

export function readAss(text: string): RawFindings {
  const lines = text.split(/\r?\n/);
  const info = scriptInfo(lines);
  const section = info === null ? [] : lines.slice(info.start + 1, info.end);
  return findings('ass-script-info', section.flatMap((l) => ASS_AIGC.exec(l)?.[1]?.trim() ?? []), section.map((l) => ASS_SHENBI.exec(l)?.[1]?.trim()).find((v) => v !== undefined));
}

// LRC

const LRC_AIGC = /^\s*\[AIGC:(.*)\]\s*$/i;
const LRC_SHENBI = /^\s*\[shenbi:(.*)\]\s*$/i;

export function embedLrc(text: string, payload: ImplicitLabelPayload): string {
  const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
  const lines = text.slice(bom.length).split(/\r?\n/).filter((l) => !LRC_AIGC.test(l) && !LRC_SHENBI.test(l));
  return bom + [`[AIGC:${aigcJson(payload.aigc)}]`, `[shenbi:${shenbiJson(payload)}]`, ...lines].join(eolOf(text));
}

export function readLrc(text: string): RawFindings {
  const lines = text.split(/\r?\n/);
  return findings('lrc-tag', lines.flatMap((l) => LRC_AIGC.exec(l)?.[1] ?? []), lines.map((l) => LRC_SHENBI.exec(l)?.[1]).find((v) => v !== undefined));
}
