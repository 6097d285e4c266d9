#!/usr/bin/env python3
"""Diagnosis only (uses grid points): each node's CPU per frame at a slow link beyond the same
placement's at 1 Gbit (2 cores, the quota not binding), against the TCP segments it sends and
receives per frame over the link; least squares fit extra = a*recv + b*sent per link."""
import csv, statistics as st, math
import os
BASE = os.environ.get('GRIDS', '/work/gridmodel-data')  # one folder per session (s7..s10), see README.md
HOPS = {256: [65536, 262144, 262144, 65536], 512: [262144, 1048576, 1048576, 262144]}
PL = ['ESSS', 'EESS', 'EEES']
def segs(b): return math.ceil(b / 1448)
rows = []
for s in ['s7', 's8', 's9', 's10']:
    g = list(csv.DictReader(open(f'{BASE}/{s}/e4_grid.csv')))
    for side in (256, 512):
        for k, pl in enumerate(PL, start=1):
            up = segs(HOPS[side][k - 1]); down = segs(HOPS[side][3])
            def med(link, col):
                rr = [r for r in g if r['placement'] == pl and int(r['side']) == side and r['edge_cpu'] == '2.0' and r['link'] == link]
                return st.median([float(r[col]) / float(r['fps']) * 1e3 for r in rr])
            for link in ['10mbit', '100mbit']:
                ee = med(link, 'edge_cores_used') - med('1gbit', 'edge_cores_used')
                es = med(link, 'server_cores_used') - med('1gbit', 'server_cores_used')
                rows.append((s, side, pl, link, 'edge', down, up, ee))
                rows.append((s, side, pl, link, 'server', up, down, es))
for link in ['10mbit', '100mbit']:
    R = [r for r in rows if r[3] == link and r[0] != 's7']
    # 2x2 normal equations for extra = a*recv + b*sent
    sxx = sum(r[5] ** 2 for r in R); syy = sum(r[6] ** 2 for r in R); sxy = sum(r[5] * r[6] for r in R)
    sxz = sum(r[5] * r[7] for r in R); syz = sum(r[6] * r[7] for r in R)
    det = sxx * syy - sxy ** 2
    a = (sxz * syy - syz * sxy) / det; b = (syz * sxx - sxz * sxy) / det
    a1 = sxz / sxx
    print(f'{link} (s8-s10): extra ms = {a*1e3:.1f} us x recv segs + {b*1e3:.1f} us x sent segs; recv only: {a1*1e3:.1f} us/seg')
for r in rows:
    print(*r[:5], f'recv {r[5]:4} sent {r[6]:4} extra {r[7]:6.2f} ms = {r[7]/r[5]*1e3:5.1f} us/recv seg')
