import { test } from 'node:test';
import assert from 'node:assert/strict';
import rule, { remoteExecLines } from '../../src/rules/unverified-script-exec.js';
import { ruleTester, yaml } from '../helpers/rule-tester.js';

ruleTester(rule, {
  valid: [
    { name: 'download, verify, run; and curl into jq', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: |
                curl -sSLo install.sh https://example.com/install.sh
                echo "abc  install.sh" | sha256sum -c -
                bash install.sh
                curl -s https://api.github.com/repos/x/y | jq .name
                curl -s https://api.github.com/repos/x/y | python3 -c "import sys, json; print(json.load(sys.stdin)['name'])"
                # curl https://x | sh  (a comment)
                echo "to install: curl https://x | sh"
                curl -fsSLo- https://x > /dev/null | sh -c 'cat > f'
                wget https://x/i.sh | bash
                curl https://x | bash ./local-script.sh
    ` },
  ],
  invalid: [
    { name: 'a site on the last line of a script with no line break after it is quoted whole', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: "echo hi\\ncurl -sSL https://example.com/i.sh | bash"
    `, findings: [{ line: 6, message: /^`curl -sSL https:\/\/example\.com\/i\.sh \| bash` runs a downloaded script/ }] },
    { name: 'curl | bash, wget -O- | sudo sh, bash <(curl), continuation lines', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: |
                curl -fsSL https://get.example.com | bash
                wget -qO- https://x.example/i.sh | sudo -E sh
                bash <(curl -s https://x.example/i.sh)
                curl -fsSL \\
                  https://x.example/i.sh | sh -s -- --yes
                curl -fsSL https://get.example.com | bash
    `, findings: [
      { line: 7, column: 11, severity: 'high' },
      { line: 8, column: 11 },
      { line: 9, column: 11 },
      { line: 10, column: 11 },
      { line: 12, column: 11 },
    ] },
    { name: 'eval, sh -c, source <(…), here-strings, env before sh, code given to docker exec', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: |
                eval "$(curl -fsSL https://x.example/env)"
                sh -c "$(wget -qO- https://x.example/i.sh)"
                source <(curl -s https://x.example/lib.sh)
                bash <<< "$(curl -s https://x.example/i.sh)"
                curl -sfL https://get.k3s.io | INSTALL_K3S_VERSION=v1 sh -
                if true; then curl -s https://x | sudo bash /dev/stdin 1.2; fi
                docker exec c /bin/bash -c '
                  curl -sL https://aka.ms/x | bash
                '
    `, findings: [{ line: 7, column: 11 }, { line: 8 }, { line: 9 }, { line: 10 }, { line: 11 }, { line: 12, column: 25 }, { line: 14, column: 13 }] },
  ],
});

test('PowerShell iex over a download', () => {
  assert.equal(remoteExecLines("iex ((New-Object Net.WebClient).DownloadString('https://x/y.ps1'))").length, 1);
  assert.equal(remoteExecLines('Invoke-Expression (Invoke-WebRequest https://x/y.ps1)').length, 1);
  assert.equal(remoteExecLines('Invoke-WebRequest https://x/y.ps1 -OutFile y.ps1').length, 0);
});

// The shell parse is skipped for scripts that name no downloader (see mayContainWord): names split by quoting
// still count, PowerShell is read line by line as before, and a script with no downloader stays silent.
ruleTester(rule, {
  valid: [
    { name: 'no downloader named', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: |
                npm ci
                echo "run it with sh" | tee notes.txt
    ` },
  ],
  invalid: [
    { name: 'a downloader split by quotes, and iwr | iex in PowerShell', code: yaml`
      on: push
      jobs:
        a:
          runs-on: ubuntu-latest
          steps:
            - run: |
                c'u'rl -fsSL https://get.example.com | bash
            - run: iwr https://get.example.com/i.ps1 | iex
              shell: pwsh
    `, findings: [{ line: 7, column: 11 }, { line: 8 }] },
  ],
});
