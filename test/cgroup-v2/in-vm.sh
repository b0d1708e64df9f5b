#!/bin/sh
# Runs as root inside the cgroup v2 VM (started by vm.ts). Sets up each situation lambench must handle and runs
# check.mjs inside it, with a foreign process sharing lambench's cgroup where the situation has one:
#   root       the hierarchy's true root cgroup (quick checks only)
#   host       root in a child cgroup that also holds other processes (a login session, a CI job)
#   container  root in its own cgroup namespace whose root holds other processes (docker run --cgroupns=private)
#   user       uid 65534 in a cgroup delegated to it the way systemd delegates (directory and cgroup.procs,
#              cgroup.subtree_control, cgroup.threads chowned), which also holds another of its processes
#   systemd-user  uid 65534 in a cgroup it may not write, with a `systemd-run` that hands out delegated scopes as
#              systemd's user manager does (the VM has no systemd: fake-systemd.sh plays it), so lambench re-runs
#              itself in one
# Usage: in-vm.sh <out dir> <situation>...   (QUICK=--quick skips the vitest run and shrinks the CPU work)
set -u
out=$1
shift
# The project, bound at a path of its own: wherever it was cloned (under /root, which uid 65534 may not enter, or
# under /tmp, which the functions' private /tmp would hide), everyone can read it there.
project=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p /opt/lambench
mount --bind "$project" /opt/lambench
here=/opt/lambench/test/cgroup-v2
cg=/sys/fs/cgroup
node=$(command -v node)
quick=${QUICK:-}
# Outside /tmp: functions get a private /tmp there, which would hide anything of theirs under the host's /tmp.
scratch=/var/tmp/lambench-vm
mkdir -p "$scratch"
chmod 1777 "$scratch"
echo "+cpu +memory +pids +cpuset" > "$cg/cgroup.subtree_control"
# Loop devices for the functions' private /tmp (virtme-ng boots without the module loaded).
modprobe loop 2>/dev/null || true

# Starts `sleep` inside cgroup $1 (optionally as uid 65534) and prints its pid.
foreign() {
  if [ "${2:-}" = user ]; then
    sh -c "echo \$\$ > $1/cgroup.procs; exec setpriv --reuid=65534 --regid=65534 --clear-groups sleep 100000" >/dev/null 2>&1 &
  else
    sh -c "echo \$\$ > $1/cgroup.procs; exec sleep 100000" >/dev/null 2>&1 &
  fi
  echo $!
}

for situation in "$@"; do
  echo "== $situation"
  case $situation in
    root)
      "$node" "$here/check.mjs" root "$scratch/root.json" --quick
      ;;
    host)
      mkdir -p "$cg/session"
      other=$(foreign "$cg/session")
      sh -c "echo \$\$ > $cg/session/cgroup.procs; exec $node $here/check.mjs host $scratch/host.json $quick --no-vitest"
      kill "$other"
      ;;
    container)
      mkdir -p "$cg/container"
      other=$(foreign "$cg/container")
      sh -c "echo \$\$ > $cg/container/cgroup.procs; exec unshare --cgroup --mount --propagation private sh -c 'umount -l $cg && mount -t cgroup2 cgroup2 $cg && exec $node $here/check.mjs container $scratch/container.json $quick --no-vitest'"
      kill "$other"
      ;;
    user)
      d=$cg/user-65534
      mkdir -p "$d"
      chown 65534:65534 "$d" "$d/cgroup.procs" "$d/cgroup.subtree_control" "$d/cgroup.threads"
      other=$(foreign "$d" user)
      sh -c "echo \$\$ > $d/cgroup.procs; cd $scratch; exec setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=$scratch $node $here/check.mjs user $scratch/user.json $quick"
      kill "$other"
      ;;
    systemd-user)
      mkdir -p "$cg/nodelegation" "$cg/user.slice"
      echo "+cpu +memory +pids" > "$cg/user.slice/cgroup.subtree_control"
      sh "$here/fake-systemd.sh" "$scratch/fake-systemd" "$cg/user.slice" &
      manager=$!
      other=$(foreign "$cg/nodelegation" user)
      sh -c "echo \$\$ > $cg/nodelegation/cgroup.procs; cd $scratch; exec setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=$scratch PATH=$scratch/fake-systemd/bin:$PATH $node $here/check.mjs systemd-user $scratch/systemd-user.json --quick"
      kill "$other" "$manager"
      ;;
    *)
      echo "unknown situation $situation" >&2
      ;;
  esac
  cp "$scratch/$situation.json" "$scratch/$situation"-vitest.json "$out/" 2>/dev/null
done
echo "== done"
