import csv, statistics as st, re, os
G=os.environ.get('GRIDS', '/work/gm2/grids')
print("grid EEEE ms/frame (median of 9 repeats x links) / throttled visits' median; 2 cores / least cal")
for s in ['s8','s9','s10','s11','s12']:
    vis={}
    for r in csv.DictReader(open(f'{G}/{s}/e5_grid_inputs.csv')):
        if r['kind']=='visit': vis[(int(r['side']),r['name'])]=(float(r['a']),float(r['b']) if r['b']!='-' else 0)
    out=[]
    for side in (256,512):
        thr=st.median(v[1]/v[0]*1e3 for (sd,n),v in vis.items() if sd==side and n.startswith('throttled'))
        cal=min(v[1]/v[0]*1e3 for (sd,n),v in vis.items() if sd==side and n.startswith('cal|EEEE'))
        g={}
        for r in csv.DictReader(open(f'{G}/{s}/e4_grid.csv')):
            if r['placement']=='EEEE' and int(r['side'])==side:
                g.setdefault(float(r['edge_cpu']),[]).append(float(r['edge_cores_used'])/float(r['fps'])*1e3)
        out.append(f"{side}: thr {thr:.2f} 0.25 x{st.median(g[0.25])/thr:.2f} 0.5 x{st.median(g[0.5])/thr:.2f} | cal {cal:.2f} 2.0 x{st.median(g[2.0])/cal:.2f} | thr/cal {thr/cal:.2f} grid 0.25/0.5 {st.median(g[0.25])/st.median(g[0.5]):.2f}")
    print(s, ' || '.join(out))
