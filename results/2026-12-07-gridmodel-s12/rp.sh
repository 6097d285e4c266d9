#!/bin/bash
# rp.sh NAME [EXPERIMENTS_JAR_OR_CLASSES] [SESSIONS...]: replays the grids under $GRIDS (default /work/gm2/grids) with main's build
# (or with the given experiments build first on the classpath), keeps DIR/replay-NAME, prints the new model's counts
name=$1; shift; exp=${1:-}; shift || true
sessions=${*:-s7 s8 s9 s10 s11 s12}
cp="/work/main/cli/target/cli-0.1.0-SNAPSHOT.jar:$(cat /work/main/cli/target/classpath.txt)"
[ -n "$exp" ] && cp="$exp:$cp"
for s in $sessions; do
  d=${GRIDS:-/work/gm2/grids}/$s
  [ -f $d/e5_grid_inputs.csv ] || continue
  line=$(cd ${REPO:-/work/wt-gridmodel2} && nice -n 10 java $JOPTS -Xmx1g --add-modules jdk.incubator.vector -Djava.awt.headless=true \
    -Djava.util.logging.config.file=/work/main/cli/logging.properties -cp "$cp" io.edgepipe.cli.Main bench experiments \
    --replay-grid $d 2>&1 | grep "^new model")
  rm -rf $d/replay-$name; mv $d/replay $d/replay-$name
  echo "$s $(echo "$line" | sed 's/(aim [0-9]*%)//g; s/new model: //')"
done
