import { yamlOf } from '../platforms/kube/security.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'dependabot-cooldown',
    title: 'Dependabot updates without a cooldown',
    severity: 'medium',
    confidence: 'high',
    owasp: 'CICD-SEC-3',
    platforms: ['dependabot'],
    fixable: false,
    docs: {
      description:
        'Compromised package versions are usually found and pulled within days. Without a `cooldown`, Dependabot proposes a new version the hour it is published, and a hurried merge ships the compromise.',
      bad: 'updates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: daily',
      good: 'updates:\n  - package-ecosystem: npm\n    directory: /\n    schedule:\n      interval: daily\n    cooldown:\n      default-days: 7',
      remedy: 'Add `cooldown: default-days: 7` (or more) to each update entry; security updates are not delayed by it.',
    },
  },
  check({ pipeline, report }) {
    const y = yamlOf(pipeline);
    for (const job of pipeline.jobs) {
      const cooldown = y.get(job.node, 'cooldown');
      if (cooldown) {
        const days = Number(y.str(y.get(cooldown, 'default-days')) ?? NaN);
        if (!Number.isNaN(days) && days < 1) report({ span: y.span(cooldown), message: `updates for \`${job.id.value}\` have a cooldown of ${days} days` });
        continue;
      }
      report({ span: job.id.span, message: `updates for \`${job.id.value}\` have no cooldown: new versions are proposed as soon as they are published` });
    }
  },
});
