import { severityRank, type Confidence, type Severity } from '../model/finding.js';
import type { Pipeline, Script } from '../model/pipeline.js';
import { inputName, taintsOf, type Taint } from '../platforms/github/contexts.js';
import { fileOf, gitlabPipelineInfo } from '../platforms/gitlab/build.js';
import { groovyPaths } from '../platforms/jenkins/build.js';
import { kubeTaint, validatedSubstitutions } from '../platforms/kube/taint.js';
import { taskKeyOf, webhookTaint, webhookTemplateParams } from '../platforms/tekton/triggers.js';
import { argoEventsSinks } from '../platforms/argo/events.js';
import type { Fix, TextEdit } from '../model/finding.js';
import type { Expression, ExternalRef, Job, Step, StepInput } from '../model/pipeline.js';
import { calleeOf } from '../platforms/github/callees.js';
import type { YamlNode } from '../core/yaml.js';
import { contextAccesses } from '../expr/parser.js';
import { appendToMap, insertBefore, isBlockMap, pathOf } from '../fix/yaml-edits.js';
import { kubeEnvFix } from '../fix/kube-env.js';
import { yamlOf } from '../platforms/kube/security.js';
import { defineRule, type Persona, type ProjectContext, type RuleContext } from './types.js';
import { expressionOffsets, locateInScript } from '../core/templated.js';
import { githubFlows, type Flow } from '../platforms/github/outputs.js';
import { argv, codePositionAt, codeWords, expandsValue, interpreterLanguage, interpreterReadsStdin, isInterpreter, operandMayBeResult, quotingAt, shellOf, type Param, type Part, type ShellScript } from '../shell/index.js';

interface Verdict {
  severity: Severity;
  confidence: Confidence;
  persona?: Persona;
  why: string;
}


/** Definitions whose triggers are their caller's: composite actions and reusable workflows. */
function calledByOthers(p: Pipeline): boolean {
  return p.kind === 'composite-action' || p.triggers.some((t) => t.event === 'workflow_call');
}

/** Inputs declared as boolean, number, choice or environment cannot carry free text. */
const CLOSED_INPUT_TYPES = new Set(['boolean', 'number', 'choice', 'environment']);

function judge(p: Pipeline, t: Taint): Verdict | undefined {
  if (t.source === 'attacker') {
    // Whole-payload accesses matter only under events an outsider causes.
    const relevant = p.triggers.filter((tr) => (t.events.length === 0 ? tr.actor === 'external' : t.events.includes(tr.event)));
    const privileged = relevant.filter((tr) => tr.privileged);
    if (privileged.length > 0) {
      const events = [...new Set(privileged.map((tr) => tr.event))];
      if (events.every((e) => e === 'push')) {
        // Commit text under push is written by committers, or by the authors of merged pull requests.
        return { severity: 'high', confidence: 'medium', why: 'under `push` commit authors, including those of merged pull requests, write it, and the run holds the repository\'s secrets and token' };
      }
      return { severity: 'high', confidence: 'high', why: `under \`${events.join(', ')}\` anyone who can open a pull request or issue controls it, and the run holds the repository's secrets and token` };
    }
    if (calledByOthers(p)) {
      return { severity: 'medium', confidence: 'low', why: "the caller's event decides who controls it; under pull_request_target or issue events that is anyone" };
    }
    if (relevant.length > 0) {
      return { severity: 'low', confidence: 'medium', why: 'an outsider controls it, but this trigger runs without secrets and with a read-only token' };
    }
    if (t.events.length > 0) return undefined; // The field is empty under every trigger this workflow has.
  }
  if (t.source === 'caller' || t.source === 'attacker') {
    const input = inputName(t.path);
    const declared = input !== undefined ? p.inputs.get(input) : undefined;
    if (declared?.type && CLOSED_INPUT_TYPES.has(declared.type)) return undefined;
    if (calledByOthers(p)) return { severity: 'medium', confidence: 'low', why: 'the caller supplies it; a caller that forwards untrusted text turns this into code execution' };
    return { severity: 'low', confidence: 'medium', why: 'whoever dispatches the workflow supplies it', persona: 'pedantic' };
  }
  return { severity: 'low', confidence: 'low', persona: 'pedantic', why: 'it is computed earlier in the run and may carry untrusted text' };
}

