/**
 * AST of a GitHub Actions expression (the text inside `${{ }}`, or a bare
 * `if:` condition). Offsets are relative to the start of the expression text
 * that was parsed, so callers can map them to file positions.
 */
export type ExprNode =
  | { type: 'literal'; value: string | number | boolean | null; start: number; end: number }
  /** A bare name: a context (`github`, `secrets`) or, as a call's callee, a function name. */
  | { type: 'identifier'; name: string; start: number; end: number }
  /** `obj.name`, `obj['name']`, `obj[expr]` or `obj.*` */
  | { type: 'index'; object: ExprNode; index: ExprNode | { type: 'star'; start: number; end: number }; computed: boolean; start: number; end: number }
  | { type: 'call'; callee: string; args: ExprNode[]; start: number; end: number }
  | { type: 'unary'; operator: '!'; operand: ExprNode; start: number; end: number }
  | { type: 'binary'; operator: '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||'; left: ExprNode; right: ExprNode; start: number; end: number };
