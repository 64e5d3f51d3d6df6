import type { Script, ShellKind } from '../../model/pipeline.js';

export interface CodeInput {
  name: string;
  kind: Script['kind'];
  shell: ShellKind;
}

/**
 * Action inputs that the action runs as code, so a `${{ }}` in them is
 * injected into a program just as in `run:`. Keys are lower-case `owner/repo`.
 */
const CODE_INPUTS: Record<string, CodeInput[]> = {
  'actions/github-script': [{ name: 'script', kind: 'github-script', shell: 'javascript' }],
  'azure/cli': [{ name: 'inlineScript', kind: 'input', shell: 'bash' }],
  'azure/powershell': [{ name: 'inlineScript', kind: 'input', shell: 'pwsh' }],
  'appleboy/ssh-action': [{ name: 'script', kind: 'input', shell: 'bash' }],
  'nick-fields/retry': [{ name: 'command', kind: 'input', shell: 'bash' }],
  'nick-invision/retry': [{ name: 'command', kind: 'input', shell: 'bash' }],
  'wandalen/wretry.action': [{ name: 'command', kind: 'input', shell: 'bash' }],
  'mathiasvr/command-output': [{ name: 'run', kind: 'input', shell: 'bash' }],
  'addnab/docker-run-action': [{ name: 'run', kind: 'input', shell: 'sh' }],
};

export function codeInputsOf(actionKey: string | undefined): CodeInput[] {
  return (actionKey && CODE_INPUTS[actionKey]) || [];
}
