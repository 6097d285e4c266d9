#!/usr/bin/env python3
"""Cross-session error table of replayed grids: per point (side, cpu, link, placement) the fps error
of the replay's prediction in each session, whether the prediction lies in the repeats' range, and a
verdict: SYSTEMATIC (same sign in every session, |err| > 15% in at least 2), same sign (every
session, smaller), noise (the sign flips and |err| > 15% somewhere); then the mean signed error per
placement x edge cores in each session (a session-level bias shows as one sign across a row)."""
import csv, sys, os
base = sys.argv[1] if len(sys.argv) > 1 else '/work/gridmodel-data'  # one folder per session (s7..s10)
sub = sys.argv[2] if len(sys.argv) > 2 else 'replay'  # the replay's folder inside it
suffix = sys.argv[3] if len(sys.argv) > 3 else ''  # after the session's name: '-whatif' for whatif.py's copies
sessions = sys.argv[4].split(',') if len(sys.argv) > 4 else ['s7', 's8', 's9', 's10']  # e.g. s7,s8,s9,s10,s11,s12
data = {}
for s in sessions:
    f = os.path.join(base, s + suffix, sub, 'e5_grid.csv')
    for r in csv.DictReader(open(f)):
        k = (int(r['side']), float(r['edge_cpu']), r['link'], r['placement'])
        fps, lo, hi, pred = (float(r[c]) for c in ('fps', 'fps_min', 'fps_max', 'pred_fps'))
        data.setdefault(k, {})[s] = (100 * (pred / fps - 1), lo <= pred <= hi, (hi - lo) / fps * 100, pred, fps)
order = {'10mbit': 0, '100mbit': 1, '1gbit': 2}
pl = {'SSSS': 0, 'ESSS': 1, 'EESS': 2, 'EEES': 3, 'EEEE': 4}
counts = {s: 0 for s in sessions}
sysn = 0
print(f"{'side':>4} {'cpu':>4} {'link':>7} {'pl':4} | " + ' | '.join(f'{s:>14}' for s in sessions) + ' | verdict')
for k in sorted(data, key=lambda k: (k[0], pl[k[3]], k[1], order[k[2]])):
    v = data[k]
    errs = [v[s][0] for s in sessions if s in v]
    for s in sessions:
        if s in v and abs(v[s][0]) <= 15:
            counts[s] += 1
    same = all(e > 0 for e in errs) or all(e < 0 for e in errs)
    big = sum(abs(e) > 15 for e in errs)
    sign = 'over' if errs[0] > 0 else 'under'
    verdict = ('SYSTEMATIC ' + sign if big >= 2 else 'same sign, ' + sign) if same and len(errs) == len(sessions) \
        else ('noise' if big else '')
    sysn += verdict.startswith('SYS')
    cells = ' | '.join((f"{v[s][0]:+6.1f}{'*' if v[s][1] else ' '}({v[s][2]:4.0f})" if s in v else ' ' * 14) for s in sessions)
    print(f'{k[0]:4} {k[1]:4} {k[2]:>7} {k[3]} | {cells} | {verdict}')
print('within 15%:', counts, 'systematic points:', sysn)
# session-level bias: mean signed error per placement x edge cores (both sizes, all links) in each session
print('\nmean signed error % per placement x edge cores (both sizes, three links):')
for p in pl:
    for cpu in (0.25, 0.5, 2.0):
        ks = [k for k in data if k[3] == p and k[1] == cpu]
        cells = ' '.join(f"{s}:{sum(data[k][s][0] for k in ks) / len(ks):+6.1f}" for s in sessions)
        print(f'  {p} {cpu:4}  {cells}')
print('cell: error % of prediction vs median, * = prediction inside the repeats range, (range as % of median)')
