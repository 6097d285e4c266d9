#!/usr/bin/env python3
"""Replays the kept quiet sweeps with --report-only on copies, a profile variant per run.
usage: replay.py VARIANT [fresh-bf-profile fresh-cls-profile [full|hybrid]]
env: REPO (the checkout whose ./pipeline runs and whose results/ hold the kept sweeps; default /work/main),
JOPTS (EDGEPIPE_JAVA_OPTS). Writes only under /tmp/cutserver/replay/VARIANT (copies)."""
import json, os, shutil, subprocess, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from eval import evaluate
WT = os.environ.get('REPO', '/work/main')
MAIN = WT + '/results'
SWEEPS = [('2026-12-06-model-cuts-quiet-s9-rep', 'blazeface', 'BF s9-rep'),
          ('2026-12-06-model-cuts-quiet-s9', 'blazeface', 'BF s9'),
          ('2026-12-06-model-cuts-quiet', 'blazeface', 'BF s7'),
          ('2026-12-06-model-cuts-quiet-s9-clsrep', 'ppocr-cls', 'cls s9-rep'),
          ('2026-12-06-model-cuts-quiet', 'ppocr-cls', 'cls s7')]

def hybrid(kept, fresh):
    """kept profile with each tier's layers scaled to the fresh profile's whole-model median, and its whole figures."""
    k = json.loads(json.dumps(kept))
    whole = {w['tier']: w for w in fresh.get('wholeModel', [])}
    sums = {}
    for c in k['compute']:
        sums[c['tier']] = sums.get(c['tier'], 0) + c['medianMs']
    for c in k['compute']:
        w = whole.get(c['tier'])
        if w and sums[c['tier']] > 0:
            f = w['medianMs'] / sums[c['tier']]
            c['medianMs'] *= f; c['p95Ms'] *= f
    k['wholeModel'] = list(whole.values())
    return k

def run(variant, fresh=None, mode='hybrid', jopts='-Xmx1g', quiet=False):
    out = f'/tmp/cutserver/replay/{variant}'
    res = {}
    for folder, model, label in SWEEPS:
        d = f'{out}/{folder}'
        os.makedirs(d, exist_ok=True)
        for suffix in ['-cuts.csv', '-profile.json', '-report.md']:
            shutil.copy(f'{MAIN}/{folder}/{model}{suffix}', f'{d}/{model}{suffix}')
        if fresh:
            kept = json.load(open(f'{d}/{model}-profile.json'))
            fp = json.load(open(fresh[model]))
            prof = hybrid(kept, fp) if mode == 'hybrid' else fp
            json.dump(prof, open(f'{d}/{model}-profile.json', 'w'), indent=2)
        env = dict(os.environ, EDGEPIPE_JAVA_OPTS=jopts)
        r = subprocess.run([os.environ.get('PIPE', f'{WT}/pipeline'), 'bench', 'model-cuts', '--spec', f'{WT}/pipelines/{model}.yaml',
                            '--report-only', '--out', out, '--name', folder], env=env, capture_output=True, text=True)
        if r.returncode != 0:
            print(r.stdout[-2000:], r.stderr[-2000:]); raise SystemExit(1)
        res[label] = evaluate(f'{d}/{model}-cuts.csv', label, quiet=quiet)
    return res

if __name__ == '__main__':
    v = sys.argv[1]
    fresh = {'blazeface': sys.argv[2], 'ppocr-cls': sys.argv[3]} if len(sys.argv) > 3 else None
    mode = sys.argv[4] if len(sys.argv) > 4 else 'hybrid'
    run(v, fresh, mode, os.environ.get('JOPTS', '-Xmx1g'))
