/**
 * Where JSON text stops being valid. JSON.parse's messages differ between
 * engines and often carry no position (V8: `Unexpected token '}', ..."x": [ }"
 * is not valid JSON`), so on failure we rescan with this small iterative
 * checker to report an exact line and column. Iterative (explicit stack), so
 * deeply nested input cannot overflow the call stack.
 */
export interface JsonErrorSpot {
  /** 0-based offset of the offending character (text.length at an unexpected end). */
  offset: number;
  line: number;
  column: number;
  reason: string;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function locateJsonError(text: string): JsonErrorSpot | undefined {
  const n = text.length;
  let i = 0;
  const stack: number[] = []; // char codes of '{' / '['
  const ws = (): void => {
    while (i < n && WS.has(text.charCodeAt(i))) i++;
  };
  const fail = (reason: string): JsonErrorSpot => spot(text, i, i >= n ? `unexpected end of input (${reason})` : reason);
  const describeHere = (): string => (i >= n ? 'end of input' : `"${text[i]}"`);

  const str = (): JsonErrorSpot | undefined => {
    // at '"'
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return fail('control character inside a string');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
            i += 1;
            return fail('bad \\u escape in a string');
          }
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) {
          i += 1;
          return fail('bad escape in a string');
        }
        i += 2;
        continue;
      }
      i++;
    }
    return fail('unterminated string');
  };

  // mode: 'value' = a value is expected; 'after' = a value just ended.
  let mode: 'value' | 'after' = 'value';
  ws();
  if (i >= n) return fail('no JSON value');
  for (;;) {
    ws();
    if (mode === 'value') {
      if (i >= n) return fail('expected a value');
      const c = text[i]!;
      if (c === '{') {
        stack.push(0x7b);
        i++;
        ws();
        if (text[i] === '}') {
          stack.pop();
          i++;
          mode = 'after';
          continue;
        }
        if (text[i] !== '"') return fail(`expected a property name in double quotes, found ${describeHere()}`);
        const e = str();
        if (e) return e;
        ws();
        if (text[i] !== ':') return fail(`expected ":" after a property name, found ${describeHere()}`);
        i++;
        continue;
      }
      if (c === '[') {
        stack.push(0x5b);
        i++;
        ws();
        if (text[i] === ']') {
          stack.pop();
          i++;
          mode = 'after';
        }
        continue;
      }
      if (c === '"') {
        const e = str();
        if (e) return e;
        mode = 'after';
        continue;
      }
      if (c === 't' || c === 'f' || c === 'n') {
        const lit = c === 't' ? 'true' : c === 'f' ? 'false' : 'null';
        if (text.startsWith(lit, i)) {
          i += lit.length;
          mode = 'after';
          continue;
        }
        return fail(`unexpected ${describeHere()}`);
      }
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (m && m[0].length > 0 && (c === '-' || (c >= '0' && c <= '9'))) {
        i += m[0].length;
        mode = 'after';
        continue;
      }
      return fail(`expected a value, found ${describeHere()}`);
    }
    // mode === 'after'
    const top = stack[stack.length - 1];
    if (top === undefined) {
      if (i >= n) return undefined;
      return fail(`unexpected ${describeHere()} after the end of the JSON value`);
    }
    const c = text[i];
    if (c === ',') {
      i++;
      mode = 'value';
      if (top === 0x7b) {
        ws();
        if (text[i] !== '"') return fail(`expected a property name in double quotes, found ${describeHere()}`);
        const e = str();
        if (e) return e;
        ws();
        if (text[i] !== ':') return fail(`expected ":" after a property name, found ${describeHere()}`);
        i++;
      }
      continue;
    }
    if ((c === '}' && top === 0x7b) || (c === ']' && top === 0x5b)) {
      stack.pop();
      i++;
      continue;
    }
    return fail(`expected "," or "${top === 0x7b ? '}' : ']'}", found ${describeHere()}`);
  }
}

function spot(text: string, offset: number, reason: string): JsonErrorSpot {
  let line = 1;
  let lastNl = -1;
  const end = Math.min(offset, text.length);
  for (let k = 0; k < end; k++) {
    if (text.charCodeAt(k) === 10) {
      line++;
      lastNl = k;
    }
  }
  return { offset, line, column: offset - lastNl, reason };
}
