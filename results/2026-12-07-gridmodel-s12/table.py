#!/usr/bin/env python3
"""The cross-session error table of session 11's analysis (../2026-12-07-gridmodel-s11/table.py) over
the six kept grids s7-s12: table.py GRIDS [SUB]."""
import os, subprocess, sys
here = os.path.dirname(os.path.abspath(__file__))
base = sys.argv[1] if len(sys.argv) > 1 else os.environ.get('GRIDS', '/work/gm2/grids')
sub = sys.argv[2] if len(sys.argv) > 2 else 'replay'
script = os.path.join(here, '..', '2026-12-07-gridmodel-s11', 'table.py')
sys.exit(subprocess.call([sys.executable, script, base, sub, '', 's7,s8,s9,s10,s11,s12']))
