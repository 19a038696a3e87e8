import katex from 'katex';

/**
 * Markdown-with-LaTeX → a self-contained HTML page where the maths is typeset by KaTeX as
 * MathML (server-side, no script, no stylesheet or font to fetch: browsers render MathML
 * natively, so the page works offline). Display maths: $$…$$ and \[…\]; inline: $…$ and \(…\).
 * Text outside maths is HTML-escaped, paragraphs split on blank lines. A formula KaTeX cannot
 * parse is shown as its source in red rather than failing the whole page.
 */
const MATH = /\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]|\\\(([\s\S]+?)\\\)|\$([^$\n]+?)\$/g;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function inlineMarkdown(text: string): string {
  return escapeHtml(text).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>');
}

export function renderMathHtml(markdown: string, title = 'Solution'): string {
  const paragraphs = markdown.split(/\n{2,}/).map((block) => {
    let html = '';
    let last = 0;
    for (const match of block.matchAll(MATH)) {
      html += inlineMarkdown(block.slice(last, match.index));
      const display = match[1] !== undefined || match[2] !== undefined;
      const source = (match[1] ?? match[2] ?? match[3] ?? match[4])!;
      html += katex.renderToString(source, { displayMode: display, throwOnError: false, output: 'mathml', strict: 'ignore' });
      last = match.index + match[0].length;
    }
    html += inlineMarkdown(block.slice(last));
    return block.startsWith('> ') ? `<blockquote>${html.replace(/^&gt; /, '')}</blockquote>` : `<p>${html.replace(/\n/g, '<br>')}</p>`;
  });
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="generator" content="Shenbi (KaTeX ${katex.version})">
<style>body{font:16px/1.6 system-ui,sans-serif;max-width:46em;margin:2em auto;padding:0 1em}math[display=block]{margin:1em 0}</style>
</head><body>
${paragraphs.join('\n')}
</body></html>
`;
}