function sinkName(s: Script): string {
  if (s.kind === 'github-script') return 'the `actions/github-script` script';
  if (s.kind === 'input') return 'an action input that runs as code';
  return 'a `run:` script';
}

export default defineRule({
  meta: {
    id: 'template-injection',
    title: 'Untrusted value expanded into code',
    severity: 'high',
    confidence: 'high',
    owasp: 'CICD-SEC-4',
    platforms: ['gha', 'gitlab', 'jenkins', 'tekton', 'argo'],
    fixable: true,
    docs: {
      description:
        'GitHub expands `${{ }}` into the script text before the shell or interpreter reads it, so a value such as a pull request title becomes part of the program. Whoever can set that value can run commands in the job, with its secrets and token. Moving the value into `env:` fixes that only while the script treats the variable as data: handed to `eval`, to `sh -c "…$X…"` (also through `su -c`, `runuser`, `flock -c`, `xargs`, `find -exec`, `docker exec` or `ssh`), to `python -c` or `node -e`, or printed into `| sh`, it is parsed as code again, and that is reported the same way. `${X:-default}` and copies carry the value; a length (`${#X}`) or a filter that keeps only letters, digits and a few marks (`${X//[^a-zA-Z0-9._-]/}`) does not. Severity follows who controls the value: free text from outsiders under privileged triggers is high, caller-supplied inputs medium, values computed earlier in the run low.',
      bad: 'on: pull_request_target\njobs:\n  greet:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "Title: ${{ github.event.pull_request.title }}"',
      good: 'on: pull_request_target\njobs:\n  greet:\n    runs-on: ubuntu-latest\n    steps:\n      - env:\n          TITLE: ${{ github.event.pull_request.title }}\n        run: echo "Title: $TITLE"',
      remedy: 'Pass the value through an environment variable (`env: NAME: ${{ … }}`) and use it quoted in the script (`"$NAME"`; `process.env.NAME` in github-script).',
    },
  },
  checkProject: checkWebhookChains,
  check(ctx) {
    if (ctx.pipeline.platform === 'tekton' || ctx.pipeline.platform === 'argo') return checkKube(ctx);
    if (ctx.pipeline.platform === 'gitlab') return checkGitlab(ctx);
    if (ctx.pipeline.platform === 'jenkins') return checkJenkins(ctx);
    const { pipeline, report } = ctx;
    checkCallees(ctx);
    const flows = githubFlows(pipeline);
    for (const job of pipeline.jobs) {
      for (const step of job.steps) {
        const script = step.script;
        if (!script) continue;
        // `env.X` set to a literal in the workflow, job or step carries no outside text (listed on first use: most scripts have no expression).
        let literalEnv: Set<string> | undefined;
        // The shell tree places expressions and finds expansions run as code (`eval "$X"`): without either, it is not needed.
        const shell = script.kind === 'run' && (script.expressions.length > 0 || script.text.includes('$')) ? shellOf(script) : undefined;
        const offsets = shell ? expressionOffsets(script.text) : [];
        const found: { expr: Expression; flow: Flow; v: Verdict }[] = [];
        script.expressions.forEach((expr, i) => {
          if (!expr.ast) return;
          let worst: { flow: Flow; v: Verdict } | undefined;
          for (const flow of flows.resolve(expr.ast, job, script.shell === 'javascript')) {
            literalEnv ??= new Set([...pipeline.env, ...job.env, ...step.env].filter((e) => e.value && e.value.expressions.length === 0).map((e) => `env.${e.name.value.toLowerCase()}`));
            if (literalEnv.has(flow.taint.path)) continue;
            let v = judge(pipeline, flow.taint);
            if (v && shell && offsets[i] !== undefined) v = byPlace(v, flow.taint, shell, offsets[i]!);
            if (v && (!worst || severityRank(v.severity) > severityRank(worst.v.severity))) worst = { flow, v };
          }
          if (worst) found.push({ expr, ...worst });
        });
        // One fix per step moves every flagged expression into the step's `env:` at once.
        const fix = found.length > 0 ? envFix(pipeline, job, step, found.map((f) => f.expr)) : undefined;
        found.forEach(({ expr, flow, v }, i) => {
          const t = flow.taint;
          const through = flow.related.length > 0 ? `\`${expr.raw.trim()}\` carries \`${t.path}\` and is expanded into ${sinkName(script)}` : `\`${t.path}\` is expanded into ${sinkName(script)}`;
          report({
            span: expr.span,
            message: `${through}: ${v.why}`,
            severity: v.severity,
            confidence: v.confidence,
            ...(v.persona ? { persona: v.persona } : {}),
            ...(flow.related.length > 0 ? { related: flow.related } : {}),
            ...(i === 0 && fix ? { fix } : {}),
          });
        });
        if (shell) checkEvaluatedVariables(ctx, job, step, shell, flows);
      }
    }
  },
});

