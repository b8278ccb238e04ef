// Finds and evaluates a plain arithmetic expression in a prompt ("what is 12 * 7?" -> "12 * 7" = 84),
// so calculator-style tools get a real argument and the text reply can answer it.

const CANDIDATE = /[-(]*\d[\d\s.()+\-*/^%×÷]*[\d)]/g;
const HAS_OPERATOR = /[\d)]\s*[-+*/^%×÷]\s*[-(]*\d/;

export function findExpression(text: string): { expression: string; value: number } | undefined {
  for (const match of text.matchAll(CANDIDATE)) {
    const expression = match[0].replace(/\s+$/, "").trim();
    if (!HAS_OPERATOR.test(expression)) continue;
    const value = evaluate(expression);
    if (value !== undefined) return { expression, value };
  }
  return undefined;
}

/** Evaluates + - * / % ^ and parentheses; undefined when the text is not a well-formed expression. */
export function evaluate(expression: string): number | undefined {
  const tokens =
    expression
      .replace(/×/g, "*")
      .replace(/÷/g, "/")
      .match(/\d+(?:\.\d+)?|[-+*/^%()]|\S/g) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const primary = (): number => {
    const token = tokens[pos++];
    if (token === "-") return -primary();
    if (token === "(") {
      const value = sum();
      if (tokens[pos++] !== ")") throw new Error("unbalanced");
      return value;
    }
    if (token !== undefined && /^\d/.test(token)) return Number(token);
    throw new Error("unexpected token");
  };
  const power = (): number => {
    const base = primary();
    if (peek() === "^") {
      pos++;
      return base ** power();
    }
    return base;
  };
  const product = (): number => {
    let value = power();
    while (peek() === "*" || peek() === "/" || peek() === "%") {
      const op = tokens[pos++];
      const right = power();
      value = op === "*" ? value * right : op === "/" ? value / right : value % right;
    }
    return value;
  };
  const sum = (): number => {
    let value = product();
    while (peek() === "+" || peek() === "-") {
      const op = tokens[pos++];
      const right = product();
      value = op === "+" ? value + right : value - right;
    }
    return value;
  };
  try {
    const value = sum();
    return pos === tokens.length && Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(12)));
}
