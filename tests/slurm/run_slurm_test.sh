#!/usr/bin/env bash
# The `slurm` launcher for real: a private single-node Slurm cluster on this machine.
#
#   tests/slurm/run_slurm_test.sh [--wfc PATH] [--keep]      (as root; WFC=PATH works too)
#
# 1. installs slurm-wlm and munge (Debian 12) if they are missing (apt-get, idempotent);
# 2. writes a minimal single-node slurm.conf into a private directory (this host, `nproc`
#    CPUs, free ports, pid/log/spool/state files and the munge socket all in that directory,
#    so nothing in /etc is used or changed; SLURM_CONF points the clients at it), makes a munge
#    key and starts munged, slurmctld and slurmd in the background (as root, SlurmUser=root),
#    then waits until `sinfo` shows the node idle;
# 3. runs `salloc -n 2 wfc run app.wf --launcher slurm --workers 2`, where app.wf has a serial
#    map and mpi(ranks=2) tasks, and checks output, exit status and the debug log;
# 4. cancels what is left in the queue, stops the daemons it started (by pid), ends any step
#    process still running from its directory, and removes the directory (kept on failure or
#    with --keep).
#
# MPI: the workers call MPI_Init under `srun`, so srun's MPI plugin must wire up Debian's Open
# MPI 4.1.4, which is built against the external PMIx (4.2) and has no PMI-1/PMI-2 support:
# only `pmix` works (MpiDefault=pmix here); with `none` or `pmi2` MPI_Init aborts ("OMPI was
# not built with SLURM's PMI support"). WF_SLURM_MPI=none|pmi2 sets another MpiDefault, to see.
#
# Exit status: 0 passed, 1 failed (the reason and the daemons' logs are printed), 77 skipped
# (Slurm cannot be installed at all, or not running as root).
set -uo pipefail

SKIP=77
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
wfc="${WFC:-$here/../../build/wfc}"
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --wfc) wfc="$2"; shift 2 ;;
    --wfc=*) wfc="${1#--wfc=}"; shift ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--wfc PATH] [--keep]" >&2; exit 2 ;;
  esac
done

say() { echo "slurm_launcher: $*"; }
fail() {
  echo "FAIL slurm_launcher: $*" >&2
  dump_logs
  echo "0 passed, 1 failed"
  exit 1
}
skip() {
  echo "SKIP slurm_launcher: $*"
  exit "$SKIP"
}

dir=""
pids=()
dump_logs() {
  [ -n "$dir" ] || return 0
  for f in "$dir"/log/*.log; do
    [ -s "$f" ] || continue
    echo "---- $(basename "$f") (last 40 lines) ----" >&2
    tail -n 40 "$f" >&2
  done
}

# Processes of this cluster: its daemons, slurmstepd (it keeps slurmd.log open)
# and the tasks of its steps (their working directory is inside $dir).
cluster_leftovers() {
  find /proc/[0-9]*/cwd /proc/[0-9]*/fd -maxdepth 1 -lname "$dir/*" 2>/dev/null |
    cut -d/ -f3 | sort -u | grep -v -x -e "$$" -e "$BASHPID"
}

step_leftovers() {  # cluster_leftovers less the daemons themselves
  local p d
  for p in $(cluster_leftovers); do
    for d in "${pids[@]}"; do [ "$p" = "$d" ] && continue 2; done
    echo "$p"
  done
}

