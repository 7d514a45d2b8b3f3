#!/bin/sh
# compare.sh NETSPLIT — `netsplit compare` picks its clusters as data:
# help exits 0; an unknown protocol, one that serves no key-value clients,
# fewer than two or more than three protocols are refused with exit 2 and
# a message naming the problem; so are `cap --systems` lists that name
# fewer than two, more than three, or something that is not a system or a
# protocol with clients. (The screens themselves need a terminal.)
set -u
bin=$1
fail() {
	echo "compare: $*" >&2
	exit 1
}
"$bin" compare --help | grep -q 'default: raft paxos zab' || fail "help does not name the default"
out=$("$bin" compare raft nope 2>&1)
[ $? -eq 2 ] || fail "an unknown protocol is not exit 2"
echo "$out" | grep -q 'unknown protocol "nope"' || fail "no message for an unknown protocol: $out"
out=$("$bin" compare raft heartbeat 2>&1)
[ $? -eq 2 ] || fail "a protocol without clients is not exit 2"
echo "$out" | grep -q 'heartbeat serves no key-value clients' || fail "wrong message: $out"
out=$("$bin" compare raft 2>&1)
[ $? -eq 2 ] || fail "one protocol is not exit 2"
echo "$out" | grep -q 'two or three' || fail "wrong message: $out"
out=$("$bin" compare raft paxos raft paxos 2>&1)
[ $? -eq 2 ] || fail "four protocols is not exit 2"
echo "$out" | grep -q 'at most three' || fail "wrong message: $out"
# A real system's preset is a protocol here: etcd passes, nope does not.
out=$("$bin" compare etcd nope 2>&1)
[ $? -eq 2 ] || fail "a preset then an unknown protocol is not exit 2"
echo "$out" | grep -q 'unknown protocol "nope"' || fail "etcd was not taken as a preset: $out"
"$bin" compare --help | grep -q 'zookeeper' || fail "help does not name the presets"
# cap --systems: two or three real systems, each a preset or a protocol
# with clients; anything else is bad usage before any screen opens.
out=$("$bin" cap --systems zookeeper 2>&1)
[ $? -eq 2 ] || fail "cap --systems with one system is not exit 2"
echo "$out" | grep -q 'two or three' || fail "cap --systems one: $out"
out=$("$bin" cap --systems zookeeper,nope 2>&1)
[ $? -eq 2 ] || fail "cap --systems with an unknown name is not exit 2"
echo "$out" | grep -q '"nope" is not a system' || fail "cap --systems nope: $out"
out=$("$bin" cap --systems etcd,heartbeat 2>&1)
[ $? -eq 2 ] || fail "cap --systems with a protocol without clients is not exit 2"
out=$("$bin" cap --systems etcd,zookeeper,cassandra,dynamodb 2>&1)
[ $? -eq 2 ] || fail "cap --systems with four is not exit 2"
echo "$out" | grep -q 'at most three' || fail "cap --systems four: $out"
"$bin" cap --help | grep -q -- '--systems' || fail "cap help does not name --systems"
echo "compare: ok"
