// libvirt-rpc/xml, loaded the first time a command needs it: most commands never do, and the
// typed-XML module is a large part of what a start of the program would otherwise load.

type XmlModule = typeof import('../../xml/index.js');
let loaded: Promise<XmlModule> | null = null;

export function xmlModule(): Promise<XmlModule> {
  loaded ??= import('../../xml/index.js');
  return loaded;
}
