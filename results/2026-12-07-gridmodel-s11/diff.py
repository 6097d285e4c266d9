#!/usr/bin/env python3
"""Points whose within-15% verdict differs between two replays (A B), per session."""
import csv, sys
import os
BASE = os.environ.get('GRIDS', '/work/gridmodel-data')  # one folder per session (s7..s10), see README.md
a, b = sys.argv[1], sys.argv[2]
for s in ['s7', 's8', 's9', 's10']:
    A = list(csv.DictReader(open(f'{BASE}/{s}/replay-{a}/e5_grid.csv')))
    B = list(csv.DictReader(open(f'{BASE}/{s}/replay-{b}/e5_grid.csv')))
    gain = loss = 0; lines = []
    for x, y in zip(A, B):
        ea, eb = float(x['fps_err_pct']), float(y['fps_err_pct'])
        if (abs(ea) <= 15) != (abs(eb) <= 15) or (len(sys.argv) > 3 and abs(ea - eb) > 0.5):
            tag = '+' if abs(eb) <= 15 < abs(ea) else ('-' if abs(ea) <= 15 < abs(eb) else ' ')
            gain += tag == '+'; loss += tag == '-'
            leak = 'LEAK' if x['placement'] == 'ESSS' and x['edge_cpu'].startswith('2') and x['link'] != '1gbit' else '    '
            lines.append(f"  {tag} {leak} {x['side']} {x['edge_cpu']} {x['link']:>7} {x['placement']} meas {x['fps']:>6} [{x['fps_min']}-{x['fps_max']}] {a} {x['pred_fps']:>7} ({ea:+.1f}) {b} {float(y['pred_fps']):7.1f} ({eb:+.1f})")
    print(f'{s}: +{gain} -{loss}'); print('\n'.join(lines))
