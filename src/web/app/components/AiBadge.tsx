/**
 * The explicit label every generated result carries on screen. Both languages always: the
 * Chinese wording is the one GB 45438-2025 asks for, whatever the UI language is.
 */
export function AiBadge() {
  return (
    <span className="ai-badge" data-testid="ai-label">
      人工智能生成 · <span lang="en">AI-generated</span>
    </span>
  );
}
