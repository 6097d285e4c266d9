#!/usr/bin/env python3
"""Replays sweeps with --report-only on copies under /tmp/cut2/replay/VARIANT.
usage: replay2.py VARIANT  (env PIPE: pipeline binary; REPO: checkout with results/ and pipelines/; JOPTS)
Sweeps: s10-rep (own quiet s10 profile) and the kept quiet sweeps with the s10 quiet profile in place of theirs."""
import json, os, shutil, subprocess, sys
sys.path.insert(0, '/work/main/results/2026-12-07-model-cuts-s10-settled-loaded')
from eval import evaluate
REPO = os.environ.get('REPO', '/work/wt-cutserver2')
DATA = '/work/main/results'
PROF = DATA + '/2026-12-07-model-cuts-s10-profile'
SWEEPS = [('2026-12-07-model-cuts-s10-rep', 'blazeface', 'BF s10-rep', False),
          ('2026-12-06-model-cuts-quiet-s9-rep', 'blazeface', 'BF s9-rep', True),
          ('2026-12-06-model-cuts-quiet-s9', 'blazeface', 'BF s9', True),
          ('2026-12-06-model-cuts-quiet', 'blazeface', 'BF s7', True),
          ('2026-12-07-model-cuts-s10-rep', 'ppocr-cls', 'cls s10-rep', False),
          ('2026-12-06-model-cuts-quiet-s9-clsrep', 'ppocr-cls', 'cls s9-rep', True),
          ('2026-12-06-model-cuts-quiet', 'ppocr-cls', 'cls s7', True)]

def run(variant):
    out = f'/tmp/cut2/replay/{variant}'
    res = {}
    for folder, model, label, fresh in SWEEPS:
        d = f'{out}/{folder}'
        os.makedirs(d, exist_ok=True)
        for suffix in ['-cuts.csv', '-profile.json', '-report.md']:
            src = f'{DATA}/{folder}/{model}{suffix}'
            if os.path.exists(src):
                shutil.copy(src, f'{d}/{model}{suffix}')
        if fresh and not os.environ.get('KEEP'):
            shutil.copy(f'{PROF}/{model}-profile.json', f'{d}/{model}-profile.json')
        env = dict(os.environ, EDGEPIPE_JAVA_OPTS=os.environ.get("JOPTS", "-Xmx1g"))
        r = subprocess.run([os.environ.get('PIPE', f'{REPO}/pipeline'), 'bench', 'model-cuts', '--spec',
                            f'{REPO}/pipelines/{model}.yaml', '--report-only', '--out', out, '--name', folder],
                           env=env, capture_output=True, text=True)
        if r.returncode != 0:
            print(r.stdout[-2000:], r.stderr[-2000:]); raise SystemExit(1)
        res[label] = evaluate(f'{d}/{model}-cuts.csv', label)
    return res

if __name__ == '__main__':
    run(sys.argv[1])
