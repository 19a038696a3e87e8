/**
 * Writes a copy of a GGUF file with extra string metadata (e.g. `tokenizer.chat_template`),
 * so tests can give the tiny testdata model the chat template of a real instruct model.
 * Tensor offsets are relative to the aligned data section, so only the header changes.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const SCALAR_SIZES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const STRING = 8;
const ARRAY = 9;

export function withGgufStrings(source: string, target: string, extra: Record<string, string>): void {
  const buf = readFileSync(source);
  if (buf.toString('ascii', 0, 4) !== 'GGUF') throw new Error('not a GGUF file');
  let at = 8;
  const tensorCount = buf.readBigUInt64LE(at);
  const kvCount = buf.readBigUInt64LE(at + 8);
  at += 16;
  let alignment = 32;
  const readString = () => {
    const length = Number(buf.readBigUInt64LE(at));
    const value = buf.toString('utf8', at + 8, at + 8 + length);
    at += 8 + length;
    return value;
  };
  const skipValue = (type: number): void => {
    if (type === STRING) readString();
    else if (type === ARRAY) {
      const itemType = buf.readUInt32LE(at);
      const count = Number(buf.readBigUInt64LE(at + 4));
      at += 12;
      if (itemType === STRING || itemType === ARRAY) for (let i = 0; i < count; i++) skipValue(itemType);
      else at += count * SCALAR_SIZES[itemType]!;
    } else at += SCALAR_SIZES[type]!;
  };
  for (let i = 0n; i < kvCount; i++) {
    const key = readString();
    const type = buf.readUInt32LE(at);
    at += 4;
    if (key === 'general.alignment') alignment = buf.readUInt32LE(at);
    skipValue(type);
  }
  const kvEnd = at;
  for (let i = 0n; i < tensorCount; i++) {
    readString();
    const dims = buf.readUInt32LE(at);
    at += 4 + dims * 8 + 4 + 8;
  }
  const infosEnd = at;
  const dataStart = Math.ceil(infosEnd / alignment) * alignment;

  const encoded = Object.entries(extra).map(([key, value]) => {
    const k = Buffer.from(key, 'utf8');
    const v = Buffer.from(value, 'utf8');
    const out = Buffer.alloc(8 + k.length + 4 + 8 + v.length);
    let o = out.writeBigUInt64LE(BigInt(k.length), 0);
    o += k.copy(out, o);
    o = out.writeUInt32LE(STRING, o);
    o = out.writeBigUInt64LE(BigInt(v.length), o);
    v.copy(out, o);
    return out;
  });
  const header = Buffer.concat([buf.subarray(0, kvEnd), ...encoded, buf.subarray(kvEnd, infosEnd)]);
  header.writeBigUInt64LE(kvCount + BigInt(encoded.length), 16);
  const padded = Math.ceil(header.length / alignment) * alignment;
  writeFileSync(target, Buffer.concat([header, Buffer.alloc(padded - header.length), buf.subarray(dataStart)]));
}

/** Qwen2.5-Instruct's chat template (tool-calling variant), as shipped in its GGUF files. */
export const QWEN25_CHAT_TEMPLATE = `{%- if tools %}
    {{- '<|im_start|>system\\n' }}
    {%- if messages[0]['role'] == 'system' %}
        {{- messages[0]['content'] }}
    {%- else %}
        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}
    {%- endif %}
    {{- "\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>" }}
    {%- for tool in tools %}
        {{- "\\n" }}
        {{- tool | tojson }}
    {%- endfor %}
    {{- "\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}\\n</tool_call><|im_end|>\\n" }}
{%- else %}
    {%- if messages[0]['role'] == 'system' %}
        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}
    {%- else %}
        {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}
    {%- endif %}
{%- endif %}
{%- for message in messages %}
    {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
    {%- elif message.role == "assistant" %}
        {{- '<|im_start|>' + message.role }}
        {%- if message.content %}
            {{- '\\n' + message.content }}
        {%- endif %}
        {%- for tool_call in message.tool_calls %}
            {%- if tool_call.function is defined %}
                {%- set tool_call = tool_call.function %}
            {%- endif %}
            {{- '\\n<tool_call>\\n{"name": "' }}
            {{- tool_call.name }}
            {{- '", "arguments": ' }}
            {{- tool_call.arguments | tojson }}
            {{- '}\\n</tool_call>' }}
        {%- endfor %}
        {{- '<|im_end|>\\n' }}
    {%- elif message.role == "tool" %}
        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
            {{- '<|im_start|>user' }}
        {%- endif %}
        {{- '\\n<tool_response>\\n' }}
        {{- message.content }}
        {{- '\\n</tool_response>' }}
        {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
            {{- '<|im_end|>\\n' }}
        {%- endif %}
    {%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\\n' }}
{%- endif %}
`;