stop_daemons() {
  local pid i
  [ ${#pids[@]} -gt 0 ] || return 0
  # Jobs first, so that slurmd ends its steps (and their tasks) itself.
  if [ -n "$dir" ] && [ -n "${SLURM_CONF:-}" ]; then
    scancel --quiet --full --signal=KILL -u root 2>/dev/null
    for ((i = 0; i < 50; i++)); do
      [ -z "$(squeue -h -o %i 2>/dev/null)" ] && [ -z "$(step_leftovers)" ] && break
      sleep 0.2
    done
  fi
  # Then the daemons this script started, by the pids they reported, newest first.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid="${pids[$i]}"
    kill -TERM "$pid" 2>/dev/null || continue
  done
  for ((i = 0; i < 100; i++)); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  pids=()
  # Whatever of the cluster is still running (a step whose slurmd is gone): by pid.
  for pid in $(cluster_leftovers); do
    echo "slurm_launcher: ending leftover $(cat "/proc/$pid/comm" 2>/dev/null) (pid $pid)" >&2
    kill -KILL "$pid" 2>/dev/null
  done
}

cleanup() {
  local rc=$?
  stop_daemons
  if [ -n "$dir" ] && [ -d "$dir" ]; then
    if [ $keep -eq 1 ] || [ $rc -ne 0 ]; then
      echo "slurm_launcher: files kept in $dir" >&2
    else
      rm -rf "$dir"
    fi
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" -eq 0 ] || skip "must run as root (starts slurmctld/slurmd/munged with SlurmUser=root)"
[ -x "$wfc" ] || fail "wfc not found or not executable: $wfc"
wfc="$(cd "$(dirname "$wfc")" && pwd)/$(basename "$wfc")"

# ---- 1. packages ---------------------------------------------------------------------------
need=()
for p in slurm-wlm munge; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  if ! command -v apt-get >/dev/null; then
    skip "no apt-get: cannot install ${need[*]}"
  fi
  export DEBIAN_FRONTEND=noninteractive
  # Where systemd runs, the packages start the system's munge service (and try slurmctld/
  # slurmd, which stop for want of /etc/slurm/slurm.conf); this test uses its own munged,
  # socket, key, configuration and ports, so neither matters to it.
  if ! apt-get install -y -q --no-install-recommends "${need[@]}" >/tmp/wf-slurm-apt.log 2>&1; then
    apt-get update -q >>/tmp/wf-slurm-apt.log 2>&1
    apt-get install -y -q --no-install-recommends "${need[@]}" >>/tmp/wf-slurm-apt.log 2>&1 ||
      { tail -n 20 /tmp/wf-slurm-apt.log; skip "cannot install ${need[*]} (log: /tmp/wf-slurm-apt.log)"; }
  fi
fi
for prog in munged slurmctld slurmd sinfo salloc srun scontrol; do
  command -v "$prog" >/dev/null || skip "$prog is missing after installing slurm-wlm and munge"
done

# ---- 2. a private cluster -----------------------------------------------------------------
dir="$(mktemp -d "${TMPDIR:-/tmp}/wf-slurm.XXXXXX")" || fail "cannot make a temporary directory"
chmod 0711 "$dir"  # munged wants search permission on its socket's path
mkdir -p "$dir"/{etc,log,run,spool,state,munge,app}
chmod 0711 "$dir/munge"

node="$(hostname -s)"
cpus="$(nproc)"  # the CPUs this process may use: never more than slurmd finds
[ "$cpus" -ge 2 ] || fail "the test needs 2 CPUs for an mpi(ranks=2) task; nproc says $cpus"
addr="$(getent hosts "$node" | awk '{print $1; exit}')"
[ -n "$addr" ] || addr=127.0.0.1

free_port() {
  # A TCP port nothing listens on now (from the ephemeral range, by bind test).
  /usr/bin/python3 - <<'EOF' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("", 0)); print(s.getsockname()[1]); s.close()
EOF
}
ctld_port="$(free_port)"
slurmd_port="$(free_port)"
while [ "$slurmd_port" = "$ctld_port" ]; do slurmd_port="$(free_port)"; done
srun_ports_lo=$((30000 + RANDOM % 20000))

# The MPI plugin of srun (WF_SLURM_MPI overrides, to try others): see the header.
mpi_plugin="${WF_SLURM_MPI:-pmix}"
munge_sock="$dir/munge/munge.socket"
conf="$dir/etc/slurm.conf"
cat >"$conf" <<EOF
# Single-node test cluster for wf (tests/slurm/run_slurm_test.sh); everything lives in $dir.
ClusterName=wftest
SlurmctldHost=$node($addr)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SrunPortRange=$srun_ports_lo-$((srun_ports_lo + 200))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$munge_sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/slurmd-%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=$mpi_plugin
SwitchType=switch/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MailProg=/bin/true
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
PlugStackConfig=$dir/etc/plugstack.conf
TmpFS=$dir/run
InactiveLimit=0
KillWait=5
MinJobAge=5
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=$node NodeAddr=$addr CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
: >"$dir/etc/plugstack.conf"
export SLURM_CONF="$conf"
# Nothing from a surrounding allocation or the caller's defaults.
for v in $(env | awk -F= '/^(SLURM_|SALLOC_|SRUN_|SBATCH_)/ && $1 != "SLURM_CONF" {print $1}'); do unset "$v"; done

# munge: a fresh key for this cluster, a private socket.
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none || fail "cannot write a munge key"
chmod 0400 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$munge_sock" \
  --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" \
  --seed-file="$dir/munge/munged.seed" >>"$dir/log/munged.log" 2>&1 ||
  fail "munged did not start"
for ((i = 0; i < 50; i++)); do [ -s "$dir/run/munged.pid" ] && break; sleep 0.1; done
[ -s "$dir/run/munged.pid" ] || fail "munged wrote no pid file"
pids+=("$(cat "$dir/run/munged.pid")")
munge -S "$munge_sock" -n </dev/null | unmunge -S "$munge_sock" >/dev/null 2>&1 ||
  fail "munge round trip through $munge_sock failed"

# slurmctld then slurmd; both daemonize and write pid files; -i: ignore old state.
slurmctld -f "$conf" -i >>"$dir/log/slurmctld.out" 2>&1 || fail "slurmctld did not start (see slurmctld.log)"
for ((i = 0; i < 100; i++)); do [ -s "$dir/run/slurmctld.pid" ] && break; sleep 0.1; done
[ -s "$dir/run/slurmctld.pid" ] || fail "slurmctld wrote no pid file"
pids+=("$(cat "$dir/run/slurmctld.pid")")
mkdir -p "$dir/spool/slurmd-$node"
slurmd -f "$conf" -N "$node" >>"$dir/log/slurmd.out" 2>&1 || fail "slurmd did not start (see slurmd.log)"
slurmd_pidfile="$dir/run/slurmd-$node.pid"
for ((i = 0; i < 100; i++)); do [ -s "$slurmd_pidfile" ] && break; sleep 0.1; done
[ -s "$slurmd_pidfile" ] || fail "slurmd wrote no pid file"
pids+=("$(cat "$slurmd_pidfile")")

state=""
for ((i = 0; i < 60; i++)); do
  state="$(sinfo -h -N -n "$node" -o '%t' 2>/dev/null | head -n 1)"
  [ "$state" = "idle" ] && break
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || fail "a Slurm daemon (pid $pid) exited"; done
  sleep 0.5
done
[ "$state" = "idle" ] || fail "node $node is not idle after 30 s (sinfo state: '${state:-none}')"
say "cluster up: node $node, $cpus CPUs, slurmctld port $ctld_port, MPI plugin $(scontrol show config | awk '/^MpiDefault/ {print $3}')"

# A plain srun first: tells a broken cluster apart from a broken launcher.
out="$(timeout 60 srun -N 1 -n 2 --mpi=none hostname 2>&1)" || fail "srun -n 2 hostname failed: $out"
[ "$(echo "$out" | grep -c .)" -eq 2 ] || fail "srun -n 2 hostname printed: $out"

# ---- 3. wfc run --launcher slurm inside an allocation ---------------------------------------
cat >"$dir/app/app.wf" <<'EOF'
fn square(x: int) -> int {
    return x * x;
}

mpi(ranks=2) fn rank_sum(n: int) -> int {
    var local = 0;
    for i in rank()..n step size() {
        local += i;
    }
    return allreduce_sum(local);
}

mpi(ranks=2) fn sizes() -> [int] {
    return gather(size() * 10 + rank(), 0);
}

flow main() {
    print(map(square, range(0, 6)));
    print(rank_sum(100), submit(sizes).result());
    print(map(rank_sum, [10, 20]));
    print("done");
}
EOF
expected="[0, 1, 4, 9, 16, 25]
4950 [20, 21]
[45, 190]
done"

# run_in_allocation NAME FILE: `salloc -n 2 wfc run FILE --launcher slurm --workers 2` in
# $dir/app, output in $dir/log/NAME.stdout and .stderr; fails unless it exits 0 and prints
# exactly $expected.
run_in_allocation() {
  local name="$1" file="$2" rc got
  say "salloc -n 2 $wfc run $file --launcher slurm --workers 2"
  (
    cd "$dir/app" &&
      WF_LOG=debug WF_CACHE_DIR="${WF_CACHE_DIR:-$dir/app/cache}" timeout 180 \
        salloc -n 2 -J "wf-slurm-$name" "$wfc" run "$file" --launcher slurm --workers 2
  ) >"$dir/log/$name.stdout" 2>"$dir/log/$name.stderr"
  rc=$?
  got="$(cat "$dir/log/$name.stdout")"
  if [ $rc -ne 0 ] || [ "$got" != "$expected" ]; then
    echo "---- wfc stdout ----" >&2; cat "$dir/log/$name.stdout" >&2
    echo "---- wfc stderr (last 60 lines) ----" >&2; tail -n 60 "$dir/log/$name.stderr" >&2
    [ $rc -eq 124 ] && fail "$name: salloc/wfc run did not finish within 180 s"
    [ $rc -ne 0 ] && fail "$name: salloc ... wfc run exited with status $rc (expected 0)"
    fail "$name: wrong output; expected:
$expected"
  fi
}

run_in_allocation wfc app.wf
grep -q "launched world .*(slurm, 2 ranks" "$dir/log/wfc.stderr" ||
  fail "the debug log shows no 2-rank world launched through slurm"
ups="$(grep -c "worker [0-9]* up" "$dir/log/wfc.stderr")"
[ "$ups" -eq 2 ] || fail "expected 2 workers up, the debug log shows $ups"
grep -q " died" "$dir/log/wfc.stderr" && fail "a worker died: $(grep ' died' "$dir/log/wfc.stderr" | head -n 3)"
# The job must be gone from the queue once salloc returns.
for ((i = 0; i < 20; i++)); do
  [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
  sleep 0.5
done
[ -z "$(squeue -h -o %i 2>/dev/null)" ] || fail "jobs left in the queue: $(squeue 2>&1)"

say "output and exit status right ($(grep -c . <<<"$expected") lines, 2 slurm ranks)"

# ---- 4. a dead worker fails only its own task ------------------------------------------------
# No mpi fn of more than one rank: one step per worker, so Slurm's step-wide kill of a dead
# rank's step takes no other worker with it (docs/cli.md, "Failures").
cat >"$dir/app/crash.wf" <<'EOF'
extern fn abort() from "libc.so.6";

fn crash(x: int) -> int {
    sleep(0.3);  // the others are running when this one dies
    if x == 2 {
        abort();
    }
    return x * 10;
}

flow main() {
    let fs = [submit(crash, 1), submit(crash, 2), submit(crash, 3), submit(crash, 4)];
    var failed = 0;
    for f in fs {
        if f.error() != "" {
            failed += 1;
        }
    }
    print(fs[0].result(), fs[2].result(), fs[3].result(), failed);
    print(map(crash, [5, 6, 7]));
}
EOF
expected="10 30 40 1
[50, 60, 70]"
run_in_allocation crash crash.wf  # one worker aborts: exactly one task fails (in $expected)
grep -q "launched world .*(slurm, 1 rank" "$dir/log/crash.stderr" ||
  fail "the debug log shows no 1-rank slurm step for a program without multi-rank mpi fns"
died="$(grep -c " died" "$dir/log/crash.stderr")"
[ "$died" -eq 1 ] || fail "expected exactly one worker death, the log shows $died"
say "one worker died, exactly one task failed, the others and the replacement ran"
echo "PASS slurm_launcher"
echo "2 passed, 0 failed"
exit 0