/**
 * Moving a value into `env:` keeps it out of the script text, but a script
 * that hands the variable to `eval`, `sh -c`, `python -c` … (or prints it
 * into `| sh`) parses it as code all the same: the injection is only one
 * step later. Only expansions straight in the program text count: single
 * quotes (`sh -c 'echo "$X"'`) pass the name, not the value, and
 * `$(printf %q "$X")` escapes it.
 */
function checkEvaluatedVariables(ctx: RuleContext, job: Job, step: Step, shell: ShellScript, flows: ReturnType<typeof githubFlows>): void {
  const { pipeline, report } = ctx;
  const script = step.script!;
  let taint: ReturnType<ReturnType<typeof githubFlows>['scriptTaint']> | undefined;
  const sinks: { param: Param; runner: string; language: string }[] = [];
  // Expansions the outer shell performs in the program text, not inside `$( )`: those that yield the
  // variable's value (see expandsValue), and a default's or replacement's own (`${X:-$Y}`).
  const direct = (parts: Part[]): Param[] => {
    const out: Param[] = [];
    for (const p of parts) {
      if (p.type !== 'param') continue;
      if (expandsValue(shell, p)) out.push(p);
      if (operandMayBeResult(p)) out.push(...direct(p.operand!));
    }
    return out;
  };
  for (const site of shell.commands) {
    for (const c of codeWords(shell, site.cmd)) for (const param of direct(c.word.parts)) sinks.push({ param, runner: c.runner, language: c.language });
    const { name, args } = argv(shell, site.cmd);
    if (!name || !isInterpreter(name) || !interpreterReadsStdin(shell, name, args)) continue;
    const language = interpreterLanguage(name);
    // `echo "$X" | sh`, `printf … | python3`: what the commands before it print is the program.
    if (site.position > 0) {
      for (const before of site.pipeline.commands.slice(0, site.position)) {
        if (before.type !== 'simple') continue;
        const printer = argv(shell, before);
        if (!/^(echo|printf)$/.test(printer.name ?? '')) continue;
        for (const w of printer.args) for (const param of direct(w.parts)) sinks.push({ param, runner: `| ${name}`, language });
      }
    }
    // `bash <<EOF … $X … EOF`, `python3 - <<EOF`, `sh <<< "$X"`: the here-document is the program.
    for (const r of site.cmd.redirects) {
      const parts = r.heredoc && !r.heredoc.quoted ? r.heredoc.parts : r.op === '<<<' && r.target ? r.target.parts : [];
      for (const param of direct(parts)) sinks.push({ param, runner: `${name} <<${r.op === '<<<' ? '<' : ''}`, language });
    }
  }
  const reported = new Set<number>();
  for (const { param, runner, language } of sinks) {
    // `bash -c "echo $X | sh"` reaches two runners through one expansion: one finding.
    if (reported.has(param.start)) continue;
    reported.add(param.start);
    taint ??= flows.scriptTaint(job, step, shell);
    let worst: { flow: Flow; v: Verdict } | undefined;
    for (const flow of taint.of(param.name)) {
      const v = judge(pipeline, flow.taint);
      if (v && (!worst || severityRank(v.severity) > severityRank(worst.v.severity))) worst = { flow, v };
    }
    if (!worst) continue;
    const { flow, v } = worst;
    report({
      span: locateInScript(pipeline.file, script, param.start, param.end - param.start),
      message: `\`${shell.file.text.slice(param.start, param.end)}\` carries \`${flow.taint.path}\` and is expanded into ${language === 'shell' ? 'code' : `${language} code`} that \`${runner}\` runs: ${v.why}`,
      severity: v.severity,
      confidence: v.confidence,
      remedy: `Do not build code from the value: pass it as an argument or read it from the environment inside the program (\`sh -c '…"$X"…'\` in single quotes, \`os.environ["X"]\`, \`process.env.X\`), and check it against a pattern first.`,
      ...(v.persona ? { persona: v.persona } : {}),
      ...(flow.related.length > 0 ? { related: flow.related } : {}),
    });
  }
}

