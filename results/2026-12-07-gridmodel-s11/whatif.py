#!/usr/bin/env python3
"""What-if inputs (leaky, for an estimate only): copies sN's grid into sN-whatif with visits
rx|ESSS|LINK standing in for the calibration visits session 11's schedule adds, taken from the
grid's own ESSS points at 2 cores (the same condition: ESSS unthrottled at LINK), the repeat with
the median fps. Those 4 points per session (2 sizes x 10/100 Mbit) are then predicted from themselves."""
import csv, os, shutil, sys
import os
BASE = os.environ.get('GRIDS', '/work/gridmodel-data')  # one folder per session (s7..s10), see README.md
for s in sys.argv[1:]:
    src, dst = f'{BASE}/{s}', f'{BASE}/{s}-whatif'
    os.makedirs(dst, exist_ok=True)
    for f in ('e5_grid.csv', 'meta.csv'):
        shutil.copy(os.path.join(src, f), dst)
    rows = list(csv.reader(open(os.path.join(src, 'e5_grid_inputs.csv'))))
    g = list(csv.DictReader(open(os.path.join(src, 'e4_grid.csv'))))
    out = [rows[0]]
    for side in sorted({r[0] for r in rows[1:]}, key=int):
        body = [r for r in rows[1:] if r[0] == side]
        extra = []
        for link in ('10mbit', '100mbit'):
            rr = sorted([r for r in g if r['side'] == side and r['placement'] == 'ESSS' and r['edge_cpu'] == '2.0'
                         and r['link'] == link], key=lambda r: float(r['fps']))
            m = rr[len(rr) // 2]
            extra.append([side, 'visit', f'rx|ESSS|{link}', '-', '-', m['fps'], m['edge_cores_used'], m['server_cores_used'], '-'])
        host = [r for r in body if r[1] == 'host']
        out += [r for r in body if r[1] != 'host'] + extra + host
    csv.writer(open(os.path.join(dst, 'e5_grid_inputs.csv'), 'w', newline='')).writerows(out)
    print(dst)
