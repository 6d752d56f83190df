// The virsh release whose commands, options and output virsh-rpc reproduces (Debian bookworm's).
export const VERSION_STRING = '9.0.0';
