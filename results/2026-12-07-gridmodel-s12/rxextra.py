import os
import csv, statistics as st
G=os.environ.get('GRIDS', '/work/gm2/grids')
for s in ['s11','s12']:
    vis={}
    for r in csv.DictReader(open(f'{G}/{s}/e5_grid_inputs.csv')):
        if r['kind']=='visit': vis[(int(r['side']),r['name'])]=tuple(float(r[c]) if r[c]!='-' else 0 for c in 'abc')
    for side in (256,512):
        idle=min((v for (sd,n),v in vis.items() if sd==side and n.startswith('idle')), key=lambda v:v[1]+v[2])
        pf=lambda v,i: (v[i]-idle[i])/v[0]*1e3
        cal={n:v for (sd,n),v in vis.items() if sd==side and n.startswith('cal|ESSS|')}
        least=min(cal.values(), key=lambda v:v[1]/v[0]); pre=min((v for n,v in cal.items() if not n.endswith('late')), key=lambda v:v[1]/v[0])
        g={}
        for r in csv.DictReader(open(f'{G}/{s}/e4_grid.csv')):
            if r['placement']=='ESSS' and int(r['side'])==side:
                g.setdefault((float(r['edge_cpu']),r['link']),[]).append(((float(r['edge_cores_used'])-idle[1])/float(r['fps'])*1e3,(float(r['server_cores_used'])-idle[2])/float(r['fps'])*1e3))
        for link in ('100mbit','10mbit'):
            rx=vis[(side,'rx|ESSS|'+link)]
            for i,node in ((1,'edge'),(2,'server')):
                gx=[st.median(x[i-1] for x in g[(c,link)])-st.median(x[i-1] for x in g[(c,'1gbit')]) for c in (2.0,0.25)]
                print(f"{s} {side} {link:7} {node:6} rx {pf(rx,i):.2f} least {pf(least,i):.2f} pre {pf(pre,i):.2f} -> extra vs least {pf(rx,i)-pf(least,i):.2f} vs pre {pf(rx,i)-pf(pre,i):.2f} | grid extra 2c {gx[0]:.2f} 0.25c {gx[1]:.2f}")
