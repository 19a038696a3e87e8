/** Minerva-style answer extraction and a small LaTeX → mathjs converter. */

/** Content of the last \boxed{...}, with nested braces balanced; undefined if none. */
export function extractBoxed(text: string): string | undefined {
  const start = text.lastIndexOf('\\boxed{');
  if (start < 0) return undefined;
  let depth = 0;
  for (let i = start + '\\boxed'.length; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(start + '\\boxed{'.length, i).trim();
  }
  return undefined;
}

/** Converts simple LaTeX (\frac, \sqrt, ^, \cdot, \times, \pi, \left/\right) to mathjs syntax. */
export function latexToMathjs(latex: string): string {
  let s = latex.replace(/\\left|\\right|\\,|\\!|\\;|\$/g, '').replace(/\\dfrac|\\tfrac/g, '\\frac');
  // Innermost-first so nested \frac / \sqrt resolve.
  for (let prev = ''; prev !== s; ) {
    prev = s;
    s = s.replace(/\\frac\{([^{}]*)\}\{([^{}]*)\}/g, '(($1)/($2))');
    s = s.replace(/\\sqrt\[([^{}\]]*)\]\{([^{}]*)\}/g, 'nthRoot(($2),($1))');
    s = s.replace(/\\sqrt\{([^{}]*)\}/g, 'sqrt($1)');
    s = s.replace(/\^\{([^{}]*)\}/g, '^($1)');
  }
  return s
    .replace(/\\cdot|\\times/g, '*')
    .replace(/\\pi/g, 'pi')
    .replace(/\{/g, '(')
    .replace(/\}/g, ')')
    .trim();
}