/** Fields that cannot hold a line break (titles, branch names, e-mail addresses). */
const SINGLE_LINE = /(^github\.head_ref|\.(title|ref|label|email|name|page_name|default_branch|homepage|head_branch|display_title)|\.changes\.title\.from)$/;

/**
 * Where the expression lands in the shell script changes what an outsider
 * needs: inside a comment or a quoted here-document only a line break gets
 * out, which single-line fields cannot hold. Single quotes, double quotes or
 * none change nothing: every free-text field, branch names included, can hold
 * `'`, `"`, `$(` and `;`. As the command name (or code for `eval`/`sh -c`)
 * no quote needs breaking at all.
 */
function byPlace(v: Verdict, t: Taint, shell: ShellScript, offset: number): Verdict {
  // Only for outsiders' text: an input meant to hold a command (`inputs.command`) is run as one by design.
  const code = t.source === 'attacker' ? codePositionAt(shell, offset) : undefined;
  if (code && v.confidence !== 'high') {
    // No quote to break out of: whatever the value is runs as a command.
    const why = code === 'command-name' ? 'it is the command the shell runs' : 'the shell runs it as code (`eval`, `sh -c`)';
    return { ...v, confidence: v.confidence === 'low' ? 'medium' : 'high', why: `${v.why}; ${why}` };
  }
  const quoting = quotingAt(shell, offset);
  if (quoting !== 'comment' && quoting !== 'heredoc-quoted') return v;
  const where = quoting === 'comment' ? 'a shell comment' : "a quoted here-document (`<<'EOF'`)";
  if (t.source === 'attacker' && SINGLE_LINE.test(t.path)) {
    return { severity: 'low', confidence: 'low', persona: 'pedantic', why: `it lands in ${where}, which only a line break could leave, and the field cannot hold one; an \`env:\` entry still keeps it out of the script` };
  }
  return { ...v, confidence: v.confidence === 'high' ? 'medium' : v.confidence, why: `${v.why}; it lands in ${where}, so a line break in the value is needed to reach code` };
}

