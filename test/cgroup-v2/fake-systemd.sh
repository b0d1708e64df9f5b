#!/bin/sh
# Plays systemd's user manager in the VM, which has no systemd: a root loop that, for each request on a FIFO, makes a
# scope under the user's slice, delegates it as systemd does (directory, cgroup.procs, cgroup.subtree_control and
# cgroup.threads owned by the user) and moves the requesting process into it. bin/systemd-run is the client: it asks
# for a scope for itself, waits, then execs the command, as `systemd-run --user --scope -p Delegate=yes` does.
# Usage (root): fake-systemd.sh <state dir> <slice cgroup>
set -u
state=$1
slice=$2
mkdir -p "$state/bin"
rm -f "$state/requests"
mkfifo -m 666 "$state/requests"
chmod 777 "$state"
cat > "$state/bin/systemd-run" <<CLIENT
#!/bin/sh
# Options as systemd-run takes them, up to the command.
while [ \$# -gt 0 ]; do
  case \$1 in
    --) shift; break ;;
    -p) shift 2 ;;
    -*) shift ;;
    *) break ;;
  esac
done
echo \$\$ > "$state/requests"
while [ ! -e "$state/scope-\$\$" ]; do sleep 0.05; done
exec "\$@"
CLIENT
chmod 755 "$state/bin/systemd-run"
n=0
while true; do
  read -r pid < "$state/requests" || continue
  n=$((n + 1))
  scope=$slice/run-$n.scope
  mkdir "$scope"
  uid=$(stat -c %u "/proc/$pid")
  chown "$uid" "$scope" "$scope/cgroup.procs" "$scope/cgroup.subtree_control" "$scope/cgroup.threads"
  echo "$pid" > "$scope/cgroup.procs"
  touch "$state/scope-$pid"
done
