/**
 * Syntax tree of a POSIX/bash script. Every node carries `start`/`end`
 * offsets into the parsed text (end exclusive), which are offsets into the
 * script's value because template expressions are replaced by same-length
 * placeholders before parsing.
 */

/** How the shell treats the text a piece sits in. */
export type Quoting = 'none' | 'single' | 'double' | 'ansi' | 'heredoc' | 'heredoc-quoted' | 'comment';

export interface Lit {
  type: 'lit';
  start: number;
  end: number;
  /** Text after quote removal and backslash escapes. */
  value: string;
  quoting: Quoting;
}

export interface Param {
  type: 'param';
  start: number;
  end: number;
  /** `HOME` for `$HOME`, `${HOME:-x}`, `${#HOME}`; `1`, `@`, `?` for special parameters. */
  name: string;
  quoting: Quoting;
  /** Words of the operator part (`${x:-$(curl …)}`), parsed for their expansions. */
  operand?: Part[];
}

export interface CmdSub {
  type: 'cmdsub';
  start: number;
  end: number;
  body: List;
  quoting: Quoting;
  backtick: boolean;
}

export interface ProcSub {
  type: 'procsub';
  start: number;
  end: number;
  body: List;
  direction: '<' | '>';
}

export interface Arith {
  type: 'arith';
  start: number;
  end: number;
  quoting: Quoting;
}

export type Part = Lit | Param | CmdSub | ProcSub | Arith;

export interface Word {
  start: number;
  end: number;
  parts: Part[];
}

export interface Heredoc {
  /** Delimiter after quote removal. */
  delimiter: string;
  /** A quoted delimiter (`<<'EOF'`) turns off expansions in the body. */
  quoted: boolean;
  /** `<<-` strips leading tabs. */
  stripTabs: boolean;
  bodyStart: number;
  bodyEnd: number;
  /** Literal text and expansions of the body (one literal when quoted). */
  parts: Part[];
}

export interface Redirect {
  start: number;
  end: number;
  /** `>`, `>>`, `<`, `<<`, `<<-`, `<<<`, `>&`, `<&`, `&>`, `&>>`, `>|`, `<>`. */
  op: string;
  /** File descriptor written before the operator (`2>`). */
  fd?: number;
  target?: Word;
  heredoc?: Heredoc;
}

export interface Assignment {
  start: number;
  end: number;
  name: string;
  append: boolean;
  /** Scalar value (absent for an array assignment or `x=`). */
  value?: Word;
  /** `x=(a b c)` */
  array?: Word[];
}

export interface SimpleCommand {
  type: 'simple';
  start: number;
  end: number;
  assignments: Assignment[];
  words: Word[];
  redirects: Redirect[];
}

export type CompoundKind = 'subshell' | 'group' | 'if' | 'for' | 'select' | 'while' | 'until' | 'case' | 'function' | 'arith' | 'cond';

export interface CompoundCommand {
  type: 'compound';
  kind: CompoundKind;
  start: number;
  end: number;
  /** Bodies in source order (conditions, branches, loop bodies, case arms, a function's body). */
  bodies: List[];
  /** Words the construct reads: loop items, case subject and patterns, `[[ ]]` operands, a function's name. */
  words: Word[];
  redirects: Redirect[];
}

export type Command = SimpleCommand | CompoundCommand;

export interface Pipeline {
  type: 'pipeline';
  start: number;
  end: number;
  negated: boolean;
  commands: Command[];
}

/** Pipelines joined by `&&` / `||`; `ops[i]` joins `pipelines[i]` and `pipelines[i + 1]`. */
export interface AndOr {
  type: 'andor';
  start: number;
  end: number;
  pipelines: Pipeline[];
  ops: ('&&' | '||')[];
  background: boolean;
}

export interface List {
  type: 'list';
  start: number;
  end: number;
  items: AndOr[];
}

export interface Comment {
  start: number;
  end: number;
}

export interface ShellFile {
  text: string;
  root: List;
  comments: Comment[];
  /** Places the parser stopped understanding and skipped (unbalanced quotes, stray `)` …). */
  errors: { offset: number; message: string }[];
}
