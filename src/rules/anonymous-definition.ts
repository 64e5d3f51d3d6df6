import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'anonymous-definition',
    title: 'Workflow without a name',
    severity: 'info',
    confidence: 'high',
    platforms: ['gha'],
    fixable: false,
    persona: 'pedantic',
    docs: {
      description:
        'A workflow without `name:` is shown by its file path in the UI, in required-check settings and in audit logs, which makes it easy to confuse runs when reviewing who ran what.',
      bad: 'on: push\njobs: …',
      good: 'name: Release\non: push\njobs: …',
      remedy: 'Give the workflow a descriptive `name:`.',
    },
  },
  check({ pipeline, report }) {
    if (pipeline.kind !== 'workflow' && pipeline.kind !== 'reusable-workflow') return;
    if (pipeline.name) return;
    report({ span: pipeline.file.lineSpan(1), message: 'the workflow has no `name:`' });
  },
});
