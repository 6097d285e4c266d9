#!/usr/bin/env python3
"""misses.py GRID SUB LOGDIR: points of GRID/SUB/e5_grid.csv out of 15%, with the repeats (e4_grid.csv),
whether the prediction is inside their range, and per repeat the JIT CPU in its window (schedule.log)
and whether it was measured again."""
import csv, sys, re, os
g, sub, logs = sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None
jit = {}; again = {}
if logs:
    for side in (256, 512):
        f = f'{logs}/grid-{side}-edge/schedule.log'
        if not os.path.exists(f): continue
        for line in open(f):
            m = re.search(r'step (thr\|[^ ]+) JIT compile CPU: edge ([\d.]+) s, server ([\d.]+) s in its first \d+ s; edge ([\d.]+) s, server ([\d.]+) s in its window', line)
            if m: jit.setdefault((side, m.group(1)), []).append(f'{m.group(4)}/{m.group(5)}')
            m = re.search(r'step (thr\|[^ :]+): the JIT used ([\d.]+)%', line)
            if m: again.setdefault((side, m.group(1)), []).append(m.group(2))
reps = {}
for r in csv.DictReader(open(f'{g}/e4_grid.csv')):
    if r['placement'] == 'SSSS': reps.setdefault(('SSSS', r['side']), []).append(r); continue
    reps.setdefault((r['side'], float(r['edge_cpu']), r['link'], r['placement']), []).append(r)
n = 0
for r in csv.DictReader(open(f'{g}/{sub}/e5_grid.csv')):
    e = float(r['fps_err_pct'])
    if abs(e) <= 15: continue
    n += 1
    pred, lo, hi = float(r['pred_fps']), float(r['fps_min']), float(r['fps_max'])
    k = (r['side'], float(r['edge_cpu']), r['link'], r['placement'])
    cells = []
    for x in (reps.get(('SSSS', r['side']), []) if r['placement'] == 'SSSS' else reps.get(k, [])):
        cpu = x['edge_cpu'] if x['edge_cpu'] != '-' else None
        lab = f"thr|{float(x['edge_cpu'])}|{x['link']}|{x['placement']}|{int(x['repeat'])-1}" if cpu else None
        j = jit.get((int(r['side']), lab), []) if lab else []
        a = again.get((int(r['side']), lab), []) if lab else []
        ec = x['edge_cores_used']
        cpf = f"{float(ec)/float(x['fps'])*1e3:.2f}ms" if ec not in ('-', '') and float(x['fps']) > 0 else ''
        cells.append(f"{float(x['fps']):.1f}{'['+cpf+']' if cpf else ''}{' jit '+','.join(j) if j else ''}{' AGAIN '+','.join(a) if a else ''}")
    print(f"{r['side']} {r['edge_cpu']:>5} {r['link']:>7} {r['placement']} pred {pred:7.1f} meas {float(r['fps']):7.1f} "
          f"[{lo}-{hi}] err {e:+.1f}{' inside' if lo <= pred <= hi else ''} ({r['pred_limit'][:30]}) | " + ' ; '.join(cells))
print('misses:', n)
