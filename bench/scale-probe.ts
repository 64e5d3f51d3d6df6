/**
 * Scaling probe: scans generated files of each platform at two sizes and
 * flags any shape whose time grows much faster than its input. Hostile or
 * generated pipelines (thousands of chained jobs, stages, templates,
 * bindings) must not turn a linear scan quadratic. `npm run bench:scale`;
 * sizes with `SCALE_SIZES=1000,4000`. Prints; asserts nothing.
 */
import { scanSource, type ScanOptions } from '../src/core/scan.js';
import { releaseFileScoped } from '../src/core/file-scoped.js';
import { tuneV8ForScanning } from '../src/core/v8-tuning.js';
import { emptyConfig } from '../src/config/config.js';
import { SourceFile } from '../src/model/source.js';
import { allRules } from '../src/rules/index.js';

const each = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => f(i)).join('');
const docs = (n: number, f: (i: number) => string): string => Array.from({ length: n }, (_, i) => f(i)).join('---\n');
const DIGEST = `sha256:${'0'.repeat(64)}`;

/** Name → [text of size n, path it is scanned as]. */
const SHAPES: Record<string, [(n: number) => string, string]> = {
  'GitHub: jobs passing an output on': [(n) => `on: pull_request_target\njobs:\n${each(n, (i) => `  j${i}:\n    runs-on: ubuntu-latest\n${i ? `    needs: j${i - 1}\n` : ''}    outputs:\n      o: \${{ steps.s.outputs.o }}\n    steps:\n      - id: s\n        run: echo "o=\${{ ${i ? `needs.j${i - 1}.outputs.o` : 'github.event.issue.title'} }}" >> $GITHUB_OUTPUT\n`)}`, '.github/workflows/w.yml'],
  'GitHub: steps passing an output on': [(n) => `on: issue_comment\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n${each(n, (i) => `      - id: s${i}\n        run: echo "o=\${{ ${i ? `steps.s${i - 1}.outputs.o` : 'github.event.comment.body'} }}" >> $GITHUB_OUTPUT\n`)}`, '.github/workflows/w.yml'],
  'GitHub: one job needing all others': [(n) => `on: pull_request_target\njobs:\n${each(n, (i) => `  j${i}:\n    runs-on: ubuntu-latest\n    outputs: {o: \${{ steps.s.outputs.o }}}\n    steps:\n      - id: s\n        run: echo "o=\${{ github.event.pull_request.title }}" >> $GITHUB_OUTPUT\n`)}  last:\n    runs-on: ubuntu-latest\n    needs: [${each(n, (i) => `j${i}, `)}j0]\n    steps:\n      - run: echo \${{ needs.j0.outputs.o }}\n`, '.github/workflows/w.yml'],
  'GitHub: merge keys on every job': [(n) => `on: push\njobs:\n${each(n, (i) => `  j${i}:\n    <<: ${i ? `*a${i - 1}` : '{runs-on: ubuntu-latest}'}\n    x${i}: &a${i}\n      runs-on: ubuntu-latest\n    steps:\n      - run: echo ${i}\n`)}`, '.github/workflows/w.yml'],
  'GitHub: a long script': [(n) => `on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n${each(n, (i) => `          if [ -n "$X${i}" ]; then curl -sSL https://x/${i} | bash; eval "$Y${i}"; fi\n`)}`, '.github/workflows/w.yml'],
  'GitHub: download-and-run sites on one quoted line': [(n) => `on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: "${each(n, (i) => `curl -sSL https://x/${i % 7}.sh | bash; `)}"\n`, '.github/workflows/w.yml'],
  'Jenkins: download-and-run sites in one sh string': [(n) => `pipeline {\n  agent any\n  stages {\n    stage('a') {\n      steps {\n        sh '''\n${each(n, (i) => `          curl -sSL https://x/${i % 7}.sh | bash\n`)}        '''\n      }\n    }\n  }\n}\n`, 'Jenkinsfile'],
  'GitHub: a variable built up from one expression': [(n) => `on: pull_request_target\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n${each(n, () => '          X="$X ${{ github.event.pull_request.title }}"\n')}          eval "$X"\n`, '.github/workflows/w.yml'],
  'GitHub: different expressions in one script': [(n) => `on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n${each(n, (i) => `          echo \${{ secrets.S${i} }}\n`)}`, '.github/workflows/w.yml'],
  'GitHub: outputs written from fixed values': [(n) => `on: push\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - id: s\n        run: |\n${each(n, (i) => `          echo "o${i}=\${{ github.sha }}" >> $GITHUB_OUTPUT\n`)}      - run: echo \${{ steps.s.outputs.o1 }}\n`, '.github/workflows/w.yml'],
  'GitLab: an extends chain': [(n) => `${each(n, (i) => `.t${i}:\n${i ? `  extends: .t${i - 1}\n` : '  image: alpine:3.19\n'}  variables:\n    V${i}: x\n`)}job:\n  extends: .t${n - 1}\n  script: [echo]\n`, '.gitlab-ci.yml'],
  'GitLab: jobs with !reference': [(n) => `.base:\n  script:\n    - echo base\n${each(n, (i) => `job${i}:\n  script:\n    - !reference [.base, script]\n    - echo $CI_COMMIT_MESSAGE\n`)}`, '.gitlab-ci.yml'],
  'Jenkins: parallel stages with credentials': [(n) => `pipeline {\n  agent any\n  stages {\n    stage('p') {\n      parallel {\n${each(n, (i) => `        stage('s${i}') {\n          environment { T${i} = credentials('c${i}') }\n          steps {\n            sh "echo \${T${i}}"\n          }\n        }\n`)}      }\n    }\n  }\n}\n`, 'Jenkinsfile'],
  'Dockerfile: stages each built on the last': [(n) => each(n, (i) => `FROM ${i ? `s${i - 1}` : 'alpine:3.19'} AS s${i}\nRUN echo ${i}\n`), 'Dockerfile'],
  'GitLab: a job extending every template at once': [(n) => `${each(n, (i) => `.t${i}:\n  variables: {V${i}: x}\n`)}job:\n  extends: [${each(n, (i) => `.t${i}, `)}.t0]\n  script: [echo]\n`, '.gitlab-ci.yml'],
  'GitLab: remote includes': [(n) => `include:\n${each(n, (i) => `  - remote: https://x/${i}.yml\n`)}job:\n  script: [echo]\n`, '.gitlab-ci.yml'],
  'Tekton: parameters differing only in case': [(n) => `apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps:\n    - image: alpine\n      script: |\n${each(n, (i) => `        echo "$(params.${[...'abcdefghijklmnop'].map((c, k) => ((i >> k) & 1 ? c.toUpperCase() : c)).join('')})"\n`)}`, 't.yaml'],
  'Tekton: task results passed on': [(n) => `apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: p\nspec:\n  params: [{name: x}]\n  tasks:\n${each(n, (i) => `    - name: t${i}\n      params:\n        - name: x\n          value: ${i ? `$(tasks.t${i - 1}.results.r)` : '$(params.x)'}\n      taskSpec:\n        params: [{name: x}]\n        results: [{name: r}]\n        steps:\n          - image: alpine\n            script: echo $(params.x) > $(results.r.path)\n`)}`, 'p.yaml'],
  'Tekton: webhook bindings, templates, tasks': [(n) => docs(n, (i) => `apiVersion: triggers.tekton.dev/v1beta1\nkind: TriggerBinding\nmetadata:\n  name: b${i}\nspec:\n  params:\n    - name: p${i}\n      value: $(body.x${i})\n`) + '---\n' + docs(n, (i) => `apiVersion: triggers.tekton.dev/v1beta1\nkind: TriggerTemplate\nmetadata:\n  name: t${i}\nspec:\n  resourcetemplates:\n    - apiVersion: tekton.dev/v1\n      kind: TaskRun\n      metadata: {generateName: r-}\n      spec:\n        taskRef: {name: task${i}}\n        params:\n          - name: x\n            value: $(tt.params.p${i})\n`) + '---\n' + docs(n, (i) => `apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: task${i}\nspec:\n  params: [{name: x}]\n  steps:\n    - image: alpine@${DIGEST}\n      script: echo $(params.x)\n`), 'k.yaml'],
  'Kubernetes: a List of runs with claims': [(n) => `apiVersion: v1\nkind: List\nitems:\n${each(n, (i) => `  - apiVersion: tekton.dev/v1\n    kind: TaskRun\n    metadata:\n      name: r${i}\n    spec:\n      taskRef: {name: t}\n      workspaces:\n        - name: src\n          persistentVolumeClaim: {claimName: c${i}}\n`)}`, 'list.yaml'],
  'Kubernetes: runs of one account, bindings per namespace': [(n) => docs(n, (i) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: b${i}\n  namespace: ns${i}\nsubjects:\n  - kind: ServiceAccount\n    name: builder\nroleRef:\n  kind: ClusterRole\n  name: edit\n`) + '---\n' + docs(n, (i) => `apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata:\n  name: r${i}\n  namespace: ns${i}\nspec:\n  pipelineRef: {name: p}\n  taskRunTemplate:\n    serviceAccountName: builder\n`), 'rbac.yaml'],
  'Argo: steps passing a result on': [(n) => `apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  generateName: w-\nspec:\n  entrypoint: main\n  arguments:\n    parameters: [{name: m}]\n  templates:\n    - name: main\n      steps:\n${each(n, (i) => `        - - name: s${i}\n            template: t\n            arguments:\n              parameters:\n                - name: m\n                  value: "${i ? `{{steps.s${i - 1}.outputs.result}}` : '{{workflow.parameters.m}}'}"\n`)}    - name: t\n      inputs:\n        parameters: [{name: m}]\n      script:\n        image: alpine\n        command: [sh]\n        source: echo "{{inputs.parameters.m}}"\n`, 'w.yaml'],
};

/** A shape flagged: its time grew this many times faster than its size. */
const FLAG = 1.5;

function main(): void {
  tuneV8ForScanning();
  const sizes = (process.env.SCALE_SIZES ?? '1000,4000').split(',').map(Number);
  const [small, large] = sizes as [number, number];
  if (sizes.length !== 2 || !sizes.every((n) => Number.isInteger(n) && n > 0) || small >= large) {
    process.stderr.write(`scale probe: SCALE_SIZES must be two whole numbers, the smaller first (got \`${process.env.SCALE_SIZES}\`)\n`);
    process.exit(2);
  }
  const options: ScanOptions = {
    rules: allRules, config: emptyConfig(), persona: 'auditor', minSeverity: 'info', minConfidence: 'low', cwd: '/', toolVersion: 'probe',
    onInternalError: (file, err) => process.stdout.write(`internal error in ${file}: ${(err as Error).message}\n`),
  };
  const scan = (text: string, rel: string): { ms: number; findings: number } => {
    const t0 = performance.now();
    const r = scanSource(new SourceFile(rel, text), rel, options);
    releaseFileScoped();
    return { ms: performance.now() - t0, findings: r.findings.length };
  };
  // One warm-up, so that the small size does not pay for compiling the scanner.
  scan(SHAPES['GitHub: a long script']![0](50), '.github/workflows/w.yml');
  process.stdout.write(`sizes ${small} and ${large}: a time growing more than ${FLAG} times faster than the input is flagged\n`);
  let flagged = 0;
  for (const [name, [make, rel]] of Object.entries(SHAPES)) {
    const [a, b] = [make(small), make(large)];
    const [ta, tb] = [scan(a, rel), scan(b, rel)];
    const growth = tb.ms / ta.ms / (b.length / a.length);
    if (growth > FLAG) flagged++;
    process.stdout.write(
      `${growth > FLAG ? 'FLAGGED' : 'linear '} ${name.padEnd(56)} ${(a.length / 1e3).toFixed(0).padStart(5)} kB ${ta.ms.toFixed(0).padStart(6)} ms | ${(b.length / 1e3).toFixed(0).padStart(5)} kB ${tb.ms.toFixed(0).padStart(6)} ms, ${tb.findings} findings | growth ${growth.toFixed(2)}\n`,
    );
  }
  process.stdout.write(`${flagged} of ${Object.keys(SHAPES).length} shapes flagged\n`);
}

main();
