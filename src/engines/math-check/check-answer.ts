/** Checks a model's final answer with mathjs against an independently computed value. */
import { evaluate, parse, simplify } from 'mathjs';
import { latexToMathjs } from './latex.ts';

export type CheckStatus = 'verified' | 'mismatch' | 'unchecked';
export interface AnswerCheck {
  readonly status: CheckStatus;
  readonly expected?: string;
  readonly detail: string;
}

const SAMPLE_POINTS = [0.37, 1.91, -2.3, 4.05];

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object' && 'valueOf' in value) {
    const n = Number((value as { valueOf(): unknown }).valueOf());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Symbolic answers: compare at random points for every free variable. */
function sameAtPoints(a: string, b: string): boolean {
  const names = new Set<string>();
  for (const expr of [a, b]) parse(expr).traverse((node) => {
    if (node.type === 'SymbolNode' && !(('name' in node) && ['pi', 'e', 'sqrt', 'nthRoot'].includes(String(node.name)))) names.add(String((node as unknown as { name: string }).name));
  });
  return SAMPLE_POINTS.every((x, i) => {
    const scope: Record<string, number> = {};
    let k = 0;
    for (const name of names) scope[name] = SAMPLE_POINTS[(i + k++) % SAMPLE_POINTS.length] ?? x;
    const va = toNumber(evaluate(a, scope));
    const vb = toNumber(evaluate(b, scope));
    return va !== undefined && vb !== undefined && Math.abs(va - vb) <= 1e-6 * Math.max(1, Math.abs(vb));
  });
}

export function checkAnswer(answerLatex: string, check?: string, tolerance = 1e-6): AnswerCheck {
  let answer: string;
  try {
    answer = latexToMathjs(answerLatex);
    parse(answer);
  } catch (err) {
    return { status: 'mismatch', detail: `answer is not a well-formed expression: ${(err as Error).message}` };
  }
  if (check === undefined) return { status: 'unchecked', detail: `well-formed expression: ${answer}` };
  try {
    // Free variables make evaluate() throw: fall through to the symbolic comparison.
    const tryNumber = (expr: string): number | undefined => {
      try {
        return toNumber(evaluate(expr));
      } catch {
        return undefined;
      }
    };
    const expectedValue = tryNumber(check);
    const got = tryNumber(answer);
    if (expectedValue !== undefined && got !== undefined) {
      const ok = Math.abs(got - expectedValue) <= tolerance * Math.max(1, Math.abs(expectedValue));
      return { status: ok ? 'verified' : 'mismatch', expected: String(expectedValue), detail: `numeric: got ${got}, expected ${expectedValue}` };
    }
    const expected = simplify(check).toString();
    const ok = simplify(`(${answer}) - (${check})`).toString() === '0' || sameAtPoints(answer, check);
    return { status: ok ? 'verified' : 'mismatch', expected, detail: `symbolic: ${answer} vs ${expected}` };
  } catch (err) {
    return { status: 'unchecked', detail: `could not evaluate check: ${(err as Error).message}` };
  }
}
