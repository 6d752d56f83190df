// Commands virsh-rpc parses and lists as virsh does but cannot run, and why.

const FD_PASSING = 'passes file descriptors to the daemon (SCM_RIGHTS), which virsh-rpc does not do';

/** Command name -> the error it prints. */
export const UNSUPPORTED: Record<string, string> = {
  'domfd-associate': `domfd-associate ${FD_PASSING}`,
  'lxc-enter-namespace': 'lxc-enter-namespace receives the namespaces of the container as file descriptors (SCM_RIGHTS) and joins them with setns(2), which virsh-rpc does not do',
};
