#!/usr/bin/env python3
"""Per sweep CSV: per link, predicted pick vs measured best (median of repeats), fps errors over all rows."""
import csv, sys, statistics as st
from collections import defaultdict, OrderedDict
def evaluate(path, label=None, quiet=False):
    rows = list(csv.DictReader(open(path)))
    bylink = OrderedDict()
    for r in rows:
        bylink.setdefault(r['link'], []).append(r)
    out = []
    for link, rs in bylink.items():
        meas = defaultdict(list); pred = {}
        errs = []
        for r in rs:
            c = int(r['cut']); m = float(r['meas_fps']); p = float(r['pred_fps'])
            meas[c].append(m); pred[c] = p
            if m > 0: errs.append((p - m) / m * 100)
        med = {c: st.median(v) for c, v in meas.items()}
        best = max(med, key=med.get)
        pick = max(pred, key=pred.get)
        ok = med[pick] >= 0.9 * med[best]
        mae = st.mean(abs(e) for e in errs); w15 = sum(abs(e) <= 15 for e in errs)
        out.append((link, pick, round(pred[pick],1), round(med[pick],1), best, round(med[best],1), ok, round(mae,1), w15, len(errs)))
    if not quiet:
        print('==', label or path)
        for o in out:
            print('  %-8s pick %3d (pred %6.1f meas %6.1f) best %3d (%6.1f) %-5s | mean|err| %5.1f%% within15 %d/%d' % o)
    return out
if __name__ == '__main__':
    for p in sys.argv[1:]:
        evaluate(p)