/** Webhook data followed through Triggers into a Task's script: high, with the chain as related locations. */
function checkWebhookChains({ index, report }: ProjectContext): void {
  for (const sink of argoEventsSinks(index)) {
    report(sink.owner, {
      span: sink.expression.span,
      message: `\`${sink.expression.raw}\` is substituted into the script of template \`${sink.job.id.value}\` and carries webhook data: whoever can send the event controls it`,
      severity: 'high',
      confidence: 'high',
      remedy: 'Pass the value as an environment variable and use it quoted ("$X"); authenticate the event source and filter the field in the Sensor before it reaches a workflow.',
      related: sink.chain,
    });
  }
  // Scripts embedded in a TriggerTemplate's runs read `$(tt.params.x)` directly.
  const ttParams = webhookTemplateParams(index);
  for (const p of index.pipelines.filter((x) => x.embeddedIn)) {
    for (const job of p.jobs) {
      for (const step of job.steps) {
        for (const e of step.script?.expressions ?? []) {
          const m = /^tt\.params\.([^.\s]+)/.exec(e.path ?? '');
          const source = m ? ttParams.get(m[1]!) : undefined;
          if (!source) continue;
          report(p, {
            span: e.span,
            message: `\`${e.raw}\` is substituted into the script of \`${step.container?.name?.value ?? job.id.value}\` and carries webhook data: whoever can send the event controls it`,
            severity: 'high',
            confidence: 'high',
            remedy: 'Pass the value as an environment variable and use it quoted ("$X"); verify the webhook (interceptor with secretRef) and validate the field (CEL) before it reaches a run.',
            related: [source],
          });
        }
      }
    }
  }
  const tainted = webhookTaint(index);
  if (tainted.size === 0) return;
  for (const p of index.ofKind('Task', 'ClusterTask', 'Pipeline')) {
    for (const job of p.jobs) {
      const params = tainted.get(taskKeyOf(p, job.id.value));
      if (!params) continue;
      for (const step of job.steps) {
        for (const e of step.script?.expressions ?? []) {
          const m = /^(?:inputs\.)?params\.([^.[\s]+)/.exec(e.path ?? '');
          const chain = m ? params.get(m[1]!) : undefined;
          if (!chain) continue;
          report(p, {
            span: e.span,
            message: `\`${e.raw}\` is substituted into the script of \`${step.container?.name?.value ?? job.id.value}\` and carries webhook data: whoever can send the event controls it`,
            severity: 'high',
            confidence: 'high',
            remedy: 'Pass the value as an environment variable and use it quoted ("$X"); verify the webhook (interceptor with secretRef) and validate the field (CEL) before it reaches a run.',
            related: chain.path,
          });
        }
      }
    }
  }
}

/**
 * Tekton `$(params.x)` and Argo `{{inputs.parameters.x}}` are pasted into the
 * script text by the controller before the shell reads it.
 */
function checkKube({ pipeline, report }: RuleContext): void {
  for (const job of pipeline.jobs) {
    const validated = new Set<string>();
    for (const step of job.steps) {
      const script = step.script;
      if (!script) continue;
      for (const v of validatedSubstitutions(script.text)) validated.add(v.replace(/\s+/g, ''));
      const where = step.container?.name?.value ?? job.id.value;
      const found: { e: Expression; sev: Verdict }[] = [];
      for (const e of script.expressions) {
        const t = kubeTaint(pipeline, e);
        if (!t) continue;
        const declared = t.param ? pipeline.inputs.get(t.param) : undefined;
        if (declared?.type === 'choice') continue;
        const sev: Verdict = validated.has(e.raw.replace(/\s+/g, ''))
          ? { severity: 'low', confidence: 'medium', why: 'the value is checked against an anchored pattern after the assignment; an `env` entry would remove the substitution altogether' }
          : t.source === 'webhook'
            ? { severity: 'high', confidence: 'high', why: 'it comes from the webhook payload, which the sender controls' }
            : t.source === 'caller'
              ? { severity: 'medium', confidence: 'low', why: 'whoever creates the run (or a trigger mapping a webhook field to it) supplies it' }
              : { severity: 'low', confidence: 'low', persona: 'pedantic', why: 'an earlier step produced it and it may carry untrusted text' };
        found.push({ e, sev });
      }
      // One fix per step moves every flagged substitution into the step's `env:` at once.
      // It rides on the most severe finding, which no persona filters out before the others.
      const fix = found.length > 0 ? kubeEnvFix(pipeline, job, step, found.map((f) => f.e)) : undefined;
      const weight = (v: Verdict) => severityRank(v.severity) * 2 + (v.persona ? 0 : 1);
      const carrier = found.reduce((best, f, i) => (weight(f.sev) > weight(found[best]!.sev) ? i : best), 0);
      found.forEach(({ e, sev }, i) => {
        report({
          span: e.span,
          message: `\`${e.raw}\` is substituted into the script of \`${where}\` before the shell reads it: ${sev.why}`,
          severity: sev.severity,
          confidence: sev.confidence,
          remedy: 'Pass the value as an environment variable (`env: - name: X  value: $(params.x)`) and use "$X" quoted in the script.',
          ...(sev.persona ? { persona: sev.persona } : {}),
          ...(i === carrier && fix ? { fix } : {}),
        });
      });
    }
  }
}

/**
 * GitLab `$[[ inputs.x ]]` is replaced in the configuration text before the
 * job runs, so in `script:` it becomes shell code. Inputs with a type other
 * than string, a closed `options:` list or a `regex:` cannot carry free text.
 */
function checkGitlab({ pipeline, report }: RuleContext): void {
  const info = gitlabPipelineInfo(pipeline);
  // Each `spec: inputs` list by name (the first of a name, as a search finds it): searched per expression it was quadratic.
  type Input = NonNullable<typeof info>['inputs'][number];
  const indexes = new Map<readonly Input[], Map<string, Input>>();
  const inputsByName = (inputs: readonly Input[]): Map<string, Input> => {
    let byName = indexes.get(inputs);
    if (!byName) {
      indexes.set(inputs, (byName = new Map()));
      for (const i of inputs) if (!byName.has(i.name.value)) byName.set(i.name.value, i);
    }
    return byName;
  };
  for (const job of pipeline.jobs) {
    for (const step of job.steps) {
      for (const e of step.script?.expressions ?? []) {
        if (e.syntax !== 'gitlab') continue;
        const m = /^inputs\.([A-Za-z0-9_-]+)/.exec(e.path ?? '');
        if (!m) continue;
        // An input belongs to the `spec:` of the file it is written in (an included component or the root).
        const file = fileOf(e);
        const inputs = file && file !== pipeline.file ? info?.fileInputs.get(file) : info?.inputs;
        const declared = inputs ? inputsByName(inputs).get(m[1]!) : undefined;
        if (declared && ((declared.type && declared.type !== 'string') || (declared.options && declared.options.length > 0) || declared.regex)) continue;
        const expands = /\|\s*expand_vars/.test(e.raw);
        report({
          span: e.span,
          message: `\`${e.raw.trim()}\` is pasted into the script of job \`${job.id.value}\` before the shell reads it: whoever supplies the input (the including project, a pipeline trigger or an API call) can run commands${expands ? ', and `expand_vars` also expands CI variables into it' : ''}`,
          severity: 'medium',
          confidence: 'medium',
          remedy: 'Pass the input through a job variable (`variables: X: $[[ inputs.x ]]`) and use "$X" quoted in the script, or constrain it with `options:` or `regex:` in `spec: inputs`.',
        });
      }
    }
  }
}

/**
 * Groovy interpolates `"${…}"` into the `sh` string before the shell parses
 * it. In multibranch builds of pull requests (forks included) the branch name
 * and the change's title and author are chosen by whoever opens the change;
 * build parameters come from whoever may start a build.
 */
const JENKINS_ATTACKER = /^env\.(BRANCH_NAME|CHANGE_BRANCH|CHANGE_TITLE|CHANGE_AUTHOR|CHANGE_AUTHOR_DISPLAY_NAME|CHANGE_AUTHOR_EMAIL|CHANGE_FORK|GIT_BRANCH|GIT_COMMIT_MESSAGE|ghprbPullTitle|ghprbPullDescription|ghprbSourceBranch|gitlabSourceBranch|gitlabMergeRequestTitle)$|^(BRANCH_NAME|CHANGE_BRANCH|CHANGE_TITLE|CHANGE_AUTHOR|CHANGE_AUTHOR_DISPLAY_NAME|GIT_BRANCH|ghprbPullTitle|ghprbSourceBranch)$/;

function checkJenkins({ pipeline, report }: RuleContext): void {
  for (const job of pipeline.jobs) {
    for (const step of job.steps) {
      for (const e of step.script?.expressions ?? []) {
        if (e.syntax !== 'groovy') continue;
        const paths = groovyPaths.get(e) ?? (e.path ? [e.path] : []);
        const attacker = paths.find((p) => JENKINS_ATTACKER.test(p));
        const param = paths.map((p) => /^params\.([A-Za-z0-9_]+)/.exec(p)?.[1]).find((x) => x !== undefined);
        let verdict: Verdict | undefined;
        if (attacker) verdict = { severity: 'high', confidence: 'medium', why: `\`${attacker}\` is set by whoever opens the change in multibranch and pull request builds` };
        else if (param !== undefined) {
          const declared = pipeline.inputs.get(param);
          if (declared?.type && ['boolean', 'choice'].includes(declared.type)) continue;
          verdict = { severity: 'medium', confidence: 'medium', why: `build parameter \`${param}\` comes from whoever may start a build` };
        }
        if (!verdict) continue;
        report({
          span: e.span,
          message: `\`${e.raw.trim()}\` is interpolated by Groovy into a shell command in stage \`${job.id.value}\`: ${verdict.why}`,
          severity: verdict.severity,
          confidence: verdict.confidence,
          remedy: "Use a single-quoted string and let the shell read the variable (`sh 'make \"$BRANCH_NAME\"'`), passing parameters through `withEnv` or `environment`.",
        });
      }
    }
  }
}

/** An environment variable name for an expression: `github.event.pull_request.title` → `PULL_REQUEST_TITLE`. */
function envName(expr: Expression): string {
  const path = expr.ast ? (contextAccesses(expr.ast)[0]?.path ?? 'value') : 'value';
  const parts = path.replace(/\[\?\]|\*/g, '').split('.').filter(Boolean);
  const tail = parts.filter((p) => !['github', 'event', 'inputs', 'steps', 'outputs', 'needs', 'env'].includes(p)).slice(-2);
  const name = (tail.length > 0 ? tail : parts.slice(-1)).join('_').toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return /^[A-Z_]/.test(name) ? name : `V_${name}`;
}

/**
 * Moves expressions of a `run:` script into the step's `env:` and reads them
 * from the shell (`"${NAME}"`, `$env:NAME` in PowerShell), keeping the quoting
 * the script had around them. Only for shells whose quoting is understood.
 */
function envFix(pipeline: Pipeline, job: Job, step: Step, exprs: Expression[]): Fix | undefined {
  const script = step.script!;
  if (script.kind !== 'run' || !['bash', 'sh', 'pwsh', 'powershell'].includes(script.shell)) return undefined;
  const y = yamlOf(pipeline);
  const file = pipeline.file;
  if (!isBlockMap(step.node)) return undefined;
  // Quotes can be added inside a block scalar; a plain scalar takes the variable unquoted (word splitting may
  // then differ: unsafe); a quoted YAML scalar would need its own escaping, so no fix is offered there.
  const style = file.text[script.span.offset];
  const block = style === '|' || style === '>';
  if (style === '"' || style === "'") return undefined;
  let safety: Fix['safety'] = 'safe';
  const quotes = quoteTracker(file.text, script.span.offset);
  const taken = new Map<string, string>();
  for (const e of [...pipeline.env, ...job.env, ...step.env]) taken.set(e.name.value, e.value?.value.trim() ?? '');
  const edits: TextEdit[] = [];
  const newEnv: string[] = [];
  for (const expr of exprs) {
    const value = `\${{ ${expr.raw.trim()} }}`;
    let name = envName(expr);
    for (let n = 2; taken.has(name) && taken.get(name) !== value; n++) name = `${envName(expr)}_${n}`;
    if (!taken.has(name)) {
      taken.set(name, value);
      newEnv.push(`${name}: ${value}`);
    }
    let replacement: string;
    if (script.shell === 'pwsh' || script.shell === 'powershell') replacement = `$env:${name}`;
    else {
      // Quote state on the source line before the expression decides how to splice the variable in;
      // scanned once, forward, across all expressions of the script (a huge line stays linear).
      quotes.advance(expr.span.offset);
      const { single, double } = quotes;
      if (!block && !double) {
        replacement = `\${${name}}`;
        safety = 'unsafe';
      } else replacement = single ? `'"\${${name}}"'` : double ? `\${${name}}` : `"\${${name}}"`;
    }
    edits.push({ offset: expr.span.offset, endOffset: expr.span.endOffset, replacement });
  }
  const stepPath = pathOf(pipeline.document.contents as YamlNode | null, step.node);
  const runKey = y.pair(step.node, 'run')?.key as { value?: unknown } | undefined;
  if (!stepPath || !runKey) return undefined;
  const targets: (string | number)[][] = [[...stepPath, String(runKey.value)], ...newEnv.map((l) => [...stepPath, 'env', l.split(': ')[0]!])];
  const envPair = y.pair(step.node, 'env');
  if (newEnv.length > 0) {
    if (envPair) {
      if (!isBlockMap(envPair.value as YamlNode)) return undefined;
      for (const line of newEnv) {
        const [k, ...rest] = line.split(': ');
        const e = appendToMap(file, envPair.value as YamlNode, k!, rest.join(': '));
        if (!e) return undefined;
        edits.push(e);
      }
    } else {
      const runPair = y.pair(step.node, 'run');
      if (!runPair) return undefined;
      edits.push(insertBefore(file, runPair, ['env:', ...newEnv.map((l) => `  ${l}`)]));
    }
  }
  return { description: `move ${exprs.length === 1 ? 'the expression' : `${exprs.length} expressions`} into the step's env and read ${exprs.length === 1 ? 'it' : 'them'} from the shell`, safety, edits, targets };
}

/** Shell quote state along a text, advanced forward only; reset at each line break. */
function quoteTracker(text: string, from: number): { single: boolean; double: boolean; advance(to: number): void } {
  let at = from;
  const t = {
    single: false,
    double: false,
    advance(to: number): void {
      for (; at < to; at++) {
        const c = text[at];
        if (c === '\n') {
          t.single = false;
          t.double = false;
        } else if (c === "'" && !t.double) t.single = !t.single;
        else if (c === '"' && !t.single) t.double = !t.double;
      }
    },
  };
  return t;
}

/**
 * A local composite action or reusable workflow called with a value an
 * outsider controls: the value reaches the callee's scripts as `inputs.x`.
 * Reported at the sink in the callee, with the caller's `with:` as related.
 */
function checkCallees({ pipeline, report }: RuleContext): void {
  const refs: { ref: ExternalRef; inputs: Map<string, StepInput>; job: Job }[] = [];
  for (const job of pipeline.jobs) {
    if (job.uses) refs.push({ ref: job.uses, inputs: job.with, job });
    for (const step of job.steps) if (step.uses) refs.push({ ref: step.uses, inputs: step.with, job });
  }
  const flows = githubFlows(pipeline);
  for (const { ref, inputs, job } of refs) {
    const callee = calleeOf(ref);
    if (!callee) continue;
    const tainted = new Map<string, { input: StepInput; flow: Flow; v: Verdict }>();
    for (const [name, input] of inputs) {
      for (const e of input.value.expressions) {
        if (!e.ast) continue;
        for (const flow of flows.resolve(e.ast, job)) {
          if (flow.taint.source !== 'attacker') continue;
          const v = judge(pipeline, flow.taint);
          if (v && v.severity === 'high') tainted.set(name.toLowerCase(), { input, flow, v });
        }
      }
    }
    if (tainted.size === 0) continue;
    for (const job of callee.jobs) {
      for (const step of job.steps) {
        const script = step.script;
        if (!script) continue;
        for (const e of script.expressions) {
          if (!e.ast) continue;
          const used = contextAccesses(e.ast).map((a) => /^inputs\.([^.[]+)$/.exec(a.path)?.[1]).find((n) => n !== undefined && tainted.has(n));
          if (!used) continue;
          const src = tainted.get(used)!;
          const t = src.flow.taint;
          report({
            span: e.span,
            file: callee.file.path,
            message: `\`inputs.${used}\` is expanded into ${sinkName(script)}; \`${pipeline.file.path}\` passes it \`${t.path}\`${src.flow.related.length > 0 ? ' (through an earlier step\'s output)' : ''}: ${src.v.why}`,
            severity: 'high',
            confidence: src.v.confidence,
            related: [...src.flow.related, { file: pipeline.file.path, span: src.input.value.span, message: `\`${src.input.key.value}\` is set from \`${t.path}\`` }],
          });
        }
      }
    }
  }
}
