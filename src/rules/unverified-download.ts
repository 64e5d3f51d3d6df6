import { dockerInfo } from '../platforms/docker/build.js';
import { defineRule } from './types.js';

export default defineRule({
  meta: {
    id: 'unverified-download',
    title: 'Remote file added to an image without a checksum',
    severity: 'medium',
    confidence: 'high',
    owasp: 'CICD-SEC-3',
    platforms: ['docker'],
    fixable: false,
    docs: {
      description:
        '`ADD https://…` copies whatever the server returns at build time into the image. Without `--checksum=sha256:…` nothing checks that it is the file you reviewed; a compromised server or a man in the middle changes your image.',
      bad: 'ADD https://example.com/tool.tar.gz /opt/',
      good: 'ADD --checksum=sha256:<digest> https://example.com/tool.tar.gz /opt/',
      remedy: 'Add `--checksum=sha256:<digest>` to remote `ADD` (git sources: pin a commit with `#<sha>` and `--keep-git-dir` off), or download and verify in a `RUN`.',
    },
  },
  check({ pipeline, report }) {
    for (const stage of dockerInfo(pipeline)?.stages ?? []) {
      for (const add of stage.adds) {
        if (add.checksum) continue;
        if (add.kind === 'git' && /#[0-9a-f]{40}\b/.test(add.url.value)) continue;
        report({ span: add.url.span, message: `\`ADD ${add.url.value}\` downloads without verifying a checksum` });
      }
    }
  },
});
