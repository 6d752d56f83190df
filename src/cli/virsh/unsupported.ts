// Commands virsh-rpc parses and lists as virsh does but cannot run, and why.

const FD_PASSING = 'passes file descriptors to the daemon (SCM_RIGHTS), which virsh-rpc does not do';

/** Command name -> the error it prints. */
export const UNSUPPORTED: Record<string, string> = {
  'dom-fd-associate': `dom-fd-associate ${FD_PASSING}`,
};
